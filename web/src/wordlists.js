// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/wordlists.js: the English and Persian codename word lists, the very
// files the C++ library embeds (src/codename/wordlists/*.txt), embedded into
// the bundle at build time (esbuild's text loader; tests use
// txt_loader.mjs). A word's line number is its index.
import enText from '../../src/codename/wordlists/en.txt';
import faText from '../../src/codename/wordlists/fa.txt';

export const WORDLIST_SIZE = 2048;

// One word a line, each line ending in '\n', exactly 2048 lines, as
// src/codename/wordlist.cpp requires; anything else is a build bug.
function splitLines(text) {
  if (!text.endsWith('\n')) throw new Error('codename: embedded word list is malformed');
  const words = text.slice(0, -1).split('\n');
  if (words.length !== WORDLIST_SIZE || words.some((w) => w.length === 0)) {
    throw new Error('codename: embedded word list is malformed');
  }
  return Object.freeze(words);
}

export const WORDLISTS = Object.freeze({ en: splitLines(enText), fa: splitLines(faText) });
