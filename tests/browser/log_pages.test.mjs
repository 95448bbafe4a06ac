// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/log_pages.test.mjs: the transparency log on the source pages
// (docs/tlog.md, "On the source pages"), in Debian's Chromium with
// JavaScript off, in English and Persian: the landing page lists a
// statement with the observer that cosigned it (Persian digits, RTL,
// "fewer than" below the threshold); the published page lists the files
// `statement sign` published and its form answers a hash typed in: ours
// (with the inclusion proof), not ours, malformed. Run by run.sh inside a
// loopback-only network namespace.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openSession } from './lib/browser.mjs';
import { persianDigits, t } from './lib/catalog.mjs';
import { initInstallation, runCli, startServer } from './lib/server.mjs';

const bin = process.env.SAFEHOUSE_BIN;
assert.ok(bin && fs.existsSync(bin), 'SAFEHOUSE_BIN must name the built safehouse binary');

let work;
let dataDir;
let server;
const files = []; // {sha256, language}

function cli(args) {
  const { code, stdout, stderr } = runCli(bin, args);
  assert.equal(code, 0, `safehouse ${args.join(' ')} failed: ${stderr}`);
  return stdout;
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-browser-log-'));
  dataDir = path.join(work, 'data');
  const { verifierKey } = initInstallation(bin, dataDir);
  for (const [name, language, bytes] of [
    ['statement-en.txt', 'en', Buffer.from('We never ask for your name.\n')],
    ['statement-fa.mp4', 'fa', crypto.randomBytes(50_000)],
  ]) {
    const file = path.join(work, name);
    fs.writeFileSync(file, bytes);
    cli(['statement', 'sign', '--data', dataDir, '--language', language, file]);
    files.push({ sha256: crypto.createHash('sha256').update(bytes).digest('hex'), language });
  }
  server = await startServer(bin, dataDir);
  // An accredited observer checks the log and cosigns the statement.
  const identity = path.join(work, 'observer.key');
  const line = /^\s+(ngo-watch age1\S+ ngo-watch\+\S+)$/m.exec(
    cli(['observer', 'keygen', 'ngo-watch', '-o', identity]));
  assert.ok(line, 'observer keygen printed no line for observer add');
  cli(['observer', 'add', '--data', dataDir, ...line[1].split(' ')]);
  cli(['statement', 'publish', '--data', dataDir, '--period', new Date().toISOString().slice(0, 4)]);
  const observed = runCli(bin, ['observe', '--url', `${server.origin}/log`, '--identity', identity,
    '--state', path.join(work, 'observer-state'), '--key', verifierKey]);
  assert.equal(observed.code, 0, `observe failed: ${observed.stdout}${observed.stderr}`);
  assert.match(observed.stdout, /cosigned/);
});

after(async () => {
  if (server) await server.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function assertPlainPage(page, response, lang, requests) {
  assert.doesNotMatch(await response.text(), /<script/i);
  assert.equal(await page.locator('script').count(), 0);
  assert.equal(await page.locator('html').getAttribute('lang'), lang);
  assert.equal(await page.locator('html').getAttribute('dir'), lang === 'fa' ? 'rtl' : 'ltr');
  for (const url of requests) assert.ok(url.startsWith(`${server.origin}/`), `request elsewhere: ${url}`);
}

const digits = (lang, text) => (lang === 'fa' ? persianDigits(text) : text);

for (const lang of ['en', 'fa']) {
  test(`landing lists the statement and its cosigner, then the published page checks hashes (${lang})`, async () => {
    const session = await openSession({ origin: server.origin });
    try {
      const { page, requests } = session;
      const landing = await page.goto(`/${lang}/`);
      assert.equal(landing.status(), 200);
      await assertPlainPage(page, landing, lang, requests);
      const statement = page.locator('#statements article.statement');
      assert.equal(await statement.count(), 1);
      assert.equal((await page.locator('#statements h2').textContent()).trim(), t(lang, 'Our published figures'));
      // No case yet: every count is below the threshold, said in words.
      const received = statement.locator('tr', { hasText: t(lang, 'Received') }).locator('td.count');
      assert.equal((await received.textContent()).trim(), `${t(lang, 'fewer than')} ${digits(lang, '10')}`);
      assert.equal((await statement.locator('.size').textContent()).trim(), digits(lang, '2'));
      assert.equal((await statement.locator('bdi.cosigner').textContent()).trim(), 'ngo-watch');
      assert.equal(await statement.locator('a[href="/log/statements/1"]').count(), 1);

      // On to the published page by its link.
      await page.click(`a[href="/${lang}/published"]`);
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).pathname, `/${lang}/published`);
      const rows = page.locator('table.published tbody tr');
      assert.equal(await rows.count(), 2);
      assert.match(await rows.nth(0).textContent(), new RegExp(files[1].sha256));
      assert.equal((await rows.nth(0).locator('td').nth(1).textContent()).trim(), t(lang, 'Persian'));

      // A hash typed into the form (upper case, with spaces): ours.
      const check = async (typed) => {
        await page.fill('#sha256', typed);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/published?')),
          page.click('form[action$="/published#result"] button[type=submit]'),
        ]);
        await page.waitForLoadState('load');
        await assertPlainPage(page, response, lang, requests);
        return response;
      };
      let response = await check(`  ${files[0].sha256.toUpperCase()} `);
      assert.equal(response.status(), 200);
      const result = page.locator('#result');
      assert.equal((await result.locator('h2').textContent()).trim(), t(lang, 'Published by us'));
      assert.match(await result.textContent(), new RegExp(t(lang, 'Language: English.').replace('.', '\\.')));
      assert.equal((await result.locator('.index').textContent()).trim(), digits(lang, '0'));
      assert.equal(await result.locator('ol.proof-hashes li').count(), 1, 'a 2-entry tree: one proof hash');
      assert.match(await result.locator('pre.key').textContent(), /\n2\n/);

      // Not ours, then not a hash at all.
      response = await check(crypto.createHash('sha256').update('a fake').digest('hex'));
      assert.equal(response.status(), 200);
      assert.equal((await result.locator('h2').textContent()).trim(), t(lang, 'Not published by us'));
      response = await check('<b>not a hash</b>');
      assert.equal(response.status(), 400);
      assert.equal((await result.locator('p').textContent()).trim(),
        t(lang, 'That is not a SHA-256: it must be 64 characters, each 0-9 or a-f.'));
      assert.equal(await page.locator('b').count(), 0, 'typed markup must not render');
    } finally {
      await session.close();
    }
  });
}
