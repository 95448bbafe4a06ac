// SPDX-License-Identifier: AGPL-3.0-or-later
// web/txt_loader.mjs: lets the Node tests import the word lists
// (src/codename/wordlists/*.txt) as strings, as esbuild's `text` loader does
// in the bundle (build.mjs). Registered with `node --import`.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (url.endsWith('.txt')) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', shortCircuit: true,
             source: 'export default ' + JSON.stringify(text) + ';' };
  }
  return next(url, context);
}`));
