// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/js_client.test.mjs: the JavaScript page (/{lang}/app)
// against the real `safehouse serve` in Debian's Chromium with JavaScript ON,
// in English and Persian: first contact with a message (codename made and
// keys derived in the browser, recipient set checked against the log key),
// the reviewer CLI reading it and replying, return with the codename (sign-in
// by signing a challenge), the reply decrypted in the browser, a follow-up.
// Asserts dir="rtl", Persian digits, the page's policy, that no request
// leaves 127.0.0.1, and that no message marker ever reaches the data
// directory, the database or the server's output: the server never had the
// plaintext. Screenshots of the Persian pages go to SAFEHOUSE_BROWSER_OUT.
// Run by run.sh inside a loopback-only network namespace.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
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

let work;
let dataDir;
let server;
let stopped = null;
const allRequests = [];
// Every marker typed into the page; none may reach the server in clear.
const markers = [];
const sources = {};

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-jsclient-'));
  dataDir = path.join(work, 'data');
  initInstallation(bin, dataDir);
  server = await startServer(bin, dataDir);
});

after(async () => {
  if (server && stopped === null) await server.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

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

async function openApp(lang) {
  const session = await openSession({ origin: server.origin, javaScript: true });
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
        ['failed', 'bad-recipients', 'not-recognised', 'too-many'].includes(status.dataset.message);
    },
    name,
    { timeout: kActionTimeout },
  );
  const got = await page.getAttribute('#app-status', 'data-message');
  assert.equal(got, name, `status ${got}: ${await page.textContent('#app-status')}`);
}

for (const lang of ['en', 'fa']) {
  test(`first contact with JavaScript (${lang}): codename made in the browser, message encrypted there`, async () => {
    const session = await openApp(lang);
    const { page } = session;
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
      await page.fill('#app-message', message);
      await page.selectOption('#app-claim-branch', 'police');
      await page.fill('#app-claim-unit', unit);
      await page.click('#app-send-first');
      await waitForStatus(page, 'sent');
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

test('nothing left 127.0.0.1, and no marker reached the server in clear', async () => {
  assert.ok(allRequests.length > 0);
  for (const url of allRequests) assert.ok(url.startsWith(`${server.origin}/`), `request elsewhere: ${url}`);
  assert.ok(allRequests.some((url) => url.endsWith('/static/source.js')));
  assert.ok(markers.length >= 6, 'needs the journeys above');
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
