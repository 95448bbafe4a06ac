// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/integration/tus_resume_client.mjs: the browser client's resumable
// upload (web/src/upload.js: tus-js-client over the seekable age
// encryptor) in Node, against the real server's tus endpoint, for
// tus_resume_test.py. Environment: TUS_ENDPOINT (through the cutting proxy),
// TUS_COOKIE (a signed-in source's "safehouse_session=..."), TUS_RECIPIENTS
// (comma-separated age1...), TUS_FILE (the plaintext file), TUS_MODE
// ("cut": one Upload object, retries across the cuts; "reload": an Upload
// aborted after TUS_RELOAD_AT bytes, then a fresh Upload object built from
// the session storage only, as after a page reload). Prints one JSON line:
// {"url", "encryptedSize", "resumed"}.
import { File } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { startUpload } from '../../web/src/upload.js';

class MemoryStorage {
  #map = new Map();
  get length() { return this.#map.size; }
  key(i) { return [...this.#map.keys()][i] ?? null; }
  getItem(k) { return this.#map.has(k) ? this.#map.get(k) : null; }
  setItem(k, v) { this.#map.set(k, String(v)); }
  removeItem(k) { this.#map.delete(k); }
}

const endpoint = process.env.TUS_ENDPOINT;
const headers = { Cookie: process.env.TUS_COOKIE };
const recipients = process.env.TUS_RECIPIENTS.split(',');
const mode = process.env.TUS_MODE ?? 'cut';
const reloadAt = Number(process.env.TUS_RELOAD_AT ?? 5 * 1024 * 1024);
const content = readFileSync(process.env.TUS_FILE);
const file = new File([content], 'clip.mp4', { type: 'video/mp4', lastModified: 1700000000000 });
const storage = new MemoryStorage();
const options = {
  endpoint, file, recipients, language: 'fa', storage, headers,
  chunkSize: 1024 * 1024, retryDelays: Array(200).fill(50),
};

let resumed = false;
if (mode === 'reload') {
  let first;
  let aborted = false;
  first = await startUpload({
    ...options,
    retryDelays: [],
    onProgress: (sent) => {
      if (sent >= reloadAt && !aborted) {
        aborted = true;
        first.upload.abort();
      }
    },
  });
  first.done.catch(() => {});
  // Wait until the first page has sent enough, or failed at a cut.
  await new Promise((resolve) => {
    const poll = setInterval(() => {
      if (aborted) { clearInterval(poll); resolve(); }
    }, 20);
    first.done.then(() => { clearInterval(poll); resolve(); }, () => { clearInterval(poll); resolve(); });
  });
  await first.upload.abort();
  // The page is gone; only sessionStorage survives.
  resumed = storage.length > 0;
}
const upload = await startUpload(options);
const url = await upload.done;
if (storage.length !== 0) throw new Error('upload state left in session storage');
console.log(JSON.stringify({ url, encryptedSize: upload.encryptedSize, resumed }));
