// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/signed_note.test.mjs: signed-note verification with the C2SP and
// Go x/mod vectors and the serverless-log checkpoints in tests/data/tlog/,
// malformed notes, and the recipient-set note the client encrypts to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64 } from '@scure/base';
import {
  MAX_NOTE_SIGNATURES, NoteError, noteKeyId, openNote, parseNote, parseVerifierKey,
  recipientsFromSignedNote, RECIPIENTS_NOTE_HEADER,
} from '../src/signed_note.js';

const data = new URL('../../tests/data/tlog/', import.meta.url);
const read = (path) => readFileSync(new URL(path, data), 'utf8');
const vectors = JSON.parse(read('signed-note/signed-note-vectors.json'));
const go = vectors.golang_mod_note_test;

// A signer for tests: "PRIVATE+KEY+name+hash+base64(0x01 || seed)".
function signerFromPrivateKey(text) {
  const [, name, data] = text.match(/^PRIVATE\+KEY\+([^+]+)\+[0-9a-f]{8}\+(.+)$/);
  return signer(name, base64.decode(data).slice(1));
}
function signer(name, seed) {
  const publicKey = ed25519.getPublicKey(seed);
  const keyId = noteKeyId(name, 1, publicKey);
  const idHex = keyId.toString(16).padStart(8, '0');
  const vkey = `${name}+${idHex}+${base64.encode(Uint8Array.of(1, ...publicKey))}`;
  const line = (text) => {
    const sig = ed25519.sign(new TextEncoder().encode(text), seed);
    const id = Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 255, (keyId >>> 8) & 255, keyId & 255);
    return `— ${name} ${base64.encode(Uint8Array.of(...id, ...sig))}\n`;
  };
  return { vkey, line, sign: (text) => `${text}\n${line(text)}` };
}

test('key IDs of the known verifier keys', () => {
  for (const vkey of vectors.key_id_known_answers.type_0x01) {
    const parsed = parseVerifierKey(vkey);
    const [name, hash] = vkey.split('+');
    assert.equal(parsed.name, name);
    assert.equal(parsed.keyId.toString(16).padStart(8, '0'), hash);
  }
  const cosig = vectors.key_id_known_answers.type_0x04_cosignature_v1[0].split(' ')[0];
  assert.throws(() => parseVerifierKey(cosig), { code: 'unsupported' });
});

test('the C2SP signed-note example verifies', () => {
  const example = vectors.c2sp_signed_note_example;
  const opened = openNote(example.note, [example.vkey]);
  assert.equal(opened.text, 'This is an example message.\n');
  assert.deepEqual(opened.verified, ['example.com/foo']);
});

test('Go x/mod vectors: signing is deterministic, unknown keys are ignored', () => {
  const peter = signerFromPrivateKey(go.peter_skey);
  assert.equal(peter.vkey, go.peter_vkey);
  assert.equal(peter.sign(go.text), `${go.text}\n${go.peter_sig_line}`);
  const both = `${go.text}\n${go.peter_sig_line}${go.enoch_sig_line}`;
  const one = openNote(both, [go.peter_vkey]);
  assert.deepEqual(one.verified, ['PeterNeumann']);
  assert.equal(one.unverified.length, 1);
  assert.equal(one.unverified[0].name, 'EnochRoot');
  assert.deepEqual(openNote(both, [go.peter_vkey, go.enoch_vkey]).verified, ['PeterNeumann', 'EnochRoot']);
  assert.throws(() => openNote(both, []), { code: 'no_match', message: 'note: no signature from a known key' });
  // A known key's bad signature rejects the note, whoever else signed.
  const sig = go.peter_sig_line.split(' ')[2].trim();
  const bytes = base64.decode(sig);
  bytes[10] ^= 1;
  const bad = `${go.text}\n— PeterNeumann ${base64.encode(bytes)}\n${go.enoch_sig_line}`;
  assert.throws(() => openNote(bad, [go.peter_vkey, go.enoch_vkey]),
    { code: 'integrity', message: 'note: invalid signature for key PeterNeumann+c74f20a3' });
  // The text is what is signed: change a byte of it and the note fails.
  assert.throws(() => openNote(both.replace('cryptography', 'Cryptography'), [go.peter_vkey]), { code: 'integrity' });
});

test('serverless-log and tiles-log checkpoints verify with their keys, not others', () => {
  const astra = read('serverless-log/keys.txt').match(/astra\+cad5a3d2\+\S+/)[0];
  for (let n = 0; n <= 15; ++n) {
    const opened = openNote(read(`serverless-log/checkpoint.${n}`), [astra]);
    assert.ok(opened.text.startsWith('example.com/testdata\n'));
    assert.throws(() => openNote(read(`serverless-log/checkpoint.${n}`), [go.peter_vkey]), { code: 'no_match' });
  }
  const tiles = JSON.parse(read('generated/tiles-log/vectors.json'));
  const cosigned = openNote(read('generated/tiles-log/checkpoint.1000.cosigned'), [tiles.log_vkey]);
  assert.equal(cosigned.text, tiles.checkpoints['1000']);
  assert.equal(cosigned.unverified.length, 1); // the witness cosignature: unknown here
});

test('malformed notes and keys are refused with a reason', () => {
  const note = `${go.text}\n${go.peter_sig_line}`;
  const bad = {
    'no blank line': go.text + go.peter_sig_line,
    'no final newline': note.slice(0, -1),
    'CR': note.replace('\n', '\r\n'),
    'tab': note.replace(' ', '\t'),
    'wrong dash': note.replace('—', '-'),
    'no signature': note.replace(/ x08go\S+/, ''),
    'not base64': note.replace('x08go', 'x08g!'),
    'unpadded base64': `${go.text}\n— PeterNeumann AAAAAAA\n`,
    'short signature': `${go.text}\n— PeterNeumann AAAA\n`,
    'plus in name': note.replace('— PeterNeumann', '— Peter+Neumann'),
    'blank text end': `${go.text}\n\n${go.peter_sig_line}`,
    'empty text': `\n\n${go.peter_sig_line}`,
    'empty signature block': `${go.text}\n`,
    'blank line after signatures': `${note}\n`,
    'lone surrogate': note.replace('If', '\ud800'),
  };
  for (const [what, text] of Object.entries(bad)) {
    assert.throws(() => openNote(text, [go.peter_vkey]), (e) => e instanceof NoteError && e.code === 'malformed', what);
  }
  const many = `${go.text}\n${go.enoch_sig_line.repeat(MAX_NOTE_SIGNATURES)}${go.peter_sig_line}`;
  assert.throws(() => parseNote(many), { message: 'note: more than 100 signatures' });
  assert.equal(parseNote(`${go.text}\n${go.enoch_sig_line.repeat(MAX_NOTE_SIGNATURES)}`).signatures.length, 100);
  assert.throws(() => parseNote('a'.repeat((1 << 20) + 1)), { code: 'too_large' });
  for (const vkey of ['PeterNeumann', 'PeterNeumann+c74f20a3', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10',
    'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW']) {
    assert.throws(() => parseVerifierKey(vkey), NoteError, vkey);
  }
});

const RECIPIENTS = ['age1q6yp7y3m0r85d9k6rdfx3wuw0nxps0ckdx04gpkykhdyt5nrzgss993pau',
  'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'];

test('recipientsFromSignedNote: the set when the organisation key signed it', () => {
  const org = signer('example-org', new Uint8Array(32).fill(7));
  const text = `${RECIPIENTS_NOTE_HEADER}\n${RECIPIENTS.join('\n')}\n`;
  assert.deepEqual(recipientsFromSignedNote(org.sign(text), org.vkey), RECIPIENTS);
  // Another key's signature only: refused (no known key signed).
  const other = signer('example-org', new Uint8Array(32).fill(8));
  assert.throws(() => recipientsFromSignedNote(other.sign(text), org.vkey), { code: 'no_match' });
  // Same name and key ID but a forged signature: refused.
  const forged = org.sign(text).replace(/ \S+\n$/, ` ${base64.encode(Uint8Array.of(...base64.decode(org.line(text).split(' ')[2].trim()).slice(0, 4), ...new Uint8Array(64)))}\n`);
  assert.throws(() => recipientsFromSignedNote(forged, org.vkey), { code: 'integrity' });
  // A recipient added after signing: refused.
  const added = org.sign(text).replace(RECIPIENTS[1], `${RECIPIENTS[1]}\nage1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p`);
  assert.throws(() => recipientsFromSignedNote(added, org.vkey), { code: 'integrity' });
  // Signed, but not a recipient set: no header, a bad line, none, repeats.
  for (const body of [`${RECIPIENTS.join('\n')}\n`, `${RECIPIENTS_NOTE_HEADER}\nage1notarecipient\n`,
    `${RECIPIENTS_NOTE_HEADER}\n`, `${RECIPIENTS_NOTE_HEADER}\n${RECIPIENTS[0]}\n${RECIPIENTS[0]}\n`,
    `${RECIPIENTS_NOTE_HEADER}\n${RECIPIENTS[0].toUpperCase()}\n`, 'example.com/testdata\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=\n']) {
    assert.throws(() => recipientsFromSignedNote(org.sign(body), org.vkey), { code: 'malformed' }, body);
  }
});
