// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test_browser/chromium.test.mjs: the bundle in Debian's Chromium,
// served from 127.0.0.1 under `default-src 'none'; script-src 'self'`: a
// codename is generated and read back, keys derived, the signed recipient
// set verified (and a forged one refused), a message sealed, and a 3 MiB
// file uploaded with tus through a server that cuts every 512 KiB; midway
// the page is RELOADED, the same file is chosen again, and the upload
// resumes from sessionStorage. What arrived decrypts with the stock age CLI
// to the file's frame; no request leaves the origin; nothing of the upload
// is left in sessionStorage. Run by tests/web_client/run_chromium.sh
// (loopback-only network namespace); needs tests/browser's playwright-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64 } from '@scure/base';
import { decodeFrame } from '../src/item.js';
import { noteKeyId } from '../src/signed_note.js';
import { storedBytes, tusServer } from '../test/lib/tus_server.mjs';

const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const dir = mkdtempSync(join(tmpdir(), 'safehouse-web-chromium-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function signedNote(text, name, seed) {
  const pub = ed25519.getPublicKey(seed);
  const id = noteKeyId(name, 1, pub);
  const idBytes = Uint8Array.of(id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255);
  const sig = ed25519.sign(new TextEncoder().encode(text), seed);
  return {
    vkey: `${name}+${id.toString(16).padStart(8, '0')}+${base64.encode(Uint8Array.of(1, ...pub))}`,
    note: `${text}\n— ${name} ${base64.encode(Uint8Array.of(...idBytes, ...sig))}\n`,
  };
}

// The same 3 MiB in Node and in the page (the CSP forbids eval, so the
// page's copy of this generator is written out in each evaluate): a fixed LCG.
const FILE_SIZE = 3 * 1024 * 1024 + 4321;
const makeBytes = (size) => {
  const b = new Uint8Array(size);
  let x = 7;
  for (let i = 0; i < size; ++i) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
};

test('the client in Chromium: keys, signed recipients, sealing, an upload resumed after a reload', { timeout: 300000 }, async () => {
  const key = join(dir, 'reviewer.key');
  execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
  const recipient = readFileSync(key, 'utf8').match(/age1\S+/)[0];
  const org = signedNote(`safehouse/recipients/v1\n${recipient}\n`, 'example-org', new Uint8Array(32).fill(3));
  const forged = signedNote(`safehouse/recipients/v1\n${recipient}\n`, 'example-org', new Uint8Array(32).fill(4));

  execFileSync(process.execPath, [new URL('../build.mjs', import.meta.url).pathname, dir]);
  const bundle = readFileSync(join(dir, 'source.js'));
  const page = (req, res) => {
    if (req.url === '/source.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
      return true;
    }
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'" })
        .end('<!doctype html><html lang="fa" dir="rtl"><script src="/source.js"></script></html>');
      return true;
    }
    return false;
  };
  const tus = await tusServer({ cutEvery: 512 * 1024, serve: page });
  const origin = `http://127.0.0.1:${tus.server.address().port}`;
  const profile = mkdtempSync(join(dir, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const errors = [];
  try {
    const tab = context.pages()[0] ?? (await context.newPage());
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`${origin}/`);

    const first = await tab.evaluate(async ({ org, forged, size }) => {
      const C = globalThis.SafehouseClient;
      const codename = C.Codename.generate();
      const fa = codename.render('fa');
      const again = C.Codename.parse(fa.replaceAll('ی', 'ي'));
      const keys = await C.deriveSourceKeys(again);
      const recipients = C.recipientsFromSignedNote(org.note, org.vkey);
      let refused = '';
      try { C.recipientsFromSignedNote(forged.note, org.vkey); } catch (e) { refused = e.code; }
      const message = await C.sealBytes(recipients, C.messageFrame('پیام آزمایشی', 'fa'));
      const bytes = new Uint8Array(size);
      let x = 7;
      for (let i = 0; i < size; ++i) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
      const file = new File([bytes], 'فیلم.mp4', { type: 'video/mp4', lastModified: 1700000000000 });
      // Start the upload and stop it (the page goes away) after 1 MiB.
      await new Promise((resolve, reject) => {
        C.startUpload({ endpoint: '/files/', file, recipients, language: 'fa', chunkSize: 256 * 1024,
          retryDelays: Array(50).fill(0),
          onProgress: (sent) => { if (sent > 1024 * 1024) resolve(); } })
          .then(({ done }) => done.catch(reject), reject);
      });
      let evalRefused = false;
      try { (0, eval)('1'); } catch { evalRefused = true; }
      return { evalRefused, online: navigator.onLine, words: fa.split(' ').length, same: codename.equals(again), sourceId: keys.sourceIdHex, recipients, refused,
        message: Array.from(message), stored: Object.keys(sessionStorage).length };
    }, { org, forged, size: FILE_SIZE }).catch((e) => { throw new Error(`${e.message}\n${errors.join('\n')}`); });
    assert.ok(first.evalRefused, 'the CSP is in force: eval is refused');
    assert.equal(first.words, 9);
    assert.ok(first.same);
    assert.match(first.sourceId, /^[0-9a-f]{64}$/);
    assert.deepEqual(first.recipients, [recipient]);
    assert.equal(first.refused, 'no_match');
    assert.ok(first.stored >= 2, 'seal state and tus URL are in sessionStorage');
    const messagePath = join(dir, 'message.age');
    writeFileSync(messagePath, Uint8Array.from(first.message));
    const message = decodeFrame(new Uint8Array(execFileSync('age', ['-d', '-i', key, messagePath])));
    assert.equal(new TextDecoder().decode(message.content), 'پیام آزمایشی');

    await tab.reload();
    const url = await tab.evaluate(async ({ org, size }) => {
      const C = globalThis.SafehouseClient;
      const recipients = C.recipientsFromSignedNote(org.note, org.vkey);
      const bytes = new Uint8Array(size);
      let x = 7;
      for (let i = 0; i < size; ++i) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
      const file = new File([bytes], 'فیلم.mp4', { type: 'video/mp4', lastModified: 1700000000000 });
      const { done } = await C.startUpload({ endpoint: '/files/', file, recipients, language: 'en', chunkSize: 256 * 1024,
        retryDelays: Array(50).fill(0) });
      const url = await done;
      return { url, left: Object.keys(sessionStorage).length };
    }, { org, size: FILE_SIZE });
    assert.equal(url.left, 0, 'nothing of the upload is left in sessionStorage');
    assert.equal(tus.uploads.size, 1, 'the reload resumed the upload, it did not start another');
    assert.ok(tus.stats.cuts >= 3, `cuts: ${tus.stats.cuts}`);
    const agePath = join(dir, 'file.age');
    writeFileSync(agePath, storedBytes(tus, url.url));
    const frame = decodeFrame(new Uint8Array(execFileSync('age', ['-d', '-i', key, agePath], { maxBuffer: 1 << 26 })));
    assert.equal(frame.header.fileName, 'فیلم.mp4');
    assert.equal(frame.header.language, 'fa', 'the frame keeps the language of the first page');
    assert.deepEqual(frame.content, makeBytes(FILE_SIZE));
    assert.deepEqual(errors, []);
    for (const r of requests) assert.ok(r.startsWith(`${origin}/`), r);
  } finally {
    await context.close();
    tus.server.close();
  }
});
