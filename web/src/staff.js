// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/staff.js: the staff listener's pages (src/web/templates/staff_*):
// enrolment from the one-time link, sign-in with the passphrase and a TOTP
// code, identity export, sign-out (here, everywhere) and the case list.
// The passphrase, the unlocking key and the identity stay in this page's
// memory; the server gets the authentication key, the encrypted identity
// and public keys (staff_keys.js). Texts come translated from the page's
// #messages; the page's language is the server's choice. Bundled by
// build.mjs into staff.js (CSP script-src 'self').
import { Decrypter } from 'age-encryption';
import { decodeFrame, encodeFrame, parseFrameHeader, TEXT_MEDIA_TYPE } from './item.js';
import { sealBytes } from './seal.js';
import {
  base64,
  identityInKeyFile,
  keyFileText,
  keysFor,
  newKeys,
  newTotpSecret,
  openIdentity,
  sealIdentity,
  signApproval,
  stretchPassphrase,
} from './staff_keys.js';

export * from './staff_keys.js';

const $ = (id) => document.getElementById(id);

function message(key) {
  const node = document.querySelector(`#messages [data-msg="${key}"]`);
  return node ? node.textContent : key;
}

function say(key) {
  $('status').textContent = message(key);
  $('status').dataset.msg = key;
}

async function post(path, body, csrf) {
  const headers = { 'Content-Type': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  let json = {};
  try {
    json = await response.json();
  } catch {
    json = {};
  }
  return { ok: response.ok, status: response.status, json };
}

// ---- enrolment ----

async function startEnrolment(root) {
  const installation = root.dataset.installation;
  const token = location.hash.slice(1);
  say('checking');
  const checked = await post('/api/staff/enrol/check', { token });
  if (!checked.ok) {
    say(checked.json.error === 'expired-link' ? 'expired-link' : 'invalid-link');
    return;
  }
  const { name, recipient, keys_replaceable: replaceable } = checked.json;
  $('enrol-name').textContent = name;
  $('enrol-for').hidden = false;
  $('import').hidden = replaceable;
  const totpSecret = newTotpSecret();
  $('totp-secret').textContent = totpSecret;
  $('totp-uri').textContent =
    `otpauth://totp/Safehouse:${encodeURIComponent(name)}?secret=${totpSecret}` +
    '&issuer=Safehouse&algorithm=SHA1&digits=6&period=30';
  $('enrol-form').hidden = false;
  $('status').textContent = '';
  $('enrol-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const passphrase = $('passphrase').value;
    if (passphrase.length < 12) return say('short');
    if (passphrase !== $('passphrase-again').value) return say('mismatch');
    let keys;
    try {
      if (replaceable) {
        keys = await newKeys();
      } else {
        const identity = identityInKeyFile($('key-file').value);
        keys = identity ? await keysFor(identity) : null;
      }
    } catch {
      return say('failed');
    }
    if (!keys || (!replaceable && keys.recipient !== recipient)) return say('bad-key-file');
    $('enrol').disabled = true;
    say('working');
    try {
      const { auth, unlock } = await stretchPassphrase(passphrase, installation, name);
      const box = sealIdentity(unlock, name, keys.identity);
      unlock.fill(0);
      const result = await post('/api/staff/enrol', {
        token,
        auth_key: base64.encode(auth),
        identity_box: base64.encode(box),
        recipient: keys.recipient,
        signing_key: base64.encode(keys.signingKey),
        totp_secret: totpSecret,
        totp_code: $('code').value.trim(),
      });
      if (result.ok) {
        $('enrol-form').hidden = true;
        $('passphrase').value = '';
        $('passphrase-again').value = '';
        $('key-file').value = '';
        $('enrolled').hidden = false;
        say('enrolled');
      } else {
        say(['invalid-link', 'wrong-code', 'conflict'].includes(result.json.error)
          ? result.json.error : 'failed');
      }
    } catch {
      say('failed');
    } finally {
      $('enrol').disabled = false;
    }
  });
}

// ---- sign-in and workspace ----

const utf8 = new TextEncoder();
const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

// Numbers in the page's language (Persian digits on the fa pages).
function digits(value) {
  const text = String(value);
  if (document.documentElement.lang !== 'fa') return text;
  return text.replace(/[0-9]/g, (d) => PERSIAN_DIGITS[Number(d)]);
}

// A message from #messages with {name} placeholders filled in.
function format(key, values) {
  return message(key).replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
}

function cell(row, text, dir) {
  const td = document.createElement('td');
  td.textContent = text;
  if (dir) td.dir = dir;
  row.append(td);
  return td;
}

function renderCases(cases, open) {
  const body = document.querySelector('#cases tbody');
  body.replaceChildren();
  for (const c of cases) {
    const row = document.createElement('tr');
    row.dataset.caseId = String(c.id);
    const first = cell(row, '');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'open-case';
    button.textContent = digits(c.id);
    button.addEventListener('click', () => open(c.id));
    first.append(button);
    cell(row, c.alias, 'ltr');
    cell(row, c.status, 'ltr').className = 'case-status';
    cell(row, digits(c.created_day));
    cell(row, digits(c.last_event_day));
    cell(row, digits(c.item_count));
    cell(row, c.category, 'ltr');
    cell(row, c.grade, 'ltr').className = 'case-grade';
    body.append(row);
  }
  if (cases.length === 0) {
    const row = document.createElement('tr');
    const td = cell(row, message('no-cases'));
    td.colSpan = 8;
    body.append(row);
  }
}

// Decrypts an item with the reviewer's identity as it streams in, into a
// Blob (the browser may keep its parts on disk), then reads its frame:
// { header, text (messages and replies), file (a Blob of a file's content) }.
async function openItem(identity, itemId) {
  const response = await fetch(`/api/staff/items/${itemId}`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`item ${itemId}: ${response.status}`);
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  const plain = await decrypter.decrypt(response.body);
  const parts = [];
  const reader = plain.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const document = new Blob(parts);
  if (document.size <= 4 << 20) {
    const bytes = new Uint8Array(await document.arrayBuffer());
    const { header, content } = decodeFrame(bytes);
    bytes.fill(0);
    if (header.kind === 'file') return { header, file: new Blob([content]) };
    return { header, text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  }
  // A large file: its header from the front, its length from the trailer.
  const prefix = new DataView(await document.slice(0, 4).arrayBuffer()).getUint32(0);
  if (prefix === 0 || prefix > 16 * 1024) throw new Error('frame: bad header length');
  const header = parseFrameHeader(
    new TextDecoder('utf-8', { fatal: true }).decode(await document.slice(4, 4 + prefix).arrayBuffer()),
  );
  const length = new DataView(await document.slice(document.size - 8).arrayBuffer()).getBigUint64(0);
  const start = 4 + prefix;
  if (length > BigInt(document.size - 8 - start)) throw new Error('frame: bad content length');
  return { header, file: document.slice(start, start + Number(length)) };
}

function startSignIn(root) {
  const installation = root.dataset.installation;
  let session = null; // { name, csrf, keys }

  let current = null; // the open case, as GET /api/staff/cases/ID answers
  for (const name of (root.dataset.categories ?? '').split(' ').filter(Boolean)) {
    $('category-filter').append(new Option(name, name));
  }
  for (const r of 'ABCDEF') {
    for (const c of '123456') $('grade-filter').append(new Option(`${r}${c}`, `${r}${c}`));
  }

  // Filters changed in quick succession start loads that may answer out of
  // order: only the newest load's answer is shown, or the list would show
  // an older filter's cases under the newer filter.
  let casesLoad = 0;
  const loadCases = async () => {
    const load = ++casesLoad;
    const query = new URLSearchParams();
    if ($('status-filter').value) query.set('status', $('status-filter').value);
    if ($('category-filter').value !== '*') query.set('category', $('category-filter').value);
    if ($('grade-filter').value !== '*') query.set('grade', $('grade-filter').value);
    const text = query.toString();
    const response = await fetch(`/api/staff/cases${text ? `?${text}` : ''}`, { credentials: 'same-origin' });
    if (response.status === 401) return signedOut('signed-out');
    if (load !== casesLoad) return;
    if (!response.ok) return say('failed');
    const { cases } = await response.json();
    if (load !== casesLoad) return;
    renderCases(cases, (id) => openCase(id));
  };

  const renderItems = async (c) => {
    const list = $('case-items');
    list.replaceChildren();
    const evidence = $('evidence');
    evidence.replaceChildren();
    for (const item of c.items) {
      const li = document.createElement('li');
      li.dataset.itemId = String(item.id);
      li.dataset.direction = item.direction;
      list.append(li);
      // The evidence an assessment's checks rest on: the SHA-256 of items.
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = item.sha256;
      box.className = 'evidence-item';
      label.append(box, ` ${digits(item.id)} `);
      const hash = document.createElement('code');
      hash.dir = 'ltr';
      hash.textContent = item.sha256.slice(0, 16);
      label.append(hash);
      evidence.append(label);
      try {
        const opened = await openItem(session.keys.identity, item.id);
        const title = document.createElement('strong');
        title.textContent = format(`item-${opened.header.kind}`, { id: digits(item.id), day: digits(item.day) });
        li.append(title);
        if (opened.text !== undefined) {
          const body = document.createElement('p');
          body.className = `item-text item-${opened.header.kind}`;
          body.dir = 'auto';
          body.textContent = opened.text;
          li.append(body);
        }
        const claims = opened.header.claims;
        if (claims && Object.values(claims).some((v) => v !== '')) {
          const p = document.createElement('p');
          p.className = 'item-claims';
          p.dir = 'auto';
          p.textContent = format('claims', claims);
          li.append(p);
        }
        if (opened.file) {
          const link = document.createElement('a');
          link.className = 'item-file';
          link.href = URL.createObjectURL(opened.file);
          link.download = opened.header.fileName || `item-${item.id}`;
          link.textContent = format('download', { name: link.download, size: digits(opened.file.size) });
          li.append(' ', link);
        }
      } catch {
        li.textContent = format('item-unreadable', { id: digits(item.id) });
        li.className = 'item-unreadable';
      }
    }
  };

  const renderAssessments = async (assessments) => {
    const list = $('assessments');
    list.replaceChildren();
    for (const a of assessments) {
      const li = document.createElement('li');
      li.className = 'assessment';
      let text = format('assessment', { version: digits(a.version), reviewer: a.reviewer, grade: a.grade, day: digits(a.day) });
      try {
        const decrypter = new Decrypter();
        decrypter.addIdentity(session.keys.identity);
        const record = JSON.parse(await decrypter.decrypt(base64.decode(a.sealed), 'text'));
        const checks = Object.entries(record.checks ?? {})
          .filter(([, v]) => v.done)
          .map(([k]) => message(`check-${k}`));
        text += ` — ${checks.join('، ')} ${record.notes ?? ''}`;
      } catch {
        text += ` — ${message('sealed-unreadable')}`;
      }
      li.textContent = text;
      list.append(li);
    }
  };

  const renderLinks = (state) => {
    const parts = [];
    if (state.duplicate_of) parts.push(format('duplicate-of', { case: digits(state.duplicate_of) }));
    if (state.duplicates.length > 0) {
      parts.push(format('duplicates', { cases: state.duplicates.map(digits).join('، ') }));
    }
    $('case-links').textContent = parts.join(' ');
    $('duplicate-of').value = '';
  };

  const renderMoves = (state) => {
    renderLinks(state);
    const moves = $('moves');
    moves.replaceChildren();
    for (const move of state.moves) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'move';
      button.dataset.to = move.to;
      const have = state.approvals.filter((a) => a.to === move.to).map((a) => a.reviewer);
      button.textContent = format(move.approvals > 1 ? 'move-two' : 'move-one', {
        to: move.to,
        have: digits(have.length),
        need: digits(move.approvals),
      });
      button.addEventListener('click', () => approve(move.to));
      moves.append(button);
    }
  };

  const openCase = async (id) => {
    delete $('case').dataset.ready;
    delete $('case-result').dataset.msg;
    const response = await fetch(`/api/staff/cases/${id}`, { credentials: 'same-origin' });
    if (response.status === 401) return signedOut('signed-out');
    if (!response.ok) return say('failed');
    current = await response.json();
    const c = current.case;
    $('case').hidden = false;
    $('case').dataset.caseId = String(c.id);
    $('case').dataset.status = c.status;
    $('case-id').textContent = digits(c.id);
    $('case-status').textContent = c.status;
    $('case-grade').textContent = c.grade || '—';
    $('case-category').textContent = c.category || '—';
    const categories = $('category');
    categories.replaceChildren(new Option(message('category-unchanged'), ''));
    for (const name of current.categories) categories.append(new Option(name, name));
    $('case-result').textContent = '';
    delete $('case-result').dataset.msg;
    renderMoves(current);
    await renderItems(c);
    await renderAssessments(current.assessments);
    $('case').dataset.ready = 'true';
  };

  const caseResult = (key, values = {}) => {
    $('case-result').textContent = format(key, values);
    $('case-result').dataset.msg = key;
  };

  const approve = async (to) => {
    if (!session || !current) return;
    delete $('case-result').dataset.msg;
    const c = current.case;
    // The case a duplicate repeats, typed in Persian or Latin digits.
    let duplicateOf = '';
    if (to === 'duplicate') {
      duplicateOf = $('duplicate-of').value.trim().replace(/[۰-۹]/g, (d) => String(PERSIAN_DIGITS.indexOf(d)));
      if (!/^[1-9][0-9]*$/.test(duplicateOf)) return caseResult('duplicate-needs-case');
    }
    const subject = { installation: current.installation, caseId: c.id, event: c.event, from: c.status, to };
    const signature = signApproval(session.keys.identity, subject);
    const result = await post(
      `/api/staff/cases/${c.id}/approve`,
      { from: c.status, to, event: String(c.event), signature: base64.encode(signature), duplicate_of: duplicateOf },
      session.csrf,
    );
    if (result.status === 401) return signedOut('signed-out');
    if (!result.ok) {
      caseResult('refused', { reason: result.json.reason ?? result.json.error ?? '' });
      return;
    }
    const r = result.json;
    await openCase(c.id);
    caseResult(r.moved ? 'moved' : 'approved', { to: r.to, have: digits(r.approvals), need: digits(r.needed) });
    await loadCases();
  };

  $('reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!session || !current) return;
    const text = $('reply-text').value;
    if (text.trim() === '') return;
    const c = current.case;
    try {
      const frame = encodeFrame(
        { kind: 'reply', mediaType: TEXT_MEDIA_TYPE, language: document.documentElement.lang === 'fa' ? 'fa' : 'en' },
        utf8.encode(text),
      );
      const sealed = await sealBytes([...current.recipients, current.reply_recipient], frame);
      frame.fill(0);
      const result = await post(`/api/staff/cases/${c.id}/reply`, { age: base64.encode(sealed) }, session.csrf);
      if (result.status === 401) return signedOut('signed-out');
      if (!result.ok) return caseResult('refused', { reason: result.json.reason ?? result.json.error ?? '' });
      $('reply-text').value = '';
      await openCase(c.id);
      caseResult('replied');
    } catch {
      caseResult('refused', { reason: '' });
    }
  });

  $('assess-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!session || !current) return;
    const c = current.case;
    const evidence = [...document.querySelectorAll('#evidence .evidence-item:checked')].map((b) => b.value);
    const record = {
      version: 1,
      case: c.id,
      reviewer: session.name,
      reliability: $('reliability').value,
      credibility: $('credibility').value,
      category: $('category').value,
      checks: Object.fromEntries(['source', 'technical', 'content'].map((k) => [k, {
        done: $(`check-${k}`).checked,
        evidence: $(`check-${k}`).checked ? evidence : [],
      }])),
      notes: $('notes').value,
    };
    try {
      const sealed = await sealBytes(current.recipients, utf8.encode(JSON.stringify(record)));
      const result = await post(`/api/staff/cases/${c.id}/assess`, {
        reliability: record.reliability,
        credibility: record.credibility,
        category: record.category,
        sealed: base64.encode(sealed),
      }, session.csrf);
      if (result.status === 401) return signedOut('signed-out');
      if (!result.ok) return caseResult('refused', { reason: result.json.reason ?? result.json.error ?? '' });
      $('notes').value = '';
      await openCase(c.id);
      caseResult('assessed', { version: digits(result.json.version) });
      await loadCases();
    } catch {
      caseResult('refused', { reason: '' });
    }
  });

  const signedOut = (key) => {
    session = null;
    current = null;
    $('case').hidden = true;
    $('workspace').hidden = true;
    $('exported').hidden = true;
    $('exported').textContent = '';
    const link = $('export-file');
    if (link.href) URL.revokeObjectURL(link.href);
    link.removeAttribute('href');
    link.hidden = true;
    $('sign-in-form').hidden = false;
    say(key);
  };

  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('name').value.trim();
    const passphrase = $('passphrase').value;
    $('sign-in').disabled = true;
    say('working');
    try {
      const { auth, unlock } = await stretchPassphrase(passphrase, installation, name);
      const result = await post('/api/staff/login', {
        name,
        auth_key: base64.encode(auth),
        totp_code: $('code').value.trim(),
      });
      if (!result.ok) {
        unlock.fill(0);
        const known = ['wrong', 'locked', 'throttled'];
        return say(known.includes(result.json.error) ? result.json.error : 'failed');
      }
      const identity = openIdentity(unlock, name, base64.decode(result.json.identity_box));
      unlock.fill(0);
      session = { name, csrf: result.json.csrf, keys: await keysFor(identity) };
      $('passphrase').value = '';
      $('code').value = '';
      $('who').textContent = name;
      $('sign-in-form').hidden = true;
      $('workspace').hidden = false;
      say('signed-in');
      await loadCases();
    } catch {
      say('failed');
    } finally {
      $('sign-in').disabled = false;
    }
  });

  $('export').addEventListener('click', async () => {
    if (!session) return;
    const logged = await post('/api/staff/export', {}, session.csrf);
    if (logged.status === 401) return signedOut('signed-out');
    if (!logged.ok) return say('failed');
    const text = keyFileText(session.name, session.keys);
    $('exported').textContent = text;
    $('exported').hidden = false;
    const link = $('export-file');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    link.hidden = false;
    say('exported');
  });

  const signOut = async (everywhere) => {
    if (!session) return;
    await post(everywhere ? '/api/staff/logout-everywhere' : '/api/staff/logout', {}, session.csrf);
    signedOut(everywhere ? 'signed-out-everywhere' : 'signed-out');
  };
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-everywhere').addEventListener('click', () => signOut(true));
  for (const id of ['status-filter', 'category-filter', 'grade-filter']) {
    $(id).addEventListener('change', () => loadCases());
  }
}

if (typeof document !== 'undefined') {
  const start = () => {
    const root = document.getElementById('staff');
    if (!root) return;
    if (root.dataset.page === 'enrol') startEnrolment(root);
    if (root.dataset.page === 'sign-in') startSignIn(root);
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}
