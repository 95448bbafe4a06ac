// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/malformed_random.test.mjs: the client's parsers (typed codename,
// signed note, verifier key, item frame) on random and randomly mutated
// input: each either accepts or throws its own typed error, never anything
// else, and never accepts a note whose signed text changed. A bounded
// stand-in for the libFuzzer targets the C++ parsers have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Codename, CodenameError } from '../src/codename.js';
import { decodeFrame, encodeFrame, FrameError } from '../src/item.js';
import { NoteError, openNote, parseVerifierKey } from '../src/signed_note.js';

const ROUNDS = 3000;
const vectors = JSON.parse(readFileSync(new URL('../../tests/data/tlog/signed-note/signed-note-vectors.json', import.meta.url), 'utf8'));
const go = vectors.golang_mod_note_test;
const NOTE = `${go.text}\n${go.peter_sig_line}${go.enoch_sig_line}`;
const ALPHABET = [...'ab \n—+/=.-،ی\u200c\u202e\ud800A0۱', go.peter_sig_line.slice(0, 20)];

let seed = 12345;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
function mutateText(text) {
  const chars = [...text];
  for (let i = 0, n = 1 + rand(4); i < n; ++i) {
    const at = rand(chars.length + 1);
    const op = rand(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ALPHABET[rand(ALPHABET.length)]);
    else chars[at] = ALPHABET[rand(ALPHABET.length)];
  }
  return chars.join('');
}
function only(ErrorType, f) {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ErrorType)) throw e;
    return undefined;
  }
}

test('mutated signed notes: a NoteError, or the same verified text', () => {
  for (let i = 0; i < ROUNDS / 3; ++i) {
    const opened = only(NoteError, () => openNote(mutateText(NOTE), [go.peter_vkey]));
    if (opened !== undefined) assert.equal(opened.text, go.text);
    only(NoteError, () => parseVerifierKey(mutateText(go.peter_vkey)));
  }
});

test('mutated typed codenames: a CodenameError or a codename', () => {
  const typed = Codename.generate().render('fa') + ' ' + Codename.generate().render('en');
  for (let i = 0; i < ROUNDS; ++i) only(CodenameError, () => Codename.parse(mutateText(typed)));
});

test('mutated frames: a FrameError or a frame that re-encodes to itself', () => {
  const document = encodeFrame({ kind: 'file', fileName: 'a.bin', language: 'fa' }, Uint8Array.of(1, 0, 2, 0, 0));
  for (let i = 0; i < ROUNDS; ++i) {
    const bytes = document.slice();
    for (let n = 1 + rand(3); n > 0; --n) bytes[rand(bytes.length)] = rand(256);
    const cut = rand(4) === 0 ? bytes.slice(0, rand(bytes.length)) : bytes;
    const frame = only(FrameError, () => decodeFrame(cut));
    if (frame !== undefined && ['en', 'fa'].includes(frame.header.language)) {
      assert.deepEqual(decodeFrame(encodeFrame(frame.header, frame.content)), frame);
    }
  }
});
