// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/codename.js: a source's codename, as src/codename/codename.cpp
// defines it: 9 words of a 2048-word list (11 bits each, 99 bits), held as
// 13 secret bytes, word i in bits 11i..11i+10 from the top bit of byte 0, the
// last 5 bits zero. Shown in English or Persian, typed in either (or mixed),
// read through the folding key (normalise.js), which no word's key is a
// prefix of another's, so the typed key splits into words one way only.
// Knows the word lists; nothing of the keys derived from a codename.
import { CodenameError, foldKey, normalise, utf8Length } from './normalise.js';
import { WORDLISTS, WORDLIST_SIZE } from './wordlists.js';

export { CodenameError };
export const WORDS = 9;
export const WORD_BITS = 11;
export const BITS = WORDS * WORD_BITS; // 99
export const SECRET_BYTES = Math.ceil(BITS / 8); // 13
export const MAX_TYPED_BYTES = 1024;
// The bits of the last byte that no index uses.
const UNUSED_BITS = (1 << (SECRET_BYTES * 8 - BITS)) - 1; // 0x1f

// Index i takes bits 11i..11i+10, most significant bit first.
export function pack(indices) {
  const out = new Uint8Array(SECRET_BYTES);
  for (let i = 0; i < WORDS; ++i) {
    for (let bit = 0; bit < WORD_BITS; ++bit) {
      const at = i * WORD_BITS + bit;
      const value = (indices[i] >> (WORD_BITS - 1 - bit)) & 1;
      out[at >> 3] |= value << (7 - (at & 7));
    }
  }
  return out;
}

export function unpack(secret) {
  const indices = new Array(WORDS);
  for (let i = 0; i < WORDS; ++i) {
    let index = 0;
    for (let bit = 0; bit < WORD_BITS; ++bit) {
      const at = i * WORD_BITS + bit;
      index = (index << 1) | ((secret[at >> 3] >> (7 - (at & 7))) & 1);
    }
    indices[i] = index;
  }
  return indices;
}

// Folding key → index, over both lists (they share no key), built once.
let keyIndex = null;
let longestKey = 0;
function index() {
  if (keyIndex === null) {
    const map = new Map();
    for (const words of [WORDLISTS.en, WORDLISTS.fa]) {
      words.forEach((word, i) => {
        const key = foldKey(word);
        if (key.length === 0 || map.has(key)) throw new Error('codename: word lists share a key');
        map.set(key, i);
        longestKey = Math.max(longestKey, key.length);
      });
    }
    keyIndex = map;
  }
  return keyIndex;
}

// The word (of either list) whose key starts `keys` at `from`: [index, key length].
function matchPrefix(keys, from) {
  const map = index();
  const longest = Math.min(keys.length - from, longestKey);
  for (let n = 1; n <= longest; ++n) {
    const found = map.get(keys.slice(from, from + n));
    if (found !== undefined) return [found, n];
  }
  return null;
}

export class Codename {
  #secret;

  constructor(secret) {
    this.#secret = secret;
  }

  // A fresh codename from the platform CSPRNG.
  static generate() {
    const secret = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
    secret[SECRET_BYTES - 1] &= ~UNUSED_BITS;
    return new Codename(secret);
  }

  // From the 13 secret bytes; throws CodenameError('invalid_argument') for a
  // wrong length or unused bits set (two secrets would name one codename).
  static fromSecret(secret) {
    if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
      throw new CodenameError('invalid_argument', `codename: secret must be ${SECRET_BYTES} bytes`);
    }
    if ((secret[SECRET_BYTES - 1] & UNUSED_BITS) !== 0) {
      throw new CodenameError('invalid_argument', 'codename: secret has bits set past the last word');
    }
    return new Codename(Uint8Array.from(secret));
  }

  // Reads a typed codename exactly as C++ Codename::parse, with the same
  // messages (which never repeat what was typed).
  static parse(typed) {
    if (utf8Length(typed) > MAX_TYPED_BYTES) {
      throw new CodenameError('too_large', `codename: longer than ${MAX_TYPED_BYTES} bytes`);
    }
    let keys;
    try {
      keys = foldKey(normalise(typed));
    } catch (e) {
      if (e instanceof CodenameError) throw new CodenameError(e.code, `codename: ${e.message}`);
      throw e;
    }
    const indices = [];
    for (let at = 0; at < keys.length;) {
      const match = matchPrefix(keys, at);
      if (match === null) {
        throw new CodenameError('malformed', `codename: word ${indices.length + 1} is not in the word list`);
      }
      indices.push(match[0]);
      at += match[1];
    }
    if (indices.length !== WORDS) {
      throw new CodenameError('malformed', `codename: expected ${WORDS} words, got ${indices.length}`);
    }
    return new Codename(pack(indices));
  }

  // The 9 words in `language` ('en' or 'fa'), joined by single spaces.
  render(language) {
    const words = WORDLISTS[language];
    if (words === undefined) throw new Error(`codename: unknown language ${language}`);
    return unpack(this.#secret).map((i) => words[i]).join(' ');
  }

  // The 13 secret bytes (a copy).
  reveal() {
    return Uint8Array.from(this.#secret);
  }

  equals(other) {
    let diff = 0;
    const theirs = other.reveal();
    for (let i = 0; i < SECRET_BYTES; ++i) diff |= this.#secret[i] ^ theirs[i];
    return diff === 0;
  }

  // Overwrites the secret bytes (logout): the object is unusable afterwards.
  wipe() {
    this.#secret.fill(0);
  }
}

export { WORDLIST_SIZE };
