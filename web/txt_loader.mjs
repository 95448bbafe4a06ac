// SPDX-License-Identifier: AGPL-3.0-or-later
// web/txt_loader.mjs: lets the Node tests import the word lists
// (src/codename/wordlists/*.txt) as strings, as esbuild's `text` loader does
// in the bundle (build.mjs). Registered with `node --import`.
import { register } from 'node:module';

// noble v2 and typage 0.3 need Node.js 20.19 or later: say so plainly
// rather than fail somewhere inside them.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  throw new Error(`web/: Node.js >= 20.19 is needed, this is ${process.versions.node}`);
}

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
