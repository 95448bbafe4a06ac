// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/normalise.js: the typed-codename normalisation and folding key of
// src/codename/normalise.cpp, in JavaScript, so the browser reads a codename
// exactly as the server does (docs/codename.md "Normalisation", "The folding
// key"). ICU's NFKC_Casefold is built from String.prototype.normalize and
// per-character case mapping (JavaScript has no case folding); the rest is a
// transcription of the C++. Knows Unicode, nothing of word lists.

export const MAX_NORMALISE_INPUT_BYTES = 4096;
const MAX_PASSES = 8;

export class CodenameError extends Error {
  // code: 'malformed' or 'too_large' (the C++ kMalformed, kTooLarge).
  constructor(code, message) {
    super(message);
    this.name = 'CodenameError';
    this.code = code;
  }
}

export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

// NFKC_Casefold: NFKC, full case folding, default-ignorables removed. Full
// case folding is approximated per character by upper- then lower-casing
// (ß → ss, ŉ → ʼn, final ς → σ, as CaseFolding.txt does); the few characters
// where the two differ (Cherokee, some Greek symbols) are in neither word
// list and only change which error a typo gets.
function nfkcCasefold(text) {
  let folded = '';
  for (const c of text.normalize('NFKC')) folded += c.toUpperCase().toLowerCase();
  return folded.normalize('NFKC').replace(DEFAULT_IGNORABLE, '');
}

function isRemoved(c) {
  return (
    c === 0x200c || c === 0x200d || c === 0x200e || c === 0x200f || c === 0x061c ||
    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x0640 ||
    (c >= 0x064b && c <= 0x065f) || c === 0x0670
  );
}

const WHITE_SPACE = /^\p{White_Space}$/u;

function isSeparator(ch, c) {
  return (
    WHITE_SPACE.test(ch) || c === 0x2c || c === 0x2d || c === 0x060c || c === 0x061b ||
    (c >= 0x2010 && c <= 0x2015) || c === 0x2212
  );
}

function mapped(c) {
  if (c >= 0x06f0 && c <= 0x06f9) return 0x30 + (c - 0x06f0); // Persian digits
  if (c >= 0x0660 && c <= 0x0669) return 0x30 + (c - 0x0660); // Arabic-Indic digits
  if (c === 0x064a || c === 0x0649) return 0x06cc; // ي ى → ی
  if (c === 0x0643) return 0x06a9; // ك → ک
  return c;
}

function mapAndCollapse(text) {
  let out = '';
  let pendingSpace = false;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (isRemoved(c)) continue;
    if (isSeparator(ch, c)) {
      pendingSpace = out.length !== 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += String.fromCodePoint(mapped(c));
  }
  return out;
}

// As C++ normalise(): throws CodenameError('too_large') over 4096 UTF-8
// bytes, ('malformed') for text that is not well-formed Unicode (a lone
// surrogate: what the C++ sees as invalid UTF-8) or does not settle.
export function normalise(typed) {
  if (utf8Length(typed) > MAX_NORMALISE_INPUT_BYTES) {
    throw new CodenameError('too_large',
      `normalise: input is longer than ${MAX_NORMALISE_INPUT_BYTES} bytes`);
  }
  if (!typed.isWellFormed()) throw new CodenameError('malformed', 'normalise: input is not valid UTF-8');
  let text = typed;
  for (let pass = 0; pass < MAX_PASSES; ++pass) {
    const next = mapAndCollapse(nfkcCasefold(text));
    if (next === text) return text;
    text = next;
  }
  throw new CodenameError('malformed', 'normalise: input does not settle to a normal form');
}

// The folding key's letter classes, as C++ folded() and generate.py's FOLD.
const FOLD = new Map([
  [0x0637, 0x062a], // ط → ت
  [0x0635, 0x0633], [0x062b, 0x0633], // ص ث → س
  [0x0630, 0x0632], [0x0636, 0x0632], [0x0638, 0x0632], [0x0698, 0x0632], // ذ ض ظ ژ → ز
  [0x062d, 0x0647], [0x0629, 0x0647], [0x06d5, 0x0647], [0x06be, 0x0647], [0x06c1, 0x0647], // → ه
  [0x063a, 0x0642], // غ → ق
  [0x0622, 0x0627], [0x0639, 0x0627], [0x0623, 0x0627], [0x0625, 0x0627], [0x0671, 0x0627], // → ا
  [0x0624, 0x0648], // ؤ → و
  [0x0626, 0x06cc], [0x064a, 0x06cc], [0x0649, 0x06cc], // ئ ي ى → ی
  [0x0643, 0x06a9], [0x06af, 0x06a9], // ك گ → ک
  [0x067e, 0x0628], // پ → ب
  [0x0686, 0x062c], // چ → ج
]);

// ICU u_isUWhiteSpace, u_isdigit (Nd), u_ispunct (P*).
const DROPPED = /^[\u0621\p{White_Space}\p{Nd}\p{P}]$/u;

// The folding key of normalised text (C++ fold_key): one string of letters,
// nothing between words.
export function foldKey(normalised) {
  let out = '';
  for (const ch of normalised) {
    if (DROPPED.test(ch)) continue;
    const c = ch.codePointAt(0);
    out += String.fromCodePoint(FOLD.get(c) ?? c);
  }
  return out;
}
