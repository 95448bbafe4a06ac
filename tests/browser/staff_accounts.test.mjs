// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/staff_accounts.test.mjs: reviewers' staff accounts through
// the real `safehouse serve` in Debian's Chromium (JavaScript on: the staff
// pages run /static/staff.js), in English and Persian: `reviewer add`
// prints a one-time link; the reviewer enrols (passphrase, keys made in the
// browser, a TOTP code computed here from the secret the page shows); after
// the reviewer joins the recipient set a source sends a first contact; the
// reviewer signs in (a wrong code first, then a right one), sees the case,
// exports the identity and decrypts the source's item with the stock `age
// -d`; signs out. The server's stored data holds neither the passphrase
// nor the identity. Run by run.sh inside a loopback-only network namespace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

// docs/routes.md: the staff listener's policy allows its own script only.
const kStaffCsp =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
  "font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
  "base-uri 'none'";
const kEnrolMessages = {
  enrolled: 'You are enrolled. Sign in with your name, passphrase and a code.',
};
const kSignInMessages = {
  wrong: 'Wrong name, passphrase or code.',
  'signed-in': 'Signed in.',
  exported:
    'Your identity is shown below. Keep it offline: whoever has it can read every case sent to you.',
  'signed-out': 'Signed out.',
};

let work;
let dataDir;
let server;
// One reviewer per language.
const reviewers = {
  en: { name: 'alice', passphrase: `alice passphrase ${crypto.randomUUID()}`, lang: 'en' },
  fa: { name: 'bob', passphrase: `گذرواژهٔ باب ${crypto.randomUUID()}`, lang: 'fa' },
};
const sourceMessage = `staff-accounts marker ${crypto.randomUUID()}`;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-staff-'));
  dataDir = path.join(work, 'data');
  initInstallation(bin, dataDir);
  for (const r of Object.values(reviewers)) {
    const added = runCli(bin, ['reviewer', 'add', '--data', dataDir, r.name]);
    assert.equal(added.code, 0, added.stderr);
    const link = /http:\/\/\S+\/en\/enrol#([0-9a-f]{64})/.exec(added.stdout);
    assert.ok(link, `reviewer add printed no enrolment link:\n${added.stdout}`);
    r.token = link[1];
  }
  const listed = runCli(bin, ['reviewer', 'list', '--data', dataDir]);
  assert.match(listed.stdout, /alice .* pending until \d{4}-\d\d-\d\d/);
  server = await startServer(bin, dataDir);
});

after(async () => {
  if (server) {
    const stopped = await server.stop();
    assert.equal(stopped.sanitizerReport, false, stopped.stderr);
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

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

async function expectStatus(page, key, lang, english) {
  try {
    await page.waitForSelector(`#status[data-msg="${key}"]`, { timeout: 60_000 });
  } catch (error) {
    const shown = await page.getAttribute('#status', 'data-msg');
    throw new Error(`expected status ${key}, the page shows ${shown}: ${error.message}`);
  }
  assert.equal((await page.textContent('#status')).trim(), t(lang, english));
}

function assertOnlyStaffOrigin(requests) {
  assert.ok(requests.length > 0);
  for (const url of requests) {
    assert.ok(url.startsWith(`${server.staffOrigin}/`) || url.startsWith('blob:'), `elsewhere: ${url}`);
  }
}

for (const lang of ['en', 'fa']) {
  test(`${lang}: a reviewer enrols from the one-time link`, async () => {
    const r = reviewers[lang];
    const session = await openSession({ origin: server.staffOrigin, javaScript: true });
    try {
      const { page } = session;
      const response = await page.goto(`/${lang}/enrol#${r.token}`);
      assert.equal(response.headers()['content-security-policy'], kStaffCsp);
      assert.equal(await page.locator('html').getAttribute('dir'), lang === 'fa' ? 'rtl' : 'ltr');
      await page.waitForSelector('#enrol-form:not([hidden])', { timeout: 30_000 });
      assert.equal((await page.textContent('#enrol-name')).trim(), r.name);
      assert.equal(await page.isVisible('#import'), false, 'no key file was handed out');
      r.totpSecret = (await page.textContent('#totp-secret')).trim();
      assert.match(r.totpSecret, /^[A-Z2-7]{32}$/);
      await page.fill('#passphrase', r.passphrase);
      await page.fill('#passphrase-again', `${r.passphrase}x`);
      await page.fill('#code', totp(r.totpSecret, now()));
      await page.click('#enrol');
      await expectStatus(page, 'mismatch', lang, 'The two passphrases differ.');
      await page.fill('#passphrase-again', r.passphrase);
      r.enrolledAt = now();
      await page.fill('#code', totp(r.totpSecret, r.enrolledAt));
      await page.click('#enrol');
      await expectStatus(page, 'enrolled', lang, kEnrolMessages.enrolled);
      await page.screenshot({ path: path.join(outDir, `${lang}-staff-enrolled.png`), fullPage: true });
      // The link is used up (a new load: a fragment change alone is no navigation).
      await page.goto(`/${lang}/`);
      await page.goto(`/${lang}/enrol#${r.token}`);
      await expectStatus(page, 'invalid-link', lang, 'This enrolment link is not valid or was already used.');
      assertOnlyStaffOrigin(session.requests);
    } finally {
      await session.close();
    }
    const listed = runCli(bin, ['reviewer', 'list', '--data', dataDir]);
    assert.match(listed.stdout, new RegExp(`${r.name} .* enrolled`));
    r.recipient = new RegExp(`^${r.name}\\s+active\\s+\\S+\\s+-\\s+(age1\\S+)`, 'm').exec(listed.stdout)[1];
  });
}

test('the enrolled reviewers join the recipient set and a source writes', async () => {
  assert.ok(reviewers.en.recipient && reviewers.fa.recipient, 'needs the enrolment tests');
  await server.stop();
  for (const lang of ['en', 'fa']) {
    runCli(bin, ['recipients', 'add', '--data', dataDir, reviewers[lang].name]);
  }
  server = await startServer(bin, dataDir);
  const session = await openSession({ origin: server.origin });
  try {
    const { page } = session;
    await page.goto('/en/first-contact');
    await page.fill('#message', sourceMessage);
    const [posted] = await Promise.all([
      page.waitForResponse((res) => res.request().method() === 'POST'),
      page.click('form[action="/en/first-contact"] button[type=submit]'),
    ]);
    assert.equal(posted.status(), 303);
  } finally {
    await session.close();
  }
});

for (const lang of ['en', 'fa']) {
  test(`${lang}: sign in with TOTP, export the identity, decrypt with age, sign out`, async () => {
    const r = reviewers[lang];
    assert.ok(r.totpSecret, 'needs the enrolment test');
    const session = await openSession({ origin: server.staffOrigin, javaScript: true });
    try {
      const { page } = session;
      const response = await page.goto(`/${lang}/`);
      assert.equal(response.headers()['content-security-policy'], kStaffCsp);
      await page.fill('#name', r.name);
      await page.fill('#passphrase', r.passphrase);
      // A wrong code first.
      const right = totp(r.totpSecret, now());
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      await page.fill('#code', wrong);
      await page.click('#sign-in');
      await expectStatus(page, 'wrong', lang, kSignInMessages.wrong);
      // The throttle after one failure is a second. The code of the next
      // step is within the window and newer than the enrolment's.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await page.fill('#passphrase', r.passphrase);
      await page.fill('#code', totp(r.totpSecret, Math.max(now(), r.enrolledAt) + 30));
      await page.click('#sign-in');
      await expectStatus(page, 'signed-in', lang, kSignInMessages['signed-in']);
      assert.equal((await page.textContent('#who')).trim(), r.name);
      await page.waitForSelector('#cases tbody tr[data-case-id]');
      const caseId = await page.getAttribute('#cases tbody tr[data-case-id]', 'data-case-id');
      await page.screenshot({ path: path.join(outDir, `${lang}-staff-signed-in.png`), fullPage: true });

      await page.click('#export');
      await expectStatus(page, 'exported', lang, kSignInMessages.exported);
      const keyFile = await page.textContent('#exported');
      assert.match(keyFile, /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/m);
      assert.ok(keyFile.includes(`# public key: ${r.recipient}`));
      const keyPath = path.join(work, `${r.name}.key`);
      fs.writeFileSync(keyPath, keyFile, { mode: 0o600 });

      // The case's first item, as ciphertext, through the API; opened here
      // with the stock age and the exported identity.
      const item = await page.evaluate(async (id) => {
        const list = await (await fetch('/api/staff/cases')).json();
        const c = list.cases.find((x) => String(x.id) === id);
        const body = new Uint8Array(await (await fetch(`/api/staff/items/${c.items[0].id}`)).arrayBuffer());
        let binary = '';
        for (const b of body) binary += String.fromCharCode(b);
        return btoa(binary);
      }, caseId);
      const itemPath = path.join(work, `${r.name}-item.age`);
      fs.writeFileSync(itemPath, Buffer.from(item, 'base64'));
      const age = spawnSync('age', ['-d', '-i', keyPath, itemPath]);
      assert.equal(age.status, 0, String(age.stderr));
      assert.ok(age.stdout.includes(Buffer.from(sourceMessage)), 'the decrypted item holds the message');

      await page.click('#sign-out');
      await expectStatus(page, 'signed-out', lang, kSignInMessages['signed-out']);
      assert.equal(await page.isVisible('#workspace'), false);
      const after = await page.evaluate(async () => (await fetch('/api/staff/cases')).status);
      assert.equal(after, 401);
      assertOnlyStaffOrigin(session.requests);
    } finally {
      await session.close();
    }
    const audit = runCli(bin, ['audit', 'list', '--data', dataDir]).stdout;
    for (const action of ['enrol', 'login-refused', 'login', 'export', 'download', 'logout']) {
      assert.match(audit, new RegExp(`${r.name}\\s.*\\b${action}\\b`), `audit: ${action}`);
    }
    assert.equal(runCli(bin, ['audit', 'verify', '--data', dataDir]).code, 0);
  });
}

test('the stored data holds neither passphrase nor identity', () => {
  const keys = Object.values(reviewers).map((r) =>
    /^AGE-SECRET-KEY-1\S+/m.exec(fs.readFileSync(path.join(work, `${r.name}.key`), 'utf8'))[0]);
  const needles = [];
  for (const r of Object.values(reviewers)) needles.push(r.passphrase, r.totpSecret);
  for (const k of keys) needles.push(k, k.toLowerCase());
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(dataDir);
  assert.ok(files.length > 3);
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const needle of needles) {
      for (const encoding of ['utf8', 'base64', 'hex']) {
        const form = Buffer.from(needle, 'utf8').toString(encoding);
        assert.ok(!bytes.includes(Buffer.from(form)), `${path.relative(dataDir, file)} holds a secret (${encoding})`);
      }
    }
  }
});
