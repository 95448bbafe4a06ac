// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/upload.test.mjs: the resumable encrypted upload through
// tus-js-client against a tiny tus 1.0 server on 127.0.0.1 (port 0) that
// keeps what arrived and cuts the connection every few hundred KiB. The
// file arrives complete, the stored bytes decrypt with the stock age CLI to
// the frame of the original file; and the same after a simulated page
// reload (a fresh Upload and encryptor from sessionStorage only). Then the
// session's upload state is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { File } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../src/item.js';
import { pendingUploads, startUpload, uploadFingerprint, wipeUploads } from '../src/upload.js';
import { storedBytes, tusServer } from './lib/tus_server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'safehouse-upload-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const key = join(dir, 'reviewer.key');
execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
const recipient = readFileSync(key, 'utf8').match(/age1\S+/)[0];

// sessionStorage for Node: the Web Storage calls the client uses.
class MemoryStorage {
  #map = new Map();
  get length() { return this.#map.size; }
  key(i) { return [...this.#map.keys()][i] ?? null; }
  getItem(k) { return this.#map.has(k) ? this.#map.get(k) : null; }
  setItem(k, v) { this.#map.set(k, String(v)); }
  removeItem(k) { this.#map.delete(k); }
}


function decryptFrame(bytes) {
  const path = join(dir, 'upload.age');
  writeFileSync(path, bytes);
  return decodeFrame(new Uint8Array(execFileSync('age', ['-d', '-i', key, path], { maxBuffer: 1 << 27 })));
}

function randomFile(size, name) {
  const content = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(content.subarray(at, Math.min(at + 65536, size)));
  return { content, file: new File([content], name, { type: 'video/mp4', lastModified: 1700000000000 }) };
}

test('an upload cut every 300 KiB arrives complete and decrypts to the file', async () => {
  const tus = await tusServer({ cutEvery: 300 * 1024 });
  try {
    const storage = new MemoryStorage();
    const { content, file } = randomFile(3 * 1024 * 1024 + 12345, 'clip.mp4');
    let progress = 0;
    const { done, encryptedSize } = await startUpload({
      endpoint: tus.endpoint, file, recipients: [recipient], language: 'fa', storage,
      chunkSize: 1024 * 1024, retryDelays: Array(100).fill(0), onProgress: (sent) => { progress = sent; },
    });
    const url = await done;
    assert.ok(tus.stats.cuts >= 5, `cuts: ${tus.stats.cuts}`);
    const bytes = storedBytes(tus, url);
    assert.equal(bytes.length, encryptedSize);
    assert.equal(progress, encryptedSize);
    const frame = decryptFrame(bytes);
    assert.equal(frame.header.fileName, 'clip.mp4');
    assert.equal(frame.header.language, 'fa');
    assert.deepEqual(frame.content, content);
    // Nothing of the upload is left in the session.
    assert.equal(storage.length, 0);
    // Plaintext never went over the wire: a 64-byte run of the file is not in what arrived.
    assert.equal(bytes.indexOf(Buffer.from(content.subarray(100000, 100064))), -1);
  } finally {
    tus.server.close();
  }
});

test('after a page reload a fresh upload resumes where the server is and gives the same age file', async () => {
  const tus = await tusServer({ cutEvery: Infinity });
  try {
    const storage = new MemoryStorage();
    const { content, file } = randomFile(2 * 1024 * 1024 + 777, 'report.pdf');
    // First page: send part of it, then the page goes away.
    const first = await startUpload({
      endpoint: tus.endpoint, file, recipients: [recipient], language: 'en', storage,
      chunkSize: 256 * 1024, retryDelays: [],
      onProgress: (sent) => { if (sent >= 700 * 1024) first.upload.abort(); },
    });
    first.done.catch(() => {});
    await new Promise((resolve) => {
      const check = setInterval(() => {
        const u = [...tus.uploads.values()][0];
        if (u && u.offset >= 700 * 1024) { clearInterval(check); resolve(); }
      }, 10);
    });
    await first.upload.abort();
    const partial = [...tus.uploads.values()][0].offset;
    assert.ok(partial > 0 && partial < first.encryptedSize);
    const fingerprint = await uploadFingerprint(file);
    assert.ok(storage.getItem(`safehouse-upload:${fingerprint}:seal`) !== null);
    // A reload: new Upload, new encryptor, only sessionStorage kept; the
    // language of the new page differs, the frame keeps the first one.
    const second = await startUpload({
      endpoint: tus.endpoint, file, recipients: [recipient], language: 'fa', storage,
      chunkSize: 256 * 1024, retryDelays: [0],
    });
    const url = await second.done;
    assert.equal(tus.uploads.size, 1, 'resumed, not created again');
    const bytes = storedBytes(tus, url);
    assert.equal(bytes.length, second.encryptedSize);
    const frame = decryptFrame(bytes);
    assert.equal(frame.header.language, 'en');
    assert.deepEqual(frame.content, content);
    assert.equal(storage.length, 0);
  } finally {
    tus.server.close();
  }
});

test('a different file with the same name, size and date gets a new fingerprint, hence a new key', async () => {
  const a = randomFile(3 * 1024 * 1024, 'same.bin').file;
  const b = randomFile(3 * 1024 * 1024, 'same.bin').file;
  assert.equal(await uploadFingerprint(a), await uploadFingerprint(a));
  assert.notEqual(await uploadFingerprint(a), await uploadFingerprint(b));
  const bytes = new Uint8Array(await a.arrayBuffer());
  bytes[bytes.length - 1] ^= 1;
  const lastByte = new File([bytes], 'same.bin', { type: a.type, lastModified: a.lastModified });
  assert.notEqual(await uploadFingerprint(a), await uploadFingerprint(lastByte));
});

test('wipeUploads forgets every upload of the session (logout)', async () => {
  const storage = new MemoryStorage();
  storage.setItem('other', 'x');
  assert.equal(pendingUploads(storage), false, 'another key is not an upload');
  storage.setItem('safehouse-upload:abc:seal', '{}');
  storage.setItem('safehouse-upload:abc:tus:1', '{}');
  assert.equal(pendingUploads(storage), true);
  wipeUploads(storage);
  assert.equal(storage.length, 1);
  assert.equal(storage.getItem('other'), 'x');
  assert.equal(pendingUploads(storage), false);
});

test('retries: network errors, 5xx, 409 and 423 yes; other 4xx no', async () => {
  const { shouldRetry } = await import('../src/upload.js');
  const withStatus = (status) => ({ originalResponse: { getStatus: () => status } });
  assert.equal(shouldRetry(new Error('socket hang up')), true);
  for (const status of [500, 502, 503, 409, 423]) assert.equal(shouldRetry(withStatus(status)), true, `${status}`);
  for (const status of [400, 403, 404, 410, 412, 413, 415, 460]) assert.equal(shouldRetry(withStatus(status)), false, `${status}`);
});
