// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/seal.test.mjs: the seekable age encryptor. Every range equals the
// slice of the whole file; the whole file decrypts with the stock age CLI
// (Debian's `age`; missing is a failure) to the original bytes, for every
// recipient, at the STREAM's edge sizes; a state saved and restored (page
// reload) gives the same bytes; messages sealed whole decrypt too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter } from 'age-encryption';
import {
  beginSeal, bytesSource, chunkNonce, exportSealState, importSealState, SeekableEncryptor, sealBytes,
} from '../src/seal.js';

const dir = mkdtempSync(join(tmpdir(), 'safehouse-seal-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function identity(name) {
  const path = join(dir, name);
  execFileSync('age-keygen', ['-o', path], { stdio: ['ignore', 'ignore', 'ignore'] });
  const text = readFileSync(path, 'utf8');
  return { path, secret: text.match(/AGE-SECRET-KEY-1\S+/)[0], recipient: text.match(/age1\S+/)[0] };
}
const alice = identity('alice.key');
const bob = identity('bob.key');
const recipients = [alice.recipient, bob.recipient];

function ageDecrypt(bytes, key) {
  const path = join(dir, 'item.age');
  writeFileSync(path, bytes);
  return new Uint8Array(execFileSync('age', ['-d', '-i', key.path, path], { maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] }));
}

function pseudoRandom(size, seed) {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; ++i) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

test('chunk nonces: 11-byte big-endian counter and the last-chunk flag', () => {
  assert.deepEqual(chunkNonce(0, false), new Uint8Array(12));
  assert.deepEqual(chunkNonce(1, true), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1));
  assert.deepEqual(chunkNonce(0x010203, false), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0));
  assert.deepEqual(chunkNonce(2 ** 40, false).slice(0, 11), Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0));
});

for (const size of [0, 1, 65535, 65536, 65537, 200000]) {
  test(`size ${size}: ranges are slices of the whole, which age -d reads`, async () => {
    const plaintext = pseudoRandom(size, size + 1);
    const state = await beginSeal(recipients);
    const encryptor = new SeekableEncryptor(state, bytesSource(plaintext));
    const whole = await encryptor.range(0, encryptor.size);
    assert.equal(whole.length, encryptor.size);
    assert.deepEqual(ageDecrypt(whole, alice), plaintext);
    assert.deepEqual(ageDecrypt(whole, bob), plaintext);
    // typage reads it too.
    const decrypter = new Decrypter();
    decrypter.addIdentity(bob.secret);
    assert.deepEqual(await decrypter.decrypt(whole), plaintext);
    // Ranges: edges of the header, nonce and chunks, and random ones.
    const p = encryptor.prefixSize;
    const edges = [0, 1, p - 17, p - 16, p - 1, p, p + 1, p + 65535, p + 65536, p + 65552, p + 65553,
      p + 131088, encryptor.size - 17, encryptor.size - 16, encryptor.size - 1, encryptor.size]
      .filter((x) => x >= 0 && x <= encryptor.size);
    const ranges = [];
    for (const a of edges) for (const b of edges) if (a <= b) ranges.push([a, b]);
    for (let i = 0; i < 40; ++i) {
      const a = Math.floor(Math.random() * (encryptor.size + 1));
      const b = a + Math.floor(Math.random() * (encryptor.size - a + 1));
      ranges.push([a, b]);
    }
    for (const [a, b] of ranges) assert.deepEqual(await encryptor.range(a, b), whole.slice(a, b), `[${a}, ${b})`);
    // A reload: the state from sessionStorage gives the same file.
    const restored = new SeekableEncryptor(importSealState(exportSealState(state)), bytesSource(plaintext));
    assert.deepEqual(await restored.range(0, restored.size), whole);
    // In pieces, as a resumed upload asks for them.
    const pieces = [];
    for (let at = 0; at < encryptor.size; at += 7001) pieces.push(await restored.range(at, Math.min(at + 7001, encryptor.size)));
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(whole));
  });
}

test('a new seal has a new file key, header and nonce', async () => {
  const a = await beginSeal(recipients);
  const b = await beginSeal(recipients);
  assert.notDeepEqual(a.fileKey, b.fileKey);
  assert.notDeepEqual(a.nonce, b.nonce);
  assert.notDeepEqual(a.header, b.header);
  assert.ok(new TextDecoder().decode(a.header).startsWith('age-encryption.org/v1\n-> X25519 '));
  assert.equal(new TextDecoder().decode(a.header).match(/^-> X25519 /gm).length, 2);
});

test('ranges out of bounds are refused; so are bad recipients', async () => {
  const encryptor = new SeekableEncryptor(await beginSeal(recipients), bytesSource(new Uint8Array(10)));
  await assert.rejects(encryptor.range(0, encryptor.size + 1), RangeError);
  await assert.rejects(encryptor.range(5, 4), RangeError);
  await assert.rejects(encryptor.range(-1, 4), RangeError);
  await assert.rejects(beginSeal([]), /no recipients/);
  await assert.rejects(beginSeal(['age1notarecipient']), /not an age X25519 recipient/);
  await assert.rejects(sealBytes([alice.recipient, 'ssh-ed25519 AAAA'], new Uint8Array(1)), /not an age X25519/);
});

test('a tampered range does not decrypt', async () => {
  const plaintext = pseudoRandom(100000, 5);
  const encryptor = new SeekableEncryptor(await beginSeal(recipients), bytesSource(plaintext));
  const whole = await encryptor.range(0, encryptor.size);
  whole[encryptor.prefixSize + 70000] ^= 1;
  assert.throws(() => ageDecrypt(whole, alice));
});

test('messages sealed whole decrypt with age', async () => {
  const text = new TextEncoder().encode('سلام — a message\n');
  assert.deepEqual(ageDecrypt(await sealBytes(recipients, text), alice), text);
});
