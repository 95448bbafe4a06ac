// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/lib/catalog.mjs: reads the web component's gettext catalogs
// (src/web/locales/<lang>/LC_MESSAGES/safehouse.po) so tests can expect the
// exact translated text, and the codename word lists so a codename can be
// re-typed in the other language. Only what the tests need: msgid/msgstr
// pairs with "..." continuation lines; no plurals or contexts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const kSourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function unquote(line) {
  return JSON.parse(line.trim());
}

// catalog(lang): Map msgid → msgstr (msgid itself for en when msgstr is empty).
export function catalog(lang) {
  const file = path.join(kSourceRoot, 'src/web/locales', lang, 'LC_MESSAGES/safehouse.po');
  const entries = new Map();
  let id = null;
  let str = null;
  let field = null;
  const flush = () => {
    if (id !== null && str !== null) entries.set(id, str === '' ? id : str);
    id = str = field = null;
  };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('msgid ')) {
      flush();
      id = unquote(line.slice(6));
      field = 'id';
    } else if (line.startsWith('msgstr ')) {
      str = unquote(line.slice(7));
      field = 'str';
    } else if (line.startsWith('"')) {
      if (field === 'id') id += unquote(line);
      else if (field === 'str') str += unquote(line);
    } else if (line.trim() === '') {
      flush();
    }
  }
  flush();
  return entries;
}

// t(lang, msgid): the translation, failing loudly if the catalog lacks it.
export function t(lang, msgid) {
  const text = catalog(lang).get(msgid);
  if (text === undefined) throw new Error(`catalog ${lang}: no entry for ${JSON.stringify(msgid)}`);
  return text;
}

// wordlist(lang): the 2048 codename words of `lang` ('en' or 'fa') in index order.
export function wordlist(lang) {
  const file = path.join(kSourceRoot, 'src/codename/wordlists', `${lang}.txt`);
  return fs.readFileSync(file, 'utf8').split('\n').filter((w) => w !== '');
}

// Persian digits for ASCII ones, as the fa pages write numbers.
export function persianDigits(text) {
  return text.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}
