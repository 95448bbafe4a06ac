// SPDX-License-Identifier: AGPL-3.0-or-later
// web/bench/staff_list_render.mjs: the reviewers' workspace at 10,000 cases
// in Debian's Chromium (issue 10, "Benchmarks"; reported, never asserted).
// Builds a fresh installation with the real binary: `init --demo`, a
// reviewer added with `reviewer add` and enrolled in Chromium from the link
// (TOTP computed here), put in the recipient set; one source's case made
// through the real no-JavaScript pages (a first contact with claims and a
// 100 KiB file, then a follow-up message: 3 items, encrypted by the server
// to the recipient set); then, with the server stopped, that case's rows
// (source, case, event, items: same ciphertext) copied with the `sqlite3`
// tool until the installation holds CASES cases (default 10,000), every
// tenth graded B2 as bench/staff_list_bench.cpp does. Then `safehouse serve`
// on 127.0.0.1 and, measured with performance.now() in the page:
//   sign-in   click on "Sign in" → the first page's rows in the DOM / painted
//             (Argon2id in the page, login, GET /api/staff/cases, render);
//             a fresh Chromium each run
//   list      the list asked again (the filter's change event, as a filter
//             change does) → rows in the DOM / painted, with the fetch's
//             Resource Timing (TTFB: requestStart → responseStart)
//   open      a click on a case's button → #case[data-ready=true] (case
//             JSON, its 3 items fetched and age-decrypted in the page, shown)
//   server    GET /api/staff/cases (and a late page, limit=1000, one case)
//             from node:http with the reviewer's cookie, on one kept-alive
//             connection and on a new connection each, and from curl: time
//             to the headers and to the last body byte
// and the page's JS heap (CDP Runtime.getHeapUsage after a forced GC), the
// server's VmHWM. Prints a table and writes JSON to OUT (optional).
// Run by bench/staff_list_render.sh inside a loopback-only network
// namespace. Usage: node web/bench/staff_list_render.mjs [CASES [RUNS [OUT]]]
// with SAFEHOUSE_BIN set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { openSession } from '../../tests/browser/lib/browser.mjs';
import { initInstallation, runCli, startServer } from '../../tests/browser/lib/server.mjs';

const bin = process.env.SAFEHOUSE_BIN;
assert.ok(bin && fs.existsSync(bin), 'SAFEHOUSE_BIN must name the built safehouse binary');
const totalCases = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 15);
const outFile = process.argv[4];
const signInRuns = Math.min(3, runs);
const pageSize = 100; // what the workspace asks for (the route's default)

const reviewer = { name: 'alice', passphrase: `alice passphrase ${crypto.randomUUID()}`, lastStep: 0 };
const sourceMessage = `I serve in the police and want to leave. ${crypto.randomUUID()}`;
const followUp = `More about my unit. ${crypto.randomUUID()}`;
const log = (...args) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowSeconds = () => Math.floor(Date.now() / 1000);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

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

// A code for a step after the last one used and at most one step ahead of
// now (the server's window is one step either side; it refuses a step twice).
async function nextCode() {
  while (reviewer.lastStep > nowSeconds()) await sleep(1000);
  reviewer.lastStep = Math.max(nowSeconds(), reviewer.lastStep + 30);
  return totp(reviewer.totpSecret, reviewer.lastStep);
}

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))];
  return { n: v.length, median: q(0.5), min: v[0], p25: q(0.25), p75: q(0.75), max: v[v.length - 1] };
}

function vmHwmKib(pid) {
  const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', ['-bail', db], { input: sql, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function assertLoopbackOnly(requests) {
  for (const url of requests) {
    assert.ok(url.startsWith('http://127.0.0.1:') || url.startsWith('blob:'), `elsewhere: ${url}`);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-list-render-'));
const dataDir = path.join(work, 'data');
const dbPath = path.join(dataDir, 'safehouse.sqlite3');
const sessions = [];
let server;
const result = { cases: totalCases, runs, page_size: pageSize, load: {}, timings: {}, heap: {} };

async function open(origin, javaScript = true) {
  const session = await openSession({ origin, javaScript });
  sessions.push(session);
  return session;
}
async function closeSession(session) {
  assertLoopbackOnly(session.requests);
  await session.close();
  sessions.splice(sessions.indexOf(session), 1);
}

async function enrol() {
  const session = await open(server.staffOrigin);
  const { page } = session;
  await page.goto(`/en/enrol#${reviewer.token}`);
  await page.waitForSelector('#enrol-form:not([hidden])', { timeout: 60_000 });
  reviewer.totpSecret = (await page.textContent('#totp-secret')).trim();
  await page.fill('#passphrase', reviewer.passphrase);
  await page.fill('#passphrase-again', reviewer.passphrase);
  await page.fill('#code', await nextCode());
  await page.click('#enrol');
  await page.waitForSelector('#status[data-msg="enrolled"]', { timeout: 120_000 });
  await closeSession(session);
}

// The template case, through the source pages without JavaScript.
async function sourceCase() {
  const session = await open(server.origin, false);
  const { page } = session;
  await page.goto('/en/first-contact');
  await page.fill('#message', sourceMessage);
  await page.selectOption('select[name="claim_branch"]', 'police');
  await page.fill('input[name="claim_rank"]', 'sergeant');
  await page.fill('input[name="claim_region"]', 'Tehran');
  await page.setInputFiles('#files', [
    { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: crypto.randomBytes(100 * 1024) },
  ]);
  const [first] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === 'POST'),
    page.click('form[action="/en/first-contact"] button[type=submit]'),
  ]);
  assert.equal(first.status(), 303);
  await page.goto('/en/inbox');
  await page.fill('#message', followUp);
  const [more] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === 'POST'),
    page.click('form[action="/en/inbox"] button[type=submit]'),
  ]);
  assert.equal(more.status(), 303);
  await closeSession(session);
}

// With the server stopped: copies case `template` (its source, case, events
// and items) until there are `total` cases.
function fillCases(template, total) {
  const have = Number(sqlite(dbPath, 'SELECT COUNT(*) FROM cases;'));
  const copies = total - have;
  if (copies <= 0) return { copies: 0, ms: 0 };
  const max = Number(sqlite(dbPath, 'SELECT MAX(case_id) FROM cases;'));
  const t0 = performance.now();
  sqlite(dbPath, `
PRAGMA foreign_keys=ON;
BEGIN;
CREATE TEMP TABLE copies AS
  WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${copies})
  SELECT i, randomblob(32) AS sid FROM k;
INSERT INTO sources (source_id, alias, created_day, reply_recipient, signing_key)
  SELECT k.sid, s.alias || '-' || k.i, s.created_day, s.reply_recipient, s.signing_key
  FROM copies k, cases c JOIN sources s ON s.source_id = c.source_id WHERE c.case_id = ${template};
INSERT INTO cases (source_id, status, created_day, last_event_day, item_count, category, grade)
  SELECT k.sid, c.status, c.created_day, c.last_event_day, c.item_count, c.category, c.grade
  FROM copies k, cases c WHERE c.case_id = ${template} ORDER BY k.i;
INSERT INTO case_events (case_id, event_number, day, status)
  SELECT c.case_id, e.event_number, e.day, e.status
  FROM cases c, case_events e WHERE c.case_id > ${max} AND e.case_id = ${template};
INSERT INTO items (case_id, direction, sha256, ciphertext_size, day, in_blob, inline_body)
  SELECT c.case_id, i.direction, i.sha256, i.ciphertext_size, i.day, i.in_blob, i.inline_body
  FROM cases c, items i WHERE c.case_id > ${max} AND i.case_id = ${template}
  ORDER BY c.case_id, i.item_id;
UPDATE cases SET grade = 'B2' WHERE case_id % 10 = 0;
COMMIT;
`);
  return { copies, ms: performance.now() - t0 };
}

// In the page: waits for `expected` case rows in #cases after `start()`;
// returns ms to the rows in the DOM and to the frame after they were painted,
// with the Resource Timing of the list's fetch.
async function timeList(page, how, expected) {
  return page.evaluate(
    async ({ how, expected }) => {
      const body = document.querySelector('#cases tbody');
      performance.clearResourceTimings();
      const done = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (body.querySelectorAll('tr[data-case-id]').length < expected) return;
          observer.disconnect();
          const rows = performance.now();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve({ rows, painted: performance.now() })));
        });
        observer.observe(body, { childList: true });
      });
      let t0;
      if (how === 'sign-in') {
        // The click's time: a capturing listener on the button, run first.
        const button = document.getElementById('sign-in');
        const clicked = new Promise((resolve) =>
          button.addEventListener('click', () => resolve(performance.now()), { capture: true, once: true }));
        window.__safehouseBenchClicked = clicked;
        t0 = await clicked;
      } else {
        body.replaceChildren();
        t0 = performance.now();
        document.getElementById('status-filter').dispatchEvent(new Event('change'));
      }
      const { rows, painted } = await done;
      const entries = performance.getEntriesByType('resource');
      const list = entries.find((e) => /\/api\/staff\/cases(\?|$)/.test(e.name));
      const login = entries.find((e) => e.name.endsWith('/api/staff/login'));
      return {
        rows: rows - t0,
        painted: painted - t0,
        fetchStart: list.startTime - t0,
        ttfb: list.responseStart - list.requestStart,
        fetch: list.responseEnd - list.startTime,
        bytes: list.encodedBodySize,
        login: login ? login.responseEnd - login.startTime : null,
        count: body.querySelectorAll('tr[data-case-id]').length,
      };
    },
    { how, expected },
  );
}

async function signIn(expected) {
  const session = await open(server.staffOrigin);
  const { page } = session;
  await page.goto('/en/');
  await page.fill('#name', reviewer.name);
  await page.fill('#passphrase', reviewer.passphrase);
  await page.fill('#code', await nextCode());
  const timing = timeList(page, 'sign-in', expected);
  await page.waitForFunction(() => window.__safehouseBenchClicked !== undefined);
  await page.click('#sign-in');
  const t = await timing;
  assert.equal(await page.getAttribute('#status', 'data-msg'), 'signed-in');
  return { session, timing: t };
}

// Opens case `id` by its button; returns ms to #case[data-ready=true] and to
// the next painted frame, and what the page showed.
async function timeOpen(page, id) {
  return page.evaluate(async (id) => {
    const box = document.getElementById('case');
    performance.clearResourceTimings();
    const done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (box.dataset.ready !== 'true' || box.dataset.caseId !== String(id)) return;
        observer.disconnect();
        const ready = performance.now();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ready, painted: performance.now() })));
      });
      observer.observe(box, { attributes: true, attributeFilter: ['data-ready'] });
    });
    const t0 = performance.now();
    document.querySelector(`#cases tr[data-case-id="${id}"] button.open-case`).click();
    const { ready, painted } = await done;
    const entries = performance.getEntriesByType('resource');
    const json = entries.find((e) => new RegExp(`/api/staff/cases/${id}$`).test(e.name));
    const items = entries.filter((e) => /\/api\/staff\/items\/\d+$/.test(e.name));
    return {
      ready: ready - t0,
      painted: painted - t0,
      caseJson: json.responseEnd - json.startTime,
      caseTtfb: json.responseStart - json.requestStart,
      itemFetches: items.reduce((sum, e) => sum + (e.responseEnd - e.startTime), 0),
      itemTtfbs: items.reduce((sum, e) => sum + (e.responseStart - e.requestStart), 0),
      perItem: items.map((e) => ({ ttfb: e.responseStart - e.requestStart, total: e.responseEnd - e.startTime,
        bytes: e.encodedBodySize })),
      itemCount: items.length,
      shown: document.querySelectorAll('#case-items li').length,
      unreadable: document.querySelectorAll('#case-items .item-unreadable').length,
      message: document.querySelector('#case-items .item-message')?.textContent.trim(),
      followUp: document.querySelectorAll('#case-items .item-message')[1]?.textContent.trim(),
      files: document.querySelectorAll('#case-items .item-file').length,
    };
  }, id);
}

async function heap(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return { used_mib: usedSize / 2 ** 20, total_mib: totalSize / 2 ** 20 };
}

// node:http with the reviewer's cookie, one request at a time: ms to the
// response's headers and to its last body byte. `keepAlive`: all requests on
// one connection, as a browser sends them; otherwise a new connection each.
function getOnce(url, cookie, agent) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const request = http.get(url, { agent, headers: { Cookie: cookie } }, (response) => {
      const headers = performance.now();
      let bytes = 0;
      const chunks = [];
      response.on('data', (chunk) => {
        bytes += chunk.length;
        if (chunks.length < 64) chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, ttfb: headers - t0, total: performance.now() - t0, bytes,
        body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function timeServer(origin, cookie, url, n, keepAlive = true) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const ttfb = [];
  const total = [];
  let bytes = 0;
  try {
    for (let i = 0; i < n; i++) {
      const r = await getOnce(`${origin}${url}`, cookie, agent);
      assert.equal(r.status, 200, `${url}: ${r.status}`);
      ttfb.push(r.ttfb);
      total.push(r.total);
      bytes = r.bytes;
    }
  } finally {
    if (agent) agent.destroy();
  }
  return { ...stats(total), ttfb: stats(ttfb), bytes };
}

// The same with curl (one process, one connection a request): TTFB and the
// last byte, as curl's -w reports them.
function timeCurl(origin, cookie, url, n) {
  const ttfb = [];
  const total = [];
  for (let i = 0; i < n; i++) {
    const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-H', `Cookie: ${cookie}`, '-w',
      '%{http_code} %{time_starttransfer} %{time_total}', `${origin}${url}`], { encoding: 'utf8' });
    const [code, first, last] = r.stdout.split(' ');
    assert.equal(code, '200', `curl ${url}: ${r.stdout} ${r.stderr}`);
    ttfb.push(Number(first) * 1000);
    total.push(Number(last) * 1000);
  }
  return { ttfb: stats(ttfb), total: stats(total) };
}

try {
  log(`fresh installation in ${work}; ${totalCases} cases, ${runs} runs; load ${load()}`);
  initInstallation(bin, dataDir);
  const added = runCli(bin, ['reviewer', 'add', '--data', dataDir, reviewer.name]);
  assert.equal(added.code, 0, added.stderr);
  reviewer.token = /\/en\/enrol#([0-9a-f]{64})/.exec(added.stdout)[1];
  server = await startServer(bin, dataDir);
  await enrol();
  await server.stop();
  const recipients = runCli(bin, ['recipients', 'add', '--data', dataDir, reviewer.name]);
  assert.equal(recipients.code, 0, recipients.stderr);
  server = await startServer(bin, dataDir);
  await sourceCase();
  await server.stop();
  server = null;

  const template = Number(sqlite(dbPath, 'SELECT MAX(case_id) FROM cases;'));
  assert.equal(Number(sqlite(dbPath, `SELECT COUNT(*) FROM items WHERE case_id = ${template};`)), 3);
  const fill = fillCases(template, totalCases);
  const counts = sqlite(dbPath, 'SELECT (SELECT COUNT(*) FROM cases) || \' \' || (SELECT COUNT(*) FROM items);');
  log(`filled: ${fill.copies} copies of case ${template} in ${(fill.ms / 1000).toFixed(1)} s; cases items: ${counts}`);
  result.fill = { template, ...fill, cases_items: counts };
  assert.equal(Number(counts.split(' ')[0]), totalCases);

  server = await startServer(bin, dataDir);
  const expected = Math.min(pageSize, totalCases);
  result.load.start = load();

  // (2a) sign-in → first page, each in a fresh Chromium.
  const signIns = [];
  let kept;
  for (let i = 0; i < signInRuns; i++) {
    const { session, timing } = await signIn(expected);
    assert.equal(timing.count, expected);
    signIns.push(timing);
    log(`sign-in ${i + 1}: rows ${timing.rows.toFixed(0)} ms, painted ${timing.painted.toFixed(0)} ms ` +
      `(list fetch from ${timing.fetchStart.toFixed(0)} ms, TTFB ${timing.ttfb.toFixed(1)} ms)`);
    if (kept) await closeSession(kept);
    kept = session;
  }
  const { page } = kept;
  result.heap.after_sign_in = await heap(page);

  // (2b) the list again, same page.
  const lists = [];
  for (let i = 0; i < runs; i++) {
    const t = await timeList(page, 'list', expected);
    assert.equal(t.count, expected);
    lists.push(t);
  }
  result.heap.after_lists = await heap(page);
  log(`list x${runs}: median rows ${stats(lists.map((t) => t.rows)).median.toFixed(1)} ms; load ${load()}`);

  // (3) open a case: a different one each run, from the first page.
  const firstIds = await page.$$eval('#cases tr[data-case-id]', (rows) => rows.map((r) => Number(r.dataset.caseId)));
  const opens = [];
  for (let i = 0; i < runs; i++) {
    const id = firstIds[(i * 7) % firstIds.length];
    const t = await timeOpen(page, id);
    assert.equal(t.shown, 3);
    assert.equal(t.unreadable, 0);
    assert.equal(t.message, sourceMessage);
    assert.equal(t.followUp, followUp);
    assert.equal(t.files, 1);
    opens.push({ id, ...t });
  }
  result.heap.after_opens = await heap(page);
  log(`open x${runs}: median ${stats(opens.map((t) => t.ready)).median.toFixed(0)} ms; load ${load()}`);

  // (1) the server alone, from Node.
  const cookie = (await kept.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const oneCase = await getOnce(`${server.staffOrigin}/api/staff/cases/${firstIds[1]}`, cookie, false);
  const [messageItem, fileItem] = [...JSON.parse(oneCase.body).case.items].sort((a, b) => a.size - b.size).slice(0, 1)
    .concat([...JSON.parse(oneCase.body).case.items].sort((a, b) => b.size - a.size).slice(0, 1));
  const server1 = {
    first_page: await timeServer(server.staffOrigin, cookie, '/api/staff/cases', runs * 2),
    late_page: await timeServer(server.staffOrigin, cookie, `/api/staff/cases?after=${totalCases - 150}`, runs * 2),
    grade_B2: await timeServer(server.staffOrigin, cookie, '/api/staff/cases?grade=B2', runs * 2),
    limit_1000: await timeServer(server.staffOrigin, cookie, '/api/staff/cases?limit=1000', runs),
    one_case: await timeServer(server.staffOrigin, cookie, `/api/staff/cases/${firstIds[1]}`, runs * 2),
    item_message: await timeServer(server.staffOrigin, cookie, `/api/staff/items/${messageItem.id}`, runs * 2),
    item_file: await timeServer(server.staffOrigin, cookie, `/api/staff/items/${fileItem.id}`, runs * 2),
    first_page_new_connections: await timeServer(server.staffOrigin, cookie, '/api/staff/cases', runs * 2, false),
    curl_first_page: timeCurl(server.staffOrigin, cookie, '/api/staff/cases', runs * 2),
  };
  result.load.end = load();
  result.server_vmhwm_mib = vmHwmKib(server.pid) / 1024;
  await closeSession(kept);
  kept = null;

  const pick = (list, key) => stats(list.map((t) => t[key]));
  result.timings = {
    sign_in_rows: pick(signIns, 'rows'),
    sign_in_painted: pick(signIns, 'painted'),
    sign_in_list_fetch_starts_at: pick(signIns, 'fetchStart'),
    sign_in_login_post: pick(signIns, 'login'),
    list_rows: pick(lists, 'rows'),
    list_painted: pick(lists, 'painted'),
    list_fetch: pick(lists, 'fetch'),
    list_ttfb: pick(lists, 'ttfb'),
    open_ready: pick(opens, 'ready'),
    open_painted: pick(opens, 'painted'),
    open_case_json: pick(opens, 'caseJson'),
    open_item_fetches: pick(opens, 'itemFetches'),
    open_item_ttfbs: pick(opens, 'itemTtfbs'),
    server_node_fetch: server1,
  };
  result.list_body_bytes = lists[0].bytes;
  result.raw = { signIns, lists, opens };
  result.chromium = (await (async () => {
    const s = await open(server.staffOrigin);
    const v = s.context.browser()?.version() ?? (await s.page.evaluate(() => navigator.userAgent));
    await closeSession(s);
    return v;
  })());

  const row = (label, s) =>
    `| ${label} | ${s.median.toFixed(1)} | ${s.min.toFixed(1)} – ${s.max.toFixed(1)} | ${s.p25.toFixed(1)} – ${s.p75.toFixed(1)} | ${s.n} |`;
  const lines = [
    `| at ${totalCases} cases, page of ${expected} | median ms | min – max | p25 – p75 | runs |`,
    '|---|---:|---:|---:|---:|',
    row('server: GET /api/staff/cases, first page (node:http, one kept-alive connection, last byte)', server1.first_page),
    row('server: the same, TTFB (headers)', server1.first_page.ttfb),
    row('server: first page, a new connection each (node:http, last byte)', server1.first_page_new_connections),
    row(`server: a late page (after=${totalCases - 150})`, server1.late_page),
    row('server: grade=B2', server1.grade_B2),
    row('server: limit=1000', server1.limit_1000),
    row('server: GET /api/staff/cases/ID (one case; audited)', server1.one_case),
    row(`server: GET /api/staff/items/ID, the smallest item (${server1.item_message.bytes} B, inline; audited)`, server1.item_message),
    row(`server: GET /api/staff/items/ID, the file (${server1.item_file.bytes} B, a blob; audited)`, server1.item_file),
    row('server: first page, curl TTFB', server1.curl_first_page.ttfb),
    row('server: first page, curl last byte', server1.curl_first_page.total),
    row('browser: list fetch, Resource Timing TTFB', result.timings.list_ttfb),
    row('browser: list fetch, start → last byte', result.timings.list_fetch),
    row('browser: list asked again → rows in the DOM', result.timings.list_rows),
    row('browser: list asked again → rows painted', result.timings.list_painted),
    row('browser: sign-in click → rows in the DOM (fresh Chromium)', result.timings.sign_in_rows),
    row('browser: sign-in click → rows painted', result.timings.sign_in_painted),
    row('  of which: click → list fetch starts (Argon2id, login)', result.timings.sign_in_list_fetch_starts_at),
    row('browser: open a case → 3 items decrypted and shown', result.timings.open_ready),
    row('browser: open a case → painted', result.timings.open_painted),
    row('  of which: GET /api/staff/cases/ID', result.timings.open_case_json),
    row('  of which: the 3 item fetches, start → last byte (sequential; decryption streams as they arrive)', result.timings.open_item_fetches),
    row('    of which: their TTFBs (server: audit entry `download`, then the first byte)', result.timings.open_item_ttfbs),
  ];
  console.log(lines.join('\n'));
  const h = result.heap;
  console.log(`JS heap used (after GC): after sign-in ${h.after_sign_in.used_mib.toFixed(1)} MiB, ` +
    `after ${runs} list loads ${h.after_lists.used_mib.toFixed(1)} MiB, after ${runs} case opens ` +
    `${h.after_opens.used_mib.toFixed(1)} MiB; list body ${result.list_body_bytes} bytes; ` +
    `server VmHWM ${result.server_vmhwm_mib.toFixed(1)} MiB; ${result.chromium}; load ${result.load.start} → ${result.load.end}`);
  if (outFile) fs.writeFileSync(outFile, `${JSON.stringify(result, null, 1)}\n`);
} finally {
  for (const s of [...sessions]) await s.close().catch(() => {});
  if (server) {
    const stopped = await server.stop();
    if (stopped.sanitizerReport) console.error(stopped.stderr);
  }
  fs.rmSync(work, { recursive: true, force: true });
}
