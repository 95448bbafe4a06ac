// SPDX-License-Identifier: AGPL-3.0-or-later
// web/build.mjs: bundles src/source.js and everything it imports (the npm
// packages and the codename word lists, as text) into dist/source.js, and
// src/staff.js (the staff listener's pages; CMake embeds it in the server
// as /static/staff.js) into dist/staff.js: each one self-contained script
// with no imports and no loads from elsewhere, so the pages can serve it
// under `script-src 'self'`. `node build.mjs [OUTDIR]`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const outdir = process.argv[2] ?? `${here}dist`;

const bundles = [
  { entry: 'source.js', globalName: 'SafehouseClient' },
  { entry: 'staff.js', globalName: 'SafehouseStaff' },
];

for (const { entry, globalName } of bundles) await build({
  entryPoints: [`${here}src/${entry}`],
  outfile: `${outdir}/${entry}`,
  bundle: true,
  format: 'iife',
  globalName,
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  loader: { '.txt': 'text' },
  logLevel: 'warning',
});
