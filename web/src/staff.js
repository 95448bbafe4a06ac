// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/staff.js: the staff listener's pages (src/web/templates/staff_*):
// enrolment from the one-time link, sign-in with the passphrase and a TOTP
// code, identity export, sign-out (here, everywhere) and the case list.
// The passphrase, the unlocking key and the identity stay in this page's
// memory; the server gets the authentication key, the encrypted identity
// and public keys (staff_keys.js). Texts come translated from the page's
// #messages; the page's language is the server's choice. Bundled by
// build.mjs into staff.js (CSP script-src 'self').
import {
  base64,
  identityInKeyFile,
  keyFileText,
  keysFor,
  newKeys,
  newTotpSecret,
  openIdentity,
  sealIdentity,
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
    if (replaceable) {
      keys = await newKeys();
    } else {
      const identity = identityInKeyFile($('key-file').value);
      keys = identity ? await keysFor(identity) : null;
      if (!keys || keys.recipient !== recipient) return say('bad-key-file');
    }
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

function renderCases(cases) {
  const body = document.querySelector('#cases tbody');
  body.replaceChildren();
  for (const c of cases) {
    const row = document.createElement('tr');
    row.dataset.caseId = String(c.id);
    for (const value of [c.id, c.alias, c.status, c.created_day, c.last_event_day, c.item_count]) {
      const cell = document.createElement('td');
      cell.textContent = String(value);
      row.append(cell);
    }
    body.append(row);
  }
  if (cases.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 6;
    cell.textContent = message('no-cases');
    row.append(cell);
    body.append(row);
  }
}

function startSignIn(root) {
  const installation = root.dataset.installation;
  let session = null; // { name, csrf, keys }

  const loadCases = async () => {
    const status = $('status-filter').value;
    const response = await fetch(`/api/staff/cases${status ? `?status=${encodeURIComponent(status)}` : ''}`, {
      credentials: 'same-origin',
    });
    if (response.status === 401) return signedOut('signed-out');
    if (!response.ok) return say('failed');
    renderCases((await response.json()).cases);
  };

  const signedOut = (key) => {
    session = null;
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
  $('status-filter').addEventListener('change', () => loadCases());
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
