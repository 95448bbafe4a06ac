// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/seal.js: age encryption in the browser. Messages are sealed whole
// with typage (age-encryption). Files are sealed by a SEEKABLE encryptor:
// the age header, payload nonce and file key are made once per upload (by
// typage, see beginSeal) and kept for the session only; from them any byte
// range [start, end) of the age file is produced on demand, so a resumed
// tus upload re-encrypts exactly the range the server asks for, after a
// dropped connection or a page reload, and the result is the same age file
// byte for byte. The payload follows age's STREAM
// (age-encryption.org/v1): 64 KiB plaintext chunks, ChaCha20-Poly1305 with
// key HKDF-SHA-256(salt = nonce, ikm = file key, "payload") and chunk nonce
// = 11-byte big-endian counter || last-chunk flag. typage does not export
// its STREAM functions for single chunks, so this file uses the same
// @noble/ciphers and @noble/hashes calls typage makes.
import { Encrypter } from 'age-encryption';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { isX25519Recipient } from './signed_note.js';

export const CHUNK_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const NONCE_BYTES = 16;
const FILE_KEY_BYTES = 16;

function encrypterFor(recipients) {
  if (!Array.isArray(recipients) || recipients.length === 0) {
    throw new Error('seal: no recipients');
  }
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    // Only the X25519 recipients of the verified set (signed_note.js).
    if (!isX25519Recipient(recipient)) throw new Error('seal: not an age X25519 recipient');
    encrypter.addRecipient(recipient);
  }
  return encrypter;
}

// A whole age file of `plaintext` (Uint8Array) for `recipients` (age1…).
export async function sealBytes(recipients, plaintext) {
  return encrypterFor(recipients).encrypt(plaintext);
}

// The state of one seekable age file: { header, nonce, fileKey } as bytes.
// typage makes the header (its X25519 stanzas and MAC) for an empty file; a
// recipient added to the Encrypter sees the file key and adds no stanza.
// The empty file is header || nonce || one empty final chunk (16 bytes).
export async function beginSeal(recipients) {
  const encrypter = encrypterFor(recipients);
  let fileKey = null;
  encrypter.addRecipient({
    wrapFileKey(key) {
      fileKey = Uint8Array.from(key);
      return [];
    },
  });
  const empty = await encrypter.encrypt(new Uint8Array(0));
  if (fileKey === null || fileKey.length !== FILE_KEY_BYTES) throw new Error('seal: no file key');
  const headerEnd = empty.length - NONCE_BYTES - TAG_BYTES;
  return {
    header: empty.slice(0, headerEnd),
    nonce: empty.slice(headerEnd, headerEnd + NONCE_BYTES),
    fileKey,
  };
}

// For keeping the state in sessionStorage across a reload (never in
// localStorage, never sent): a string, and back.
export function exportSealState(state) {
  return JSON.stringify({
    header: base64.encode(state.header), nonce: base64.encode(state.nonce), fileKey: base64.encode(state.fileKey),
  });
}

export function importSealState(text) {
  const o = JSON.parse(text);
  const state = { header: base64.decode(o.header), nonce: base64.decode(o.nonce), fileKey: base64.decode(o.fileKey) };
  if (state.nonce.length !== NONCE_BYTES || state.fileKey.length !== FILE_KEY_BYTES) {
    throw new Error('seal: bad saved state');
  }
  return state;
}

export function wipeSealState(state) {
  state.fileKey.fill(0);
  state.nonce.fill(0);
}

// Chunks of a payload of `plaintextSize` bytes: at least one (an empty
// payload is one empty final chunk); only the last may be short.
export function chunkCount(plaintextSize) {
  return plaintextSize === 0 ? 1 : Math.ceil(plaintextSize / CHUNK_BYTES);
}

export function payloadSize(plaintextSize) {
  return plaintextSize + TAG_BYTES * chunkCount(plaintextSize);
}

// ChaCha20-Poly1305 nonce of chunk `index`: 11-byte big-endian counter,
// then 0x01 for the last chunk, 0x00 otherwise.
export function chunkNonce(index, last) {
  const nonce = new Uint8Array(12);
  let n = BigInt(index);
  for (let i = 10; i >= 0; --i, n >>= 8n) nonce[i] = Number(n & 0xffn);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

// Any range of the age file of `source` ({ size, read(start, end) →
// Promise<Uint8Array> }, e.g. item.js fileFrameSource) under `state`.
export class SeekableEncryptor {
  #state;
  #source;
  #streamKey;

  constructor(state, source) {
    this.#state = state;
    this.#source = source;
    this.#streamKey = hkdf(sha256, state.fileKey, state.nonce, new TextEncoder().encode('payload'), 32);
    this.prefixSize = state.header.length + NONCE_BYTES;
    this.chunks = chunkCount(source.size);
    this.size = this.prefixSize + payloadSize(source.size);
  }

  async #chunk(index) {
    const start = index * CHUNK_BYTES;
    const end = Math.min(start + CHUNK_BYTES, this.#source.size);
    const plaintext = await this.#source.read(start, end);
    const sealed = chacha20poly1305(this.#streamKey, chunkNonce(index, index === this.chunks - 1)).encrypt(plaintext);
    plaintext.fill(0);
    return sealed;
  }

  // Exactly bytes [start, end) of the age file.
  async range(start, end) {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end && end <= this.size)) {
      throw new RangeError('seal: range out of bounds');
    }
    const out = new Uint8Array(end - start);
    const put = (bytes, at) => {
      const from = Math.max(start, at);
      const to = Math.min(end, at + bytes.length);
      if (from < to) out.set(bytes.subarray(from - at, to - at), from - start);
    };
    put(this.#state.header, 0);
    put(this.#state.nonce, this.#state.header.length);
    const sealedChunk = CHUNK_BYTES + TAG_BYTES;
    if (end > this.prefixSize) {
      const first = Math.floor(Math.max(0, start - this.prefixSize) / sealedChunk);
      const last = Math.floor((end - 1 - this.prefixSize) / sealedChunk);
      for (let i = first; i <= last; ++i) put(await this.#chunk(i), this.prefixSize + i * sealedChunk);
    }
    return out;
  }

  wipe() {
    this.#streamKey.fill(0);
  }
}

// A source over bytes in memory (tests, small files).
export function bytesSource(bytes) {
  return { size: bytes.length, read: async (start, end) => bytes.slice(start, end) };
}
