// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/source_pages.test.mjs: a source's whole path through the
// real `safehouse serve`, in Debian's Chromium with JavaScript off, in
// English and Persian: landing, first contact with claims and two files,
// signing in again (English words, Persian words with typing noise, wrong
// codenames), the reviewer CLI reading and replying, and the reply in both
// languages. Run by run.sh inside a loopback-only network namespace; expects
// SAFEHOUSE_BIN (the CLI) and SAFEHOUSE_BROWSER_OUT (where screenshots go).
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

// docs/routes.md: every response carries these.
const kCsp =
  "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const kPersianLetter = /[\u0600-\u06FF]/;

let work;
let dataDir;
let server;
let verifierKey;
// Filled in as the tests go: what the source sent and how to get back in.
const source = { codename: null, message: null, followUp: null, fileDigests: [] };
let replyText = null;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-browser-'));
  dataDir = path.join(work, 'data');
  ({ verifierKey } = initInstallation(bin, dataDir));
  server = await startServer(bin, dataDir);
});

after(async () => {
  if (server) await server.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// --- helpers ---------------------------------------------------------------

function assertOnlyOurOrigin(requests) {
  assert.ok(requests.length > 0, 'the browser made no request at all');
  for (const url of requests) {
    assert.ok(url.startsWith(`${server.origin}/`), `request to somewhere else: ${url}`);
  }
}

// Headers, language, direction and the absence of script, for any page.
async function assertSourcePage(page, response, lang, { isPrivate = false } = {}) {
  assert.ok(response, 'no response');
  const headers = response.headers();
  assert.equal(headers['content-security-policy'], kCsp);
  assert.ok(!/script-src/.test(headers['content-security-policy']));
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['x-frame-options'], 'DENY');
  if (isPrivate) assert.match(headers['cache-control'] ?? '', /no-store/);
  assert.doesNotMatch(await response.text(), /<script/i);
  assert.equal(await page.locator('script').count(), 0);
  assert.equal(await page.locator('html').getAttribute('lang'), lang);
  assert.equal(await page.locator('html').getAttribute('dir'), lang === 'fa' ? 'rtl' : 'ltr');
}

// Submits the form holding `selector` and waits for the POST's answer and
// the page it leads to. Returns the POST's response.
async function submit(page, formSelector) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click(`${formSelector} button[type=submit]`),
  ]);
  await page.waitForLoadState('load');
  return response;
}

async function signIn(page, lang, typed) {
  await page.goto(`/${lang}/login`);
  await page.fill('#codename', typed);
  return submit(page, `form[action="/${lang}/login"]`);
}

async function signOut(page, lang) {
  await submit(page, `form[action="/${lang}/logout"]`);
  assert.equal(page.url(), `${server.origin}/${lang}/`);
}

function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

// Deterministic bytes that are not all alike, so a truncated or reordered
// upload would show.
function generatedBytes(size, seed) {
  const out = Buffer.alloc(size);
  let block = crypto.createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = crypto.createHash('sha256').update(block).digest();
  }
  return out;
}

// The codename in the other list's words, with what Persian and Arabic
// keyboards and copy-paste add: a zero-width non-joiner, a tatweel, Arabic
// yeh and kaf, Persian commas and non-breaking spaces between words; and the
// spelling slips the codename key forgives: letters that sound alike typed
// for one another, hamza forms, no space between the last two words.
function persianRendering(englishCodename) {
  const en = wordlist('en');
  const fa = wordlist('fa');
  const words = englishCodename.split(/\s+/).map((w) => {
    const index = en.indexOf(w);
    assert.ok(index >= 0, `codename word not in the English list: ${w}`);
    return fa[index];
  });
  words[0] = `${words[0].slice(0, 1)}\u200c${words[0].slice(1)}`;
  words[1] = `${words[1].slice(0, 2)}\u0640${words[1].slice(2)}`;
  // From word 3 on, the yeh and kaf an Arabic keyboard types.
  for (let i = 2; i < words.length; i++) words[i] = words[i].replace(/\u06cc/g, '\u064a').replace(/\u06a9/g, '\u0643');
  // Homophones and hamza forms: ت→ط, س→ص, ز→ظ, ه→ح, ا→ع, و→ؤ.
  const slips = { 'ت': 'ط', 'س': 'ص', 'ز': 'ظ', 'ه': 'ح', 'ا': 'ع', 'و': 'ؤ' };
  for (let i = 0; i < words.length; i += 2) words[i] = [...words[i]].map((c) => slips[c] ?? c).join('');
  const last = words.pop();
  words[words.length - 1] += last;
  return words.map((w, i) => (i % 2 ? `${w}\u00a0` : `${w} ، `)).join('');
}

function todayIso() {
  return new Date().toISOString().slice(0, 10);
}

// --- tests -----------------------------------------------------------------

for (const lang of ['en', 'fa']) {
  test(`landing and 404 pages (${lang}): language, direction, log key, no script, nothing but this origin`, async (tc) => {
    const session = await openSession({ origin: server.origin });
    try {
      const { page, requests } = session;
      tc.diagnostic(`chromium ${session.context.browser()?.version()}`);
      const response = await page.goto(`/${lang}/`);
      assert.equal(response.status(), 200);
      await assertSourcePage(page, response, lang);
      assert.equal((await page.locator('.key code').textContent()).trim(), verifierKey);
      assert.equal(await page.locator(`a[href="/${lang}/first-contact"]`).count(), 1);
      assert.equal(await page.locator(`a[href="/${lang}/login"]`).count(), 1);
      const other = lang === 'en' ? 'fa' : 'en';
      assert.equal(await page.locator('a.language-switch').getAttribute('href'), `/${other}/`);
      const heading = await page.locator('h1').textContent();
      assert.match(heading, /Safehouse/);
      if (lang === 'fa') assert.match(heading, kPersianLetter);
      assert.ok(requests.includes(`${server.origin}/static/safehouse.css`), 'stylesheet not loaded');

      // A translated error page, with the same headers and no script.
      const missing = await page.goto(`/${lang}/no-such-page`);
      assert.equal(missing.status(), 404);
      await assertSourcePage(page, missing, lang);
      assert.equal((await page.locator('.error').textContent()).trim(), t(lang, 'There is no page at this address.'));

      // The bare origin follows the browser's language (Accept-Language).
      const localised = await openSession({ origin: server.origin, locale: lang === 'fa' ? 'fa-IR' : 'en-GB' });
      try {
        await localised.page.goto('/');
        assert.equal(localised.page.url(), `${server.origin}/${lang}/`);
        assert.ok(localised.requests.every((url) => url.startsWith(`${server.origin}/`)), 'a request left our origin');
      } finally {
        await localised.close();
      }
      assertOnlyOurOrigin(requests);
    } finally {
      await session.close();
    }
  });
}

test('first contact without JavaScript, then signing in again in English and Persian', async () => {
  const session = await openSession({ origin: server.origin });
  try {
    const { page, requests } = session;
    const response = await page.goto('/en/first-contact');
    assert.equal(response.status(), 200);
    await assertSourcePage(page, response, 'en', { isPrivate: true });
    await page.screenshot({ path: path.join(outDir, 'en-first-contact.png'), fullPage: true });

    source.codename = (await page.locator('#codename').textContent()).trim();
    const words = source.codename.split(/\s+/);
    assert.equal(words.length, 9, `codename: ${words.length} words`);
    const en = new Set(wordlist('en'));
    for (const word of words) assert.ok(en.has(word), `not an English list word: ${word}`);

    source.message = `Browser test first contact ${crypto.randomUUID()} — پیام آزمایشی`;
    const small = Buffer.from('notes from the browser test\n'.repeat(100));
    const large = generatedBytes(3 * 1024 * 1024 + 17, 'large upload');
    source.fileDigests = [small, large].map((b) => crypto.createHash('sha256').update(b).digest('hex'));
    await page.fill('#message', source.message);
    await page.selectOption('#claim_branch', 'police');
    await page.fill('#claim_unit', 'Browser test unit 7');
    await page.fill('#claim_rank', 'Sergeant');
    await page.fill('#claim_region', 'تهران');
    // The audit consent: offered unticked, in plain words; this source ticks it.
    const consent = page.locator('#audit_consent');
    assert.equal(await consent.isChecked(), false, 'the audit consent is ticked by default');
    assert.equal(
      (await page.locator('label[for="audit_consent"] span').textContent()).replace(/\s+/g, ' ').trim(),
      t('en', 'I agree that an accredited independent observer may read this case, including what I send, for a sampled audit of how cases are handled. I cannot withdraw this consent later.'),
    );
    await consent.check();
    await page.setInputFiles('#files', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: small },
      { name: 'video.mp4', mimeType: 'video/mp4', buffer: large },
    ]);
    const posted = await submit(page, 'form[action="/en/first-contact"]');
    assert.equal(posted.status(), 303);
    assert.equal(pathOf(page), '/en/inbox?sent=1');
    assert.equal((await page.locator('.notice').textContent()).trim(), t('en', 'We received what you sent. Thank you.'));
    assert.equal(await page.locator('.reply').count(), 0);

    // The notice is for the request after sending only; the inbox is private.
    const inbox = await page.goto('/en/inbox');
    await assertSourcePage(page, inbox, 'en', { isPrivate: true });
    assert.equal(await page.locator('.notice').count(), 0);

    // Signed out, the inbox sends the browser to the sign-in page.
    await signOut(page, 'en');
    await page.goto('/en/inbox');
    assert.equal(pathOf(page), '/en/login');

    // Back in with the English words, on the English pages.
    assert.equal((await signIn(page, 'en', source.codename)).status(), 303);
    assert.equal(pathOf(page), '/en/inbox');
    assert.equal((await page.locator('h1').textContent()).trim(), t('en', 'Your conversation'));

    // A follow-up with one more file.
    source.followUp = `Browser test follow-up ${crypto.randomUUID()}`;
    await page.fill('#message', source.followUp);
    await page.setInputFiles('#files', [{ name: 'more.txt', mimeType: 'text/plain', buffer: Buffer.from('more\n') }]);
    assert.equal((await submit(page, 'form[action="/en/inbox"]')).status(), 303);
    assert.equal(pathOf(page), '/en/inbox?sent=1');
    assert.equal(await page.locator('.notice').count(), 1);
    await signOut(page, 'en');

    // The English words on the Persian sign-in page.
    const faLogin = await page.goto('/fa/login');
    await assertSourcePage(page, faLogin, 'fa');
    // The sign-in page says that spelling slips are forgiven.
    const hint = 'Type the words in English or Persian. Spaces, and spelling slips between letters that sound alike (such as ت and ط, or س and ص), do not matter.';
    assert.equal((await page.locator('p.hint').textContent()).trim(), t('fa', hint));
    assert.notEqual(t('fa', hint), hint, 'the hint is translated');
    assert.equal((await signIn(page, 'fa', source.codename)).status(), 303);
    assert.equal(pathOf(page), '/fa/inbox');
    assert.equal((await page.locator('h1').textContent()).trim(), t('fa', 'Your conversation'));
    await signOut(page, 'fa');

    // The Persian words, typed with invisible and punctuation noise.
    assert.equal((await signIn(page, 'fa', persianRendering(source.codename))).status(), 303);
    assert.equal(pathOf(page), '/fa/inbox');
    await signOut(page, 'fa');

    assertOnlyOurOrigin(requests);
  } finally {
    await session.close();
  }
});

test('a wrong codename gets the one generic message, in English and Persian', async () => {
  assert.ok(source.codename, 'needs the first-contact test');
  const session = await openSession({ origin: server.origin });
  try {
    const { page, requests } = session;
    const en = wordlist('en');
    const words = source.codename.split(/\s+/);
    words[7] = en[(en.indexOf(words[7]) + 1) % en.length];
    const attempts = [
      ['en', words.join(' ')], // well formed, no such source
      ['en', 'certainly not a codename'], // malformed
      ['fa', words.join(' ')],
    ];
    const statuses = new Set();
    for (const [lang, typed] of attempts) {
      const response = await signIn(page, lang, typed);
      statuses.add(response.status());
      assert.equal(pathOf(page), `/${lang}/login`);
      assert.equal((await page.locator('.error').textContent()).trim(), t(lang, 'That codename was not recognised'));
      await page.goto(`/${lang}/inbox`);
      assert.equal(pathOf(page), `/${lang}/login`, 'a wrong codename signed in');
    }
    assert.equal(statuses.size, 1, `failures answered differently: ${[...statuses]}`);
    assert.ok([200, 403].includes([...statuses][0]));
    assertOnlyOurOrigin(requests);
  } finally {
    await session.close();
  }
});

test('first contact in Persian shows a Persian codename on an RTL page', async () => {
  const session = await openSession({ origin: server.origin, locale: 'fa-IR' });
  try {
    const { page, requests } = session;
    const response = await page.goto('/fa/first-contact');
    await assertSourcePage(page, response, 'fa', { isPrivate: true });
    const words = (await page.locator('#codename').textContent()).trim().split(/\s+/);
    assert.equal(words.length, 9);
    const fa = new Set(wordlist('fa'));
    for (const word of words) assert.ok(fa.has(word), `not a Persian list word: ${word}`);
    // The audit consent, unticked, in Persian.
    assert.equal(await page.locator('#audit_consent').isChecked(), false);
    assert.equal(
      (await page.locator('label[for="audit_consent"] span').textContent()).replace(/\s+/g, ' ').trim(),
      t('fa', 'I agree that an accredited independent observer may read this case, including what I send, for a sampled audit of how cases are handled. I cannot withdraw this consent later.'),
    );
    assert.equal((await page.locator('fieldset legend').nth(1).textContent()).trim(),
      t('fa', 'Independent audit (optional)'));
    await page.screenshot({ path: path.join(outDir, 'fa-first-contact.png'), fullPage: true });
    assertOnlyOurOrigin(requests);
  } finally {
    await session.close();
  }
});

test('the reviewer CLI reads the submission (text, claims, files) and replies', async () => {
  assert.ok(source.codename, 'needs the first-contact test');
  const list = runCli(bin, ['review', 'list', '--data', dataDir]);
  assert.equal(list.code, 0, list.stderr);
  const caseId = caseIdFrom(list.stdout);
  const identity = path.join(dataDir, 'demo-reviewer.key');
  const saved = path.join(work, 'reviewer-out');
  const read = runCli(bin, ['review', 'read', '--data', dataDir, '-i', identity, '--out', saved, caseId]);
  assert.equal(read.code, 0, read.stderr);
  assert.ok(read.stdout.includes(source.message), 'the first message did not arrive intact');
  assert.ok(read.stdout.includes(source.followUp), 'the follow-up did not arrive intact');
  for (const claim of ['police', 'Browser test unit 7', 'Sergeant', 'تهران']) {
    assert.ok(read.stdout.includes(claim), `claim missing: ${claim}`);
  }
  // Every uploaded file comes out byte for byte (the 3 MiB one too).
  const savedDigests = new Set(
    fs.readdirSync(saved).map((name) =>
      crypto.createHash('sha256').update(fs.readFileSync(path.join(saved, name))).digest('hex')),
  );
  for (const digest of source.fileDigests) assert.ok(savedDigests.has(digest), `file ${digest} not saved intact`);

  replyText = `Thank you. Which city were you in? ${crypto.randomUUID()}`;
  const reply = runCli(bin, ['review', 'reply', '--data', dataDir, caseId], { input: replyText });
  assert.equal(reply.code, 0, reply.stderr);

  const session = await openSession({ origin: server.origin });
  try {
    const { page, requests } = session;
    const before = todayIso();
    await signIn(page, 'en', source.codename);
    assert.equal(pathOf(page), '/en/inbox');
    assert.equal((await page.locator('.reply-text').textContent()).trim(), replyText);
    const day = (await page.locator('.reply-day').textContent()).trim();
    assert.ok([before, todayIso()].includes(day), `reply day ${day}`);
    assertOnlyOurOrigin(requests);
  } finally {
    await session.close();
  }
});

function caseIdFrom(listing) {
  // Written against `safehouse review list`'s table: the first column of
  // the first row after the header is the case id.
  const rows = listing.split('\n').filter((l) => l.trim() !== '');
  assert.ok(rows.length >= 2, `no case listed:\n${listing}`);
  return rows[1].trim().split(/\s+/)[0];
}

test('Persian inbox: reply day in Persian digits, screenshot', async () => {
  assert.ok(source.codename, 'needs the first-contact test');
  const session = await openSession({ origin: server.origin, locale: 'fa-IR' });
  try {
    const { page, requests } = session;
    const before = todayIso();
    await signIn(page, 'fa', source.codename);
    assert.equal(pathOf(page), '/fa/inbox');
    const inbox = await page.reload();
    await assertSourcePage(page, inbox, 'fa', { isPrivate: true });
    await page.screenshot({ path: path.join(outDir, 'fa-inbox.png'), fullPage: true });
    assertOnlyOurOrigin(requests);
    assert.ok(replyText !== null, 'needs the reviewer CLI test (its reply)');
    assert.equal((await page.locator('.reply-text').textContent()).trim(), replyText);
    const day = (await page.locator('.reply-day').textContent()).trim();
    assert.doesNotMatch(day, /[0-9]/, `ASCII digits in the Persian date: ${day}`);
    assert.ok([before, todayIso()].map(persianDigits).includes(day), `reply day ${day}`);
  } finally {
    await session.close();
  }
});

// The staff pages carry one script, the listener's own /static/staff.js (the
// browser-side Argon2id and age identity of issue 10); nothing inline and
// nothing from another origin.
test('staff listener: only its own script, and metrics that name nobody', async () => {
  assert.ok(source.codename, 'needs the first-contact test');
  const session = await openSession({ origin: server.staffOrigin });
  try {
    const { page, requests } = session;
    const home = await page.goto('/');
    assert.equal(home.status(), 200);
    const html = await home.text();
    const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? [];
    assert.equal((html.match(/<script\b/gi) ?? []).length, scripts.length, 'an unclosed script tag');
    for (const tag of scripts) {
      assert.match(tag, /^<script src="\/static\/staff\.js" defer><\/script>$/, `unexpected script: ${tag}`);
    }
    assert.match(await page.locator('body').textContent(), /Reviewer sign-in/);
    const metrics = await page.goto('/metrics');
    assert.equal(metrics.status(), 200);
    const text = await metrics.text();
    assert.match(text, /^# (HELP|TYPE) /m);
    for (const secret of [source.codename, source.message, source.followUp]) {
      assert.ok(!text.includes(secret), 'metrics contain what a source typed');
    }
    for (const url of requests) assert.ok(url.startsWith(`${server.staffOrigin}/`), `request to ${url}`);
  } finally {
    await session.close();
  }
});

// Issue 7: opening the first-contact page again (a second tab, the language
// switch) shows the same codename, in the other language's words, and the
// form filled first is still accepted; so is the second tab's (it follows
// the first up).
test('a second tab and the language switch keep the codename; both forms are accepted', async () => {
  const session = await openSession({ origin: server.origin });
  try {
    const { context, page, requests } = session;
    await page.goto('/en/first-contact');
    const english = (await page.locator('#codename').textContent()).trim().split(/\s+/);
    await page.fill('#message', `first tab ${crypto.randomUUID()}`);

    const second = await context.newPage();
    await second.goto('/en/first-contact');
    assert.deepEqual((await second.locator('#codename').textContent()).trim().split(/\s+/), english);
    await Promise.all([second.waitForLoadState('load'), second.click('a.language-switch')]);
    assert.equal(pathOf(second), '/fa/first-contact');
    const persian = (await second.locator('#codename').textContent()).trim().split(/\s+/);
    const en = wordlist('en');
    const fa = wordlist('fa');
    assert.deepEqual(persian.map((w) => fa.indexOf(w)), english.map((w) => en.indexOf(w)));
    assert.ok(!persian.some((w) => fa.indexOf(w) < 0), 'a Persian word not in the list');

    assert.equal((await submit(page, 'form[action="/en/first-contact"]')).status(), 303);
    assert.equal(pathOf(page), '/en/inbox?sent=1');
    await second.fill('#message', `second tab ${crypto.randomUUID()}`);
    assert.equal((await submit(second, 'form[action="/fa/first-contact"]')).status(), 303);
    assert.equal(pathOf(second), '/fa/inbox?sent=1');
    assertOnlyOurOrigin(requests);
  } finally {
    await session.close();
  }
});

test('the server stops cleanly on SIGTERM with no sanitizer report', async () => {
  const stopped = await server.stop();
  server = null;
  assert.equal(stopped.sanitizerReport, false, stopped.stderr);
  assert.equal(stopped.signal, null, `killed by ${stopped.signal}:\n${stopped.stderr}`);
  assert.equal(stopped.code, 0, stopped.stderr);
});
