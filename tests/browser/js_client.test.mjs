// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/js_client.test.mjs: the JavaScript page (/{lang}/app)
// against the real `safehouse serve` in Debian's Chromium with JavaScript ON,
// in English and Persian: first contact with a message and a 30 MB file
// (codename made and keys derived in the browser, recipient set checked
// against the log key, the file encrypted in the browser and sent with tus
// through a proxy that cuts the connection every few MB; one pause/resume in
// English, one page reload in Persian after which the source signs in, picks
// the same file again and the same tus upload continues), the reviewer CLI
// reading it and replying, return with the codename (sign-in by signing a
// challenge), the reply decrypted in the browser, a follow-up. Then the same
// journeys with JavaScript OFF (the no-JS pages, a 30 MB file in the form's
// file field). Every file decrypts with the stock `age -d` (the demo
// reviewer's identity; directory blob engine) to the original bytes.
// Asserts dir="rtl", Persian digits (the progress figure too), the page's
// policy, that no request leaves 127.0.0.1, and that no marker typed or put
// inside a file ever reaches the data directory, the database or the
// server's output. Screenshots of the Persian pages go to
// SAFEHOUSE_BROWSER_OUT. Run by run.sh inside a loopback-only network
// namespace.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openSession } from './lib/browser.mjs';
import { persianDigits, t, wordlist } from './lib/catalog.mjs';
import { initInstallation, runCli, startServer } from './lib/server.mjs';

const bin = process.env.SAFEHOUSE_BIN;
const outDir = process.env.SAFEHOUSE_BROWSER_OUT ?? os.tmpdir();
assert.ok(bin && fs.existsSync(bin), 'SAFEHOUSE_BIN must name the built safehouse binary');
fs.mkdirSync(outDir, { recursive: true });

const kScriptCsp =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
  "font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// Argon2id in pure JavaScript under a sanitizer-built server on a loaded
// machine: generous, only so a hang ends the run.
const kActionTimeout = 180_000;

// The journeys' files: 30 MB (issue 12), each with a plaintext marker at
// its start, in its middle and at its end.
const kFileBytes = 30 * 1000 * 1000;
// The proxy in front of the JavaScript pages cuts the connection carrying
// the client's bytes each time their total crosses a multiple of this.
const kCutEvery = 7 * 1024 * 1024 + 4321;

let work;
let dataDir;
let server;
let proxy;
let stopped = null;
const allRequests = [];
// Every marker typed into the page; none may reach the server in clear.
const markers = [];
const sources = {};
// { label, path, bytes }: every file sent; each must come back from age -d.
const files = [];

// A relay 127.0.0.1:port → the server that cuts (both sides of) the
// connection on which the client's bytes, counted over all connections,
// cross each multiple of `cutEvery`: a circuit that drops mid-PATCH.
function cuttingProxy(upstreamPort, cutEvery) {
  let total = 0;
  const state = { cuts: 0, origin: null, sockets: new Set() };
  const listener = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    state.sockets.add(client);
    state.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      state.sockets.delete(client);
      state.sockets.delete(upstream);
    };
    client.on('data', (data) => {
      const before = Math.floor(total / cutEvery);
      total += data.length;
      if (Math.floor(total / cutEvery) > before) {
        upstream.write(data.subarray(0, data.length - (total % cutEvery)));
        state.cuts += 1;
        drop();
        return;
      }
      upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  return new Promise((resolve) => {
    listener.listen(0, '127.0.0.1', () => {
      state.origin = `http://127.0.0.1:${listener.address().port}`;
      state.close = () => {
        for (const socket of state.sockets) socket.destroy();
        return new Promise((done) => listener.close(done));
      };
      resolve(state);
    });
  });
}

// The directory blob engine, whose blob files the stock age CLI reads.
function useDirectoryBlobs(dir) {
  const config = path.join(dir, 'config.toml');
  const text = fs.readFileSync(config, 'utf8');
  const changed = text.replace(/^blobs = ['"]\w*['"]$/m, 'blobs = "directory"');
  assert.notEqual(changed, text, 'config.toml has no blobs line');
  fs.writeFileSync(config, changed);
  for (const name of ['pack', 'index']) fs.rmSync(path.join(dir, 'blobs', name));
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-jsclient-'));
  dataDir = path.join(work, 'data');
  initInstallation(bin, dataDir);
  useDirectoryBlobs(dataDir);
  server = await startServer(bin, dataDir);
  proxy = await cuttingProxy(Number(new URL(server.origin).port), kCutEvery);
});

after(async () => {
  if (proxy) await proxy.close();
  if (server && stopped === null) await server.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// A file of kFileBytes random bytes with a marker at its start, middle and
// end, written under `work` (a path keeps its date across two picks, which
// the upload's fingerprint needs after a reload).
function journeyFile(label, name) {
  const text = marker(`file-${label}`);
  const bytes = crypto.randomBytes(kFileBytes);
  for (const at of [0, kFileBytes / 2, kFileBytes - text.length]) bytes.write(text, at, 'latin1');
  const dir = fs.mkdtempSync(path.join(work, 'file-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  files.push({ label, path: file, bytes });
  return file;
}

function marker(label) {
  const text = `JSMARK-${label}-${crypto.randomUUID()}`;
  markers.push(text);
  return text;
}

function caseIds() {
  const list = runCli(bin, ['review', 'list', '--data', dataDir]);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.split('\n').filter((l) => l.trim() !== '');
  return rows.slice(1).map((row) => row.trim().split(/\s+/)[0]);
}

function reviewRead(caseId) {
  const identity = path.join(dataDir, 'demo-reviewer.key');
  const saved = fs.mkdtempSync(path.join(work, 'read-'));
  const read = runCli(bin, ['review', 'read', '--data', dataDir, '-i', identity, '--out', saved, caseId]);
  assert.equal(read.code, 0, read.stderr);
  return read.stdout;
}

async function openApp(lang, origin = proxy.origin) {
  const session = await openSession({ origin, javaScript: true });
  session.context.on('request', (request) => allRequests.push(request.url()));
  const errors = [];
  session.page.on('pageerror', (error) => errors.push(String(error)));
  const response = await session.page.goto(`/${lang}/app`);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.equal(headers['content-security-policy'], kScriptCsp);
  assert.equal(await session.page.getAttribute('html', 'lang'), lang);
  assert.equal(await session.page.getAttribute('html', 'dir'), lang === 'fa' ? 'rtl' : 'ltr');
  await session.page.waitForSelector('#safehouse-app[data-ready="true"]', { timeout: kActionTimeout });
  return { ...session, errors };
}

async function waitForStatus(page, name) {
  await page.waitForFunction(
    (expected) => {
      const status = document.getElementById('app-status');
      return status.dataset.message === expected ||
        ['failed', 'bad-recipients', 'not-recognised', 'too-many', 'upload-failed'].includes(status.dataset.message);
    },
    name,
    { timeout: kActionTimeout },
  );
  const got = await page.getAttribute('#app-status', 'data-message');
  assert.equal(got, name, `status ${got}: ${await page.textContent('#app-status')}`);
}

async function uploadPercent(page) {
  return Number((await page.getAttribute('#app-progress-figure', 'data-percent')) ?? 0);
}

// Waits until the file being sent has reached `percent`.
async function waitForPercent(page, percent) {
  await page.waitForFunction(
    (p) => !document.getElementById('app-upload').hidden &&
      Number(document.getElementById('app-progress-figure').dataset.percent ?? 0) >= p,
    percent,
    { timeout: kActionTimeout },
  );
}

// The progress figure is in the page's digits: Persian ones on fa.
async function assertProgressFigure(page, lang) {
  const figure = (await page.textContent('#app-progress-figure')).trim();
  if (lang === 'fa') {
    assert.match(figure, /^[۰-۹]+٪ /, `progress figure ${figure}`);
    assert.doesNotMatch(figure, /[0-9]/, `ASCII digits in ${figure}`);
  } else {
    assert.match(figure, /^\d+% sent \(\d+\.\d of \d+\.\d MB\)$/, `progress figure ${figure}`);
  }
}

// tus creations (POST /api/v1/uploads/) among `requests`.
function creations(requests) {
  return requests.filter((r) => r.method === 'POST' && /\/api\/v1\/uploads\/?$/.test(new URL(r.url).pathname));
}

for (const lang of ['en', 'fa']) {
  test(`first contact with JavaScript (${lang}): codename made in the browser, message and a 30 MB file encrypted there`, async () => {
    const session = await openApp(lang);
    const { page } = session;
    const tusRequests = [];
    session.context.on('request', (r) => tusRequests.push({ method: r.method(), url: r.url() }));
    try {
      const before = new Set(caseIds());
      await page.click('#app-new');
      const words = (await page.textContent('#codename')).trim().split(/\s+/);
      assert.equal(words.length, 9);
      const list = new Set(wordlist(lang));
      for (const word of words) assert.ok(list.has(word), `not a ${lang} list word: ${word}`);
      if (lang === 'fa') await page.screenshot({ path: path.join(outDir, 'js-fa-first-contact.png'), fullPage: true });
      const message = marker(`first-${lang}`);
      const unit = marker(`unit-${lang}`);
      const file = journeyFile(`js-${lang}`, lang === 'fa' ? 'فیلم.mp4' : 'video.mp4');
      await page.fill('#app-message', message);
      await page.selectOption('#app-claim-branch', 'police');
      await page.fill('#app-claim-unit', unit);
      await page.setInputFiles('#app-file', file);
      await page.click('#app-send-first');
      const cutsBefore = proxy.cuts;
      if (lang === 'en') {
        // Pause: nothing more is sent until Resume.
        await waitForPercent(page, 20);
        await assertProgressFigure(page, lang);
        await page.click('#app-pause');
        await waitForStatus(page, 'paused');
        assert.ok(await page.isVisible('#app-resume'));
        await page.waitForTimeout(1500);
        const held = await page.$eval('#app-progress', (e) => e.value);
        await page.waitForTimeout(2000);
        assert.equal(await page.$eval('#app-progress', (e) => e.value), held, 'bytes sent while paused');
        await page.click('#app-resume');
        await waitForStatus(page, 'sent');
      } else {
        // A reload mid-way: the File is gone with the page, the upload's
        // state is not. The page says so; the source signs in and picks
        // the same file again, and the same tus upload continues.
        await waitForPercent(page, 40);
        await assertProgressFigure(page, lang);
        await page.screenshot({ path: path.join(outDir, 'js-fa-upload.png'), fullPage: true });
        const sentBefore = await uploadPercent(page);
        await page.reload();
        await page.waitForSelector('#safehouse-app[data-ready="true"]', { timeout: kActionTimeout });
        assert.ok(await page.isVisible('#app-resume-notice'), 'no word about the interrupted upload');
        assert.equal((await page.textContent('#app-resume-notice')).trim(), t(lang,
          'A file was not completely sent. Sign in with your codename and choose the same file again: ' +
          'sending continues where it stopped. After the page is reloaded your browser cannot keep the file for you.'));
        await page.screenshot({ path: path.join(outDir, 'js-fa-reloaded.png'), fullPage: true });
        await page.click('#app-return');
        await page.fill('#app-codename', words.join(' '));
        await page.click('#app-sign-in');
        await page.waitForSelector('#app-inbox:not([hidden])', { timeout: kActionTimeout });
        await page.setInputFiles('#app-more-file', file);
        await page.click('#app-send-more');
        await waitForPercent(page, 1);
        // tus asked the server where the upload stood and went on from there.
        assert.ok(await uploadPercent(page) >= sentBefore - 5, 'the upload started again from the beginning');
        await waitForStatus(page, 'sent');
        assert.ok(!(await page.isVisible('#app-resume-notice')));
      }
      assert.equal(creations(tusRequests).length, 1, 'one tus upload for the file, resumed, never begun again');
      assert.ok(proxy.cuts > cutsBefore, 'the proxy never cut the upload');
      assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'upload state left in sessionStorage');
      assert.equal((await page.textContent('#app-status')).trim(), t(lang, 'We received what you sent. Thank you.'));
      assert.ok(await page.isVisible('#app-inbox'));
      assert.equal((await page.textContent('#codename')).trim(), '', 'the codename is not shown again');
      if (lang === 'fa') await page.screenshot({ path: path.join(outDir, 'js-fa-sent.png'), fullPage: true });
      const added = caseIds().filter((id) => !before.has(id));
      assert.equal(added.length, 1, 'one new case');
      sources[lang] = { codename: words.join(' '), caseId: added[0], message, unit };
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test(`the reviewer CLI reads the browser's message and replies (${lang})`, async () => {
    const source = sources[lang];
    assert.ok(source, 'needs the first-contact test');
    const read = reviewRead(source.caseId);
    assert.ok(read.includes(source.message), `the message did not arrive intact:\n${read}`);
    assert.ok(read.includes(source.unit), 'the claim did not arrive');
    assert.ok(read.includes('police'));
    source.reply = `Reply ${lang} ${crypto.randomUUID()}`;
    const reply = runCli(bin, ['review', 'reply', '--data', dataDir, source.caseId], { input: source.reply });
    assert.equal(reply.code, 0, reply.stderr);
  });

  test(`return with the codename (${lang}): sign-in by signature, reply decrypted in the browser, follow-up`, async () => {
    const source = sources[lang];
    assert.ok(source?.reply, 'needs the reply test');
    const session = await openApp(lang);
    const { page } = session;
    try {
      // A wrong codename is refused with the generic message.
      await page.click('#app-return');
      await page.fill('#app-codename', 'these are not the words');
      await page.click('#app-sign-in');
      await waitForStatus(page, 'not-recognised');
      // In the other language's words: a codename is its indices.
      const other = lang === 'en' ? 'fa' : 'en';
      const indices = source.codename.split(' ').map((w) => wordlist(lang).indexOf(w));
      const typed = indices.map((i) => wordlist(other)[i]).join(' ');
      await page.fill('#app-codename', typed);
      await page.click('#app-sign-in');
      await page.waitForSelector('#app-inbox:not([hidden])', { timeout: kActionTimeout });
      await page.waitForSelector('.reply-text', { timeout: kActionTimeout });
      assert.equal((await page.textContent('.reply-text')).trim(), source.reply);
      const day = (await page.textContent('.reply-day')).trim();
      const today = new Date().toISOString().slice(0, 10);
      assert.equal(day, lang === 'fa' ? persianDigits(today) : today);
      if (lang === 'fa') {
        assert.match(day, /^[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}$/);
        await page.screenshot({ path: path.join(outDir, 'js-fa-inbox.png'), fullPage: true });
      }
      const followUp = marker(`follow-${lang}`);
      await page.fill('#app-follow-up', followUp);
      await page.click('#app-send-more');
      await waitForStatus(page, 'sent');
      assert.ok(reviewRead(source.caseId).includes(followUp), 'the follow-up did not arrive intact');
      await page.click('#app-sign-out');
      await page.waitForSelector('#app-start:not([hidden])', { timeout: kActionTimeout });
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });
}

// --- JavaScript off: the no-JS pages, the form's file field -----------------

// Submits the form `formSelector` and waits for the POST's answer and the
// page it leads to. Returns the POST's response.
async function submit(page, formSelector) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST', { timeout: kActionTimeout }),
    page.click(`${formSelector} button[type=submit]`),
  ]);
  await page.waitForLoadState('load');
  return response;
}

function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

for (const lang of ['en', 'fa']) {
  test(`JavaScript off (${lang}): first contact with a 30 MB file, a reply, return with the codename, follow-up`, async () => {
    const session = await openSession({ origin: server.origin, locale: lang === 'fa' ? 'fa-IR' : 'en-US' });
    session.context.on('request', (request) => allRequests.push(request.url()));
    const { page } = session;
    try {
      const before = new Set(caseIds());
      const first = await page.goto(`/${lang}/first-contact`);
      assert.equal(first.status(), 200);
      assert.equal(await page.getAttribute('html', 'dir'), lang === 'fa' ? 'rtl' : 'ltr');
      assert.equal(await page.locator('script').count(), 0);
      const codename = (await page.textContent('#codename')).trim();
      assert.equal(codename.split(/\s+/).length, 9);
      const message = marker(`nojs-first-${lang}`);
      await page.fill('#message', message);
      await page.setInputFiles('#files', journeyFile(`nojs-${lang}`, lang === 'fa' ? 'ویدیو.mp4' : 'video.mp4'));
      if (lang === 'fa') await page.screenshot({ path: path.join(outDir, 'nojs-fa-first-contact.png'), fullPage: true });
      const posted = await submit(page, `form[action="/${lang}/first-contact"]`);
      assert.equal(posted.status(), 303);
      assert.equal(pathOf(page), `/${lang}/inbox?sent=1`);
      assert.equal((await page.textContent('.notice')).trim(), t(lang, 'We received what you sent. Thank you.'));
      const added = caseIds().filter((id) => !before.has(id));
      assert.equal(added.length, 1, 'one new case');
      assert.ok(reviewRead(added[0]).includes(message), 'the message did not arrive intact');
      const replyText = `No-JS reply ${lang} ${crypto.randomUUID()}`;
      const reply = runCli(bin, ['review', 'reply', '--data', dataDir, added[0]], { input: replyText });
      assert.equal(reply.code, 0, reply.stderr);
      await submit(page, `form[action="/${lang}/logout"]`);

      // Back with the codename: the reply, then a follow-up.
      await page.goto(`/${lang}/login`);
      await page.fill('#codename', codename);
      assert.equal((await submit(page, `form[action="/${lang}/login"]`)).status(), 303);
      assert.equal(pathOf(page), `/${lang}/inbox`);
      assert.equal((await page.textContent('.reply-text')).trim(), replyText);
      const day = (await page.textContent('.reply-day')).trim();
      const today = new Date().toISOString().slice(0, 10);
      assert.equal(day, lang === 'fa' ? persianDigits(today) : today);
      if (lang === 'fa') await page.screenshot({ path: path.join(outDir, 'nojs-fa-inbox.png'), fullPage: true });
      const followUp = marker(`nojs-follow-${lang}`);
      await page.fill('#message', followUp);
      assert.equal((await submit(page, `form[action="/${lang}/inbox"]`)).status(), 303);
      assert.equal(pathOf(page), `/${lang}/inbox?sent=1`);
      assert.ok(reviewRead(added[0]).includes(followUp), 'the follow-up did not arrive intact');
      await submit(page, `form[action="/${lang}/logout"]`);
    } finally {
      await session.close();
    }
  });
}

// An item frame (docs/formats.md): [u32 header length][JSON header]
// [content][padding][u64 content length].
function parseFrame(frame) {
  const headerLength = frame.readUInt32BE(0);
  const header = JSON.parse(frame.subarray(4, 4 + headerLength).toString('utf8'));
  const contentLength = Number(frame.readBigUInt64BE(frame.length - 8));
  return { header, content: frame.subarray(4 + headerLength, 4 + headerLength + contentLength) };
}

test('every file decrypts with the stock age -d to the original bytes', () => {
  assert.equal(files.length, 4, 'needs the four journeys above');
  const identity = path.join(dataDir, 'demo-reviewer.key');
  const blobs = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^[0-9a-f]+$/.test(entry.name) && fs.statSync(full).size > kFileBytes) blobs.push(full);
    }
  };
  walk(path.join(dataDir, 'blobs'));
  assert.ok(blobs.length >= files.length, `${blobs.length} large blob files`);
  const opened = blobs.map((blob) => {
    const age = spawnSync('age', ['-d', '-i', identity, blob], { maxBuffer: 256 << 20 });
    assert.equal(age.status, 0, `age -d ${blob}: ${age.stderr}`);
    return parseFrame(age.stdout);
  });
  for (const file of files) {
    const match = opened.filter(({ content }) => content.equals(file.bytes));
    assert.equal(match.length, 1, `${file.label}: no blob decrypts with age -d to the original`);
    assert.equal(match[0].header.file_name, path.basename(file.path), `${file.label}: file name`);
  }
});

test('nothing left 127.0.0.1, and no marker reached the server in clear', async () => {
  assert.ok(allRequests.length > 0);
  for (const url of allRequests) {
    assert.ok(url.startsWith(`${server.origin}/`) || url.startsWith(`${proxy.origin}/`), `request elsewhere: ${url}`);
  }
  assert.ok(allRequests.some((url) => url.endsWith('/static/source.js')));
  assert.ok(markers.length >= 14, 'needs the journeys above');
  stopped = await server.stop();
  assert.equal(stopped.sanitizerReport, false, stopped.stderr);
  const texts = [stopped.stderr];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) texts.push(fs.readFileSync(full).toString('latin1'));
    }
  };
  walk(dataDir);
  for (const text of markers) {
    for (const haystack of texts) assert.ok(!haystack.includes(text), `marker ${text} found at rest or in logs`);
  }
});
