// SPDX-License-Identifier: AGPL-3.0-or-later
// web/build.mjs: bundles src/source.js and everything it imports (the npm
// packages and the codename word lists, as text) into dist/source.js: one
// self-contained script with no imports and no loads from elsewhere, so the
// pages can serve it under `script-src 'self'`. `node build.mjs [OUTDIR]`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const outdir = process.argv[2] ?? `${here}dist`;

await build({
  entryPoints: [`${here}src/source.js`],
  outfile: `${outdir}/source.js`,
  bundle: true,
  format: 'iife',
  globalName: 'SafehouseClient',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  loader: { '.txt': 'text' },
  logLevel: 'warning',
});
