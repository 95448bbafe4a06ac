// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/staff_workspace.test.mjs: the reviewers' workspace through
// the real `safehouse serve` in Debian's Chromium (issue 10): three
// reviewers are added with `safehouse reviewer add` and enrol from their
// one-time links (TOTP codes computed here); a source sends a first contact
// with the no-JavaScript form; alice (English) signs in, decrypts the
// message and its claims in the browser, replies (encrypted in the
// browser), grades the case and takes it to verifying; bob (Persian)
// records the decisive check (corroborated) and then tries to approve
// verified himself — refused by the server; alice approves verified (1 of
// 2), carol (Persian) gives the second approval and the case is verified.
// The source reads the reply in its inbox. No request leaves 127.0.0.1;
// screenshots of the Persian pages are kept. Run by run.sh inside a
// loopback-only network namespace.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openSession } from './lib/browser.mjs';
import { t } from './lib/catalog.mjs';
import { initInstallation, runCli, startServer } from './lib/server.mjs';

const bin = process.env.SAFEHOUSE_BIN;
const outDir = process.env.SAFEHOUSE_BROWSER_OUT ?? os.tmpdir();
assert.ok(bin && fs.existsSync(bin), 'SAFEHOUSE_BIN must name the built safehouse binary');

let work;
let dataDir;
let server;
let source; // the source's browser session, kept open to read the reply
let caseId;
const sessions = [];
const reviewers = {
  alice: { name: 'alice', lang: 'en', passphrase: `alice passphrase ${crypto.randomUUID()}` },
  bob: { name: 'bob', lang: 'fa', passphrase: `گذرواژهٔ باب ${crypto.randomUUID()}` },
  carol: { name: 'carol', lang: 'fa', passphrase: `carol passphrase ${crypto.randomUUID()}` },
};
const sourceMessage = `I serve in the police and want to leave ${crypto.randomUUID()}`;
const replyText = `We read you. Tell us your unit's city. ${crypto.randomUUID()}`;

// RFC 6238 with SHA-1, 6 digits, 30-second steps, from a base32 secret.
function totp(base32, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}
const now = () => Math.floor(Date.now() / 1000);

function assertLoopbackOnly(requests) {
  assert.ok(requests.length > 0);
  for (const url of requests) {
    assert.ok(url.startsWith('http://127.0.0.1:') || url.startsWith('blob:'), `elsewhere: ${url}`);
  }
}

async function open(origin, javaScript = true) {
  const session = await openSession({ origin, javaScript });
  sessions.push(session);
  return session;
}

async function enrol(r) {
  const session = await open(server.staffOrigin);
  const { page } = session;
  await page.goto(`/${r.lang}/enrol#${r.token}`);
  await page.waitForSelector('#enrol-form:not([hidden])', { timeout: 30_000 });
  r.totpSecret = (await page.textContent('#totp-secret')).trim();
  await page.fill('#passphrase', r.passphrase);
  await page.fill('#passphrase-again', r.passphrase);
  r.lastStep = now();
  await page.fill('#code', totp(r.totpSecret, r.lastStep));
  await page.click('#enrol');
  await page.waitForSelector('#status[data-msg="enrolled"]', { timeout: 60_000 });
  assertLoopbackOnly(session.requests);
  await session.close();
  sessions.splice(sessions.indexOf(session), 1);
}

// Signs `r` in and opens the case; returns the session (kept open).
async function signInAndOpen(r) {
  const session = await open(server.staffOrigin);
  const { page } = session;
  await page.goto(`/${r.lang}/`);
  assert.equal(await page.locator('html').getAttribute('dir'), r.lang === 'fa' ? 'rtl' : 'ltr');
  await page.fill('#name', r.name);
  await page.fill('#passphrase', r.passphrase);
  r.lastStep = Math.max(now(), r.lastStep + 30);
  await page.fill('#code', totp(r.totpSecret, r.lastStep));
  await page.click('#sign-in');
  await page.waitForSelector('#status[data-msg="signed-in"]', { timeout: 60_000 });
  await openCase(page);
  return session;
}

async function openCase(page) {
  await page.click(`#cases tr[data-case-id="${caseId}"] button.open-case`);
  await page.waitForSelector('#case[data-ready="true"]', { timeout: 60_000 });
}

// Clicks the move to `to` and waits for the page's verdict.
async function move(page, to) {
  await page.evaluate(() => delete document.getElementById('case-result').dataset.msg);
  await page.click(`#moves button.move[data-to="${to}"]`);
  await page.waitForSelector('#case-result[data-msg]', { timeout: 60_000 });
  return {
    msg: await page.getAttribute('#case-result', 'data-msg'),
    text: (await page.textContent('#case-result')).trim(),
  };
}

function statusOf(id) {
  const listed = runCli(bin, ['review', 'list', '--data', dataDir]);
  assert.equal(listed.code, 0, listed.stderr);
  const line = listed.stdout.split('\n').find((l) => l.split(/\s+/)[0] === String(id));
  assert.ok(line, `case ${id} in review list:\n${listed.stdout}`);
  return line;
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-workspace-'));
  dataDir = path.join(work, 'data');
  initInstallation(bin, dataDir);
  for (const r of Object.values(reviewers)) {
    const added = runCli(bin, ['reviewer', 'add', '--data', dataDir, r.name]);
    assert.equal(added.code, 0, added.stderr);
    r.token = /\/en\/enrol#([0-9a-f]{64})/.exec(added.stdout)[1];
  }
  server = await startServer(bin, dataDir);
});

after(async () => {
  for (const s of sessions) await s.close().catch(() => {});
  if (server) {
    const stopped = await server.stop();
    assert.equal(stopped.sanitizerReport, false, stopped.stderr);
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('three reviewers enrol and join the recipient set; a source writes without JavaScript', async () => {
  for (const r of Object.values(reviewers)) await enrol(r);
  await server.stop();
  // Into the recipient set (`safehouse recipients add`; one already in it
  // stays as it is).
  for (const r of Object.values(reviewers)) runCli(bin, ['recipients', 'add', '--data', dataDir, r.name]);
  server = await startServer(bin, dataDir);

  source = await open(server.origin, false);
  const { page } = source;
  await page.goto('/en/first-contact');
  await page.fill('#message', sourceMessage);
  await page.selectOption('select[name="claim_branch"]', 'police');
  await page.fill('input[name="claim_rank"]', 'sergeant');
  const [posted] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === 'POST'),
    page.click('form[action="/en/first-contact"] button[type=submit]'),
  ]);
  assert.equal(posted.status(), 303);
  const listedCases = runCli(bin, ['review', 'list', '--data', dataDir]).stdout;
  caseId = Number(/^\s*(\d+)\s.*received/m.exec(listedCases)[1]);
  assert.ok(caseId > 0);
});

test('two reviewers take the case to verified; the checker cannot shortcut it', async () => {
  assert.ok(caseId, 'needs the first test');
  const { alice, bob, carol } = reviewers;

  // alice, in English: decrypts, replies, grades, triage, verifying.
  const a = await signInAndOpen(alice);
  const ap = a.page;
  await ap.waitForSelector('#case-items .item-message');
  assert.equal((await ap.textContent('#case-items .item-message')).trim(), sourceMessage);
  assert.match(await ap.textContent('#case-items .item-claims'), /police.*sergeant/);
  await ap.fill('#reply-text', replyText);
  await ap.click('#send-reply');
  await ap.waitForSelector('#case-result[data-msg="replied"]', { timeout: 60_000 });
  await ap.waitForSelector('#case-items .item-reply');
  assert.equal((await ap.textContent('#case-items .item-reply')).trim(), replyText);
  await ap.selectOption('#reliability', 'B');
  await ap.selectOption('#credibility', '2');
  await ap.selectOption('#category', 'police');
  await ap.check('#check-source');
  await ap.check('#evidence .evidence-item >> nth=0');
  await ap.fill('#notes', 'rank and branch consistent');
  await ap.click('#save-assessment');
  await ap.waitForSelector('#case-result[data-msg="assessed"]', { timeout: 60_000 });
  assert.match(await ap.textContent('#assessments'), /B2.*rank and branch consistent/);
  assert.equal((await ap.textContent('#case-grade')).trim(), 'B2');
  assert.equal((await move(ap, 'triage')).msg, 'moved');
  assert.equal((await move(ap, 'verifying')).msg, 'moved');
  // The list filters by grade and category (the server's one query).
  await ap.selectOption('#grade-filter', 'B2');
  await ap.waitForSelector(`#cases tr[data-case-id="${caseId}"] .case-grade`);
  await ap.selectOption('#grade-filter', 'A1');
  await ap.waitForSelector(`#cases tr[data-case-id="${caseId}"]`, { state: 'detached' });
  await ap.selectOption('#grade-filter', '*');
  await ap.selectOption('#category-filter', 'police');
  await ap.waitForSelector(`#cases tr[data-case-id="${caseId}"]`);

  // bob, in Persian: records the decisive check, then tries to approve
  // verified himself.
  const b = await signInAndOpen(bob);
  const bp = b.page;
  assert.equal((await bp.textContent('#case-items .item-message')).trim(), sourceMessage);
  assert.equal((await move(bp, 'corroborated')).msg, 'moved');
  const moveLabel = (await bp.textContent('#moves button.move[data-to="verified"]')).trim();
  assert.ok(moveLabel.includes('۰') && moveLabel.includes('۲'), `Persian digits: ${moveLabel}`);
  const shortcut = await move(bp, 'verified');
  assert.equal(shortcut.msg, 'refused');
  assert.match(shortcut.text, /decisive check/);
  assert.ok(shortcut.text.startsWith(t('fa', 'Refused: {reason}').split('{')[0]), shortcut.text);
  await bp.screenshot({ path: path.join(outDir, 'fa-workspace-checker-refused.png'), fullPage: true });
  assert.match(statusOf(caseId), /corroborated/);

  // alice approves verified: one of two.
  await openCase(ap);
  const first = await move(ap, 'verified');
  assert.equal(first.msg, 'approved', first.text);
  assert.match(statusOf(caseId), /corroborated/);
  // The same reviewer again counts once: refused.
  const twice = await move(ap, 'verified');
  assert.equal(twice.msg, 'refused');
  assert.match(twice.text, /already approved/);

  // carol, in Persian: the second approval.
  const c = await signInAndOpen(carol);
  const cp = c.page;
  const second = await move(cp, 'verified');
  assert.equal(second.msg, 'moved', second.text);
  assert.equal((await cp.textContent('#case-status')).trim(), 'verified');
  await cp.screenshot({ path: path.join(outDir, 'fa-workspace-verified.png'), fullPage: true });
  assert.match(statusOf(caseId), /verified/);

  // A second source writes the same thing: carol, in Persian, links the new
  // case as a duplicate of the verified one, typing its number in Persian
  // digits; without a number the page asks for one and sends nothing.
  const secondSource = await open(server.origin, false);
  await secondSource.page.goto('/en/first-contact');
  await secondSource.page.fill('#message', sourceMessage);
  await Promise.all([
    secondSource.page.waitForResponse((res) => res.request().method() === 'POST'),
    secondSource.page.click('form[action="/en/first-contact"] button[type=submit]'),
  ]);
  const copyId = Number(/^\s*(\d+)\s.*received/m.exec(runCli(bin, ['review', 'list', '--data', dataDir]).stdout)[1]);
  assert.ok(copyId > caseId);
  await cp.selectOption('#status-filter', 'received');
  await cp.click(`#cases tr[data-case-id="${copyId}"] button.open-case`);
  await cp.waitForSelector(`#case[data-ready="true"][data-case-id="${copyId}"]`, { timeout: 60_000 });
  assert.equal((await move(cp, 'duplicate')).msg, 'duplicate-needs-case');
  const persian = String(caseId).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);
  await cp.fill('#duplicate-of', persian);
  const linked = await move(cp, 'duplicate');
  assert.equal(linked.msg, 'moved', linked.text);
  assert.ok((await cp.textContent('#case-links')).includes(persian), 'the link, in Persian digits');
  assert.match(statusOf(copyId), new RegExp(`duplicate.*\\b${caseId}\\b`));

  for (const s of [a, b, c, secondSource]) assertLoopbackOnly(s.requests);
  const audit = runCli(bin, ['audit', 'list', '--data', dataDir]).stdout;
  for (const [who, action] of [['alice', 'reply'], ['alice', 'assess'], ['bob', 'refused'],
    ['alice', 'approve'], ['carol', 'transition'], ['alice', 'download'], ['bob', 'open-case']]) {
    assert.match(audit, new RegExp(`${who}\\s.*\\b${action}\\b`), `audit: ${who} ${action}`);
  }
  assert.equal(runCli(bin, ['audit', 'verify', '--data', dataDir]).code, 0);
});

test('the source reads the reply the browser encrypted', async () => {
  assert.ok(source, 'needs the first test');
  const { page } = source;
  await page.goto('/en/inbox');
  assert.ok((await page.textContent('body')).includes(replyText), 'the reply is in the inbox');
  assertLoopbackOnly(source.requests);
});
