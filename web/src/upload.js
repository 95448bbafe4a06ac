// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/upload.js: a file's resumable, end-to-end encrypted upload with
// tus-js-client (tus 1.0). The file is framed (item.js) and age-encrypted by
// the seekable encryptor (seal.js) as tus reads it, one PATCH at a time: the
// server only ever sees ciphertext, and after a dropped connection or a page
// reload the upload resumes by re-encrypting exactly the range the server
// is missing. What makes that possible is kept in the tab's sessionStorage
// only (sessionUrlStorage): the tus upload URL and the upload's seal state
// (age header, nonce, file key) and frame language, under a fingerprint
// that is a hash of the file's name, size and date, never the name itself.
// All of it is removed when the upload completes or wipeUploads() runs
// (logout). No tus metadata is sent: the file name is inside the frame.
import * as tus from 'tus-js-client';
import { sha256 } from '@noble/hashes/sha2.js';
import { fileFrameSource } from './item.js';
import { beginSeal, exportSealState, importSealState, SeekableEncryptor, wipeSealState } from './seal.js';
import { toHex } from './source_keys.js';

const PREFIX = 'safehouse-upload:';
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 10000, 20000, 30000, 30000, 60000];

// A tus urlStorage over a Web Storage object (sessionStorage by default),
// keys "safehouse-upload:<fingerprint>:tus:<n>".
export function sessionUrlStorage(storage = globalThis.sessionStorage) {
  const entries = (prefix) => {
    const found = [];
    for (let i = 0; i < storage.length; ++i) {
      const key = storage.key(i);
      if (!key.startsWith(prefix)) continue;
      try {
        found.push({ ...JSON.parse(storage.getItem(key)), urlStorageKey: key });
      } catch {
        // A damaged entry must not stop an upload: it is skipped.
      }
    }
    return found;
  };
  return {
    findAllUploads: async () => entries(PREFIX),
    findUploadsByFingerprint: async (fingerprint) => entries(`${PREFIX}${fingerprint}:tus:`),
    removeUpload: async (key) => storage.removeItem(key),
    addUpload: async (fingerprint, upload) => {
      const key = `${PREFIX}${fingerprint}:tus:${crypto.getRandomValues(new Uint32Array(1))[0]}`;
      storage.setItem(key, JSON.stringify(upload));
      return key;
    },
  };
}

// Stable across a reload of the same file; reveals neither name nor
// content. A resumed upload reuses the saved file key and nonce, which is
// safe only for the same plaintext: so besides name, size, date and type
// the fingerprint hashes the first and last MiB of the content, and a file
// that differs there starts a new upload with a new key. (Reading the whole
// file first would cost a second pass over gigabytes; a file changed only
// in its middle with name, size and date kept, in the same tab session, is
// the remaining case: docs/web-client.md.)
export const FINGERPRINT_SAMPLE_BYTES = 1024 * 1024;
export async function uploadFingerprint(file) {
  const meta = new TextEncoder().encode(
    JSON.stringify([file.name ?? '', file.size, file.lastModified ?? 0, file.type ?? '']));
  const head = new Uint8Array(await file.slice(0, FINGERPRINT_SAMPLE_BYTES).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - FINGERPRINT_SAMPLE_BYTES)).arrayBuffer());
  const hash = sha256.create().update(meta).update(head).update(tail).digest();
  return toHex(hash).slice(0, 32);
}

// Whether this tab holds an unfinished upload's state (after a reload the
// page asks for the same file again).
export function pendingUploads(storage = globalThis.sessionStorage) {
  for (let i = 0; i < storage.length; ++i) {
    if (storage.key(i).startsWith(PREFIX)) return true;
  }
  return false;
}

// Removes every upload's URL and seal state (logout, or after completion).
export function wipeUploads(storage = globalThis.sessionStorage) {
  const keys = [];
  for (let i = 0; i < storage.length; ++i) {
    if (storage.key(i).startsWith(PREFIX)) keys.push(storage.key(i));
  }
  for (const key of keys) storage.removeItem(key);
}

function removeFingerprint(storage, fingerprint) {
  const keys = [];
  for (let i = 0; i < storage.length; ++i) {
    if (storage.key(i).startsWith(`${PREFIX}${fingerprint}:`)) keys.push(storage.key(i));
  }
  for (const key of keys) storage.removeItem(key);
}

// The seal state and frame language of this file's upload: the saved ones
// after a reload (so the bytes are the same as before), or new ones.
async function sealFor(storage, fingerprint, recipients, language) {
  const key = `${PREFIX}${fingerprint}:seal`;
  const saved = storage.getItem(key);
  if (saved !== null) {
    const { state, language: savedLanguage } = JSON.parse(saved);
    return { state: importSealState(state), language: savedLanguage };
  }
  const state = await beginSeal(recipients);
  storage.setItem(key, JSON.stringify({ state: exportSealState(state), language }));
  return { state, language };
}

// Retry on network errors, 5xx, 409 (offset mismatch: tus asks the server
// for the offset again) and 423, as tus-js-client does by default, but
// without its navigator.onLine check: a browser with no other network than
// its Tor proxy (or a loopback-only test) may say it is offline when it is
// not, and a retry while really offline costs only a delay.
export function shouldRetry(error) {
  const status = error?.originalResponse ? error.originalResponse.getStatus() : 0;
  return !(status >= 400 && status < 500) || status === 409 || status === 423;
}

// tus-js-client's fileReader: the "file" tus reads is the age file.
function encryptedReader(encryptor) {
  return {
    openFile: async () => ({
      size: encryptor.size,
      slice: async (start, end) => {
        const stop = Math.min(end, encryptor.size);
        // tus-js-client reads a chunk's length from `size` (as a Blob has).
        const value = Object.assign(await encryptor.range(start, stop), { size: stop - start });
        return { value, done: stop >= encryptor.size };
      },
      close() {},
    }),
  };
}

// Starts (or resumes) the upload of `file` (a File/Blob with name, size,
// type) to the tus `endpoint`, encrypted to `recipients` (verified with
// recipientsFromSignedNote first). Options: language ('en'|'fa'), storage,
// chunkSize, retryDelays, headers (e.g. the CSRF token), onProgress(sent,
// total). Returns { upload (tus.Upload: abort() pauses, start() resumes),
// done (Promise of the upload URL) }.
export async function startUpload({
  endpoint, file, recipients, language, storage = globalThis.sessionStorage,
  chunkSize = DEFAULT_CHUNK_BYTES, retryDelays = DEFAULT_RETRY_DELAYS, headers = {}, onProgress,
}) {
  const fingerprint = await uploadFingerprint(file);
  const seal = await sealFor(storage, fingerprint, recipients, language);
  const encryptor = new SeekableEncryptor(seal.state, fileFrameSource(file, seal.language));
  const finish = () => {
    encryptor.wipe();
    wipeSealState(seal.state);
    removeFingerprint(storage, fingerprint);
  };
  let upload;
  const done = new Promise((resolve, reject) => {
    upload = new tus.Upload(file, {
      endpoint,
      chunkSize,
      retryDelays,
      headers,
      uploadSize: encryptor.size,
      fileReader: encryptedReader(encryptor),
      fingerprint: async () => fingerprint,
      urlStorage: sessionUrlStorage(storage),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onShouldRetry: (error) => shouldRetry(error),
      onProgress: (sent, total) => onProgress?.(sent, total),
      onSuccess: () => {
        const url = upload.url;
        finish();
        resolve(url);
      },
      onError: (error) => reject(error),
    });
  });
  const previous = await upload.findPreviousUploads();
  if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
  upload.start();
  return { upload, done, encryptedSize: encryptor.size };
}
