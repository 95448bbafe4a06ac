// SPDX-License-Identifier: AGPL-3.0-or-later
// web/bench/chromium_encrypt.mjs: how long the browser client takes in
// Debian's Chromium (reported, not asserted): deriving the source keys from
// a codename (Argon2id, 32 MiB) and framing + age-encrypting a file of
// SIZE_MB (default 100) through the seekable encryptor in 1 MiB ranges, as
// an upload reads it. Runs the bundle (dist/source.js, `npm run build`
// first) in a page from 127.0.0.1 (a secure context: typage needs
// crypto.subtle, which about:blank and plain-HTTP origins other than
// localhost and .onion lack), no other network; uses playwright-core from
// tests/browser (npm ci there). Usage: node bench/chromium_encrypt.mjs [SIZE_MB]
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const bundle = readFileSync(new URL('../dist/source.js', import.meta.url), 'utf8');
const sizeMb = Number(process.argv[2] ?? 100);

// The page and the bundle, from 127.0.0.1 only (port 0).
const server = createServer((req, res) => {
  if (req.url === '/source.js') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
  return res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': "default-src 'none'; script-src 'self'" })
    .end('<!doctype html><script src="/source.js"></script>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const profile = mkdtempSync(join(tmpdir(), 'safehouse-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
});
const requests = [];
context.on('request', (r) => requests.push(r.url()));
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  const result = await page.evaluate(async (mb) => {
    const C = globalThis.SafehouseClient;
    const version = navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0];
    let t = performance.now();
    const keys = await C.deriveSourceKeys(C.Codename.generate());
    const deriveMs = performance.now() - t;
    const parts = [];
    for (let i = 0; i < mb; ++i) {
      const part = new Uint8Array(1 << 20);
      for (let at = 0; at < part.length; at += 65536) crypto.getRandomValues(part.subarray(at, at + 65536));
      parts.push(part);
    }
    const file = new File(parts, 'video.mp4', { type: 'video/mp4' });
    t = performance.now();
    const encryptor = new C.SeekableEncryptor(await C.beginSeal([keys.replyRecipient]), C.fileFrameSource(file, 'fa'));
    let sum = 0;
    for (let at = 0; at < encryptor.size; at += 1 << 20) {
      const range = await encryptor.range(at, Math.min(at + (1 << 20), encryptor.size));
      sum = (sum + range[range.length - 1]) & 0xff;
    }
    const encryptMs = performance.now() - t;
    return { version, deriveMs, encryptMs, size: encryptor.size, sum };
  }, sizeMb);
  const mbPerS = (result.size / 1e6) / (result.encryptMs / 1000);
  console.log(`chromium ${result.version}: derive source keys ${result.deriveMs.toFixed(0)} ms; ` +
    `frame+encrypt ${sizeMb} MiB file (${result.size} B age file) ${result.encryptMs.toFixed(0)} ms = ${mbPerS.toFixed(1)} MB/s; ` +
    `requests: ${requests.length}, all to ${origin}`);
  if (requests.some((url) => !url.startsWith(`${origin}/`))) process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}
