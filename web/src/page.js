// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/page.js: the JavaScript page (/{lang}/app, app.mustache) wired to
// the server's API (docs/routes.md, "The JavaScript client's API"). The
// codename is made and its keys derived here; the recipient set is taken
// only from a note signed by the log key the page names; messages are framed
// and age-encrypted here; sign-in signs the server's challenge; replies are
// decrypted here. Files are framed and encrypted as tus sends them
// (upload.js), with a progress bar, pause and resume, and attached once
// complete; after a reload the source signs in and picks the same file
// again, and the upload continues from sessionStorage. The server sees
// public keys, signatures and ciphertext.
// Every string shown comes from the page (translated by the server); this
// file only picks which.
import { Codename, CodenameError } from './codename.js';
import { messageFrame } from './item.js';
import { openReply } from './reply.js';
import { sealBytes } from './seal.js';
import { recipientsFromSignedNote } from './signed_note.js';
import { deriveSourceKeys } from './source_keys.js';
import { pendingUploads, startUpload, wipeUploads } from './upload.js';

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
const UPLOAD_ENDPOINT = '/api/v1/uploads/';
const UPLOAD_ID = /^[0-9a-f]{32}$/;

// ASCII digits in `text` written in the page language's digits.
export function localDigits(text, language) {
  if (language !== 'fa') return text;
  return text.replace(/[0-9]/g, (d) => PERSIAN_DIGITS[Number(d)]);
}

export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) out[i] = binary.charCodeAt(i);
  return out;
}

// A failure the page shows: `message` names a data-message of the page.
export class PageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PageError';
  }
}

function failureFor(status) {
  if (status === 403) return new PageError('not-recognised');
  if (status === 429) return new PageError('too-many');
  return new PageError('failed');
}

// One JSON request to this site's API; { status, json }.
async function api(path, { method = 'GET', body, csrf } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf !== undefined) headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new PageError('failed');
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

// The recipient set, only from a note signed by `verifierKey`: anything
// else (no note, another key, a bad signature, a malformed set) refuses.
export async function verifiedRecipients(verifierKey) {
  const { status, json } = await api('/api/v1/metadata');
  if (status !== 200 || json === null || typeof json.recipients_note !== 'string') {
    throw new PageError('bad-recipients');
  }
  try {
    return recipientsFromSignedNote(json.recipients_note, verifierKey);
  } catch {
    throw new PageError('bad-recipients');
  }
}

// A fresh single-use challenge (the server seals it into this browser's
// cookie) signed with the source's key.
async function signedChallenge(keys) {
  const { status, json } = await api('/api/v1/challenge', { method: 'POST', body: {} });
  if (status !== 200 || json === null || typeof json.challenge !== 'string') throw failureFor(status);
  const challenge = fromBase64(json.challenge);
  if (challenge.length !== 32) throw new PageError('failed');
  return toBase64(keys.signChallenge(challenge));
}

// The client of one signed-in source; `keys` from deriveSourceKeys.
export class SourceClient {
  constructor(language, verifierKey) {
    this.language = language;
    this.verifierKey = verifierKey;
    this.keys = null;
    this.csrf = null;
  }

  async #seal(text, claims) {
    const recipients = await verifiedRecipients(this.verifierKey);
    const frame = messageFrame(text, this.language, claims);
    try {
      return toBase64(await sealBytes(recipients, frame));
    } finally {
      frame.fill(0);
    }
  }

  // First contact: registers the source's public keys (proved by signing a
  // challenge) with its first message.
  // `auditConsent`: the source ticked the (unticked by default) box letting an
  // accredited observer read the case for a sampled audit; sent as a JSON
  // boolean, never in the sealed item.
  async firstContact(keys, text, claims, auditConsent = false) {
    const item = await this.#seal(text, claims);
    const signature = await signedChallenge(keys);
    const { status, json } = await api('/api/v1/submissions', {
      method: 'POST',
      body: {
        first_contact: {
          source_id: keys.sourceIdHex,
          reply_recipient: keys.replyRecipient,
          signing_key: toBase64(keys.signingPublicKey),
          signature,
          audit_consent: auditConsent === true,
        },
        items: [item],
      },
    });
    if (status !== 200 || json === null || typeof json.csrf !== 'string') throw failureFor(status);
    this.keys = keys;
    this.csrf = json.csrf;
  }

  async signIn(keys) {
    const signature = await signedChallenge(keys);
    const { status, json } = await api('/api/v1/sign-in', {
      method: 'POST',
      body: { source_id: keys.sourceIdHex, signature },
    });
    if (status !== 200 || json === null || typeof json.csrf !== 'string') throw failureFor(status);
    this.keys = keys;
    this.csrf = json.csrf;
  }

  async followUp(text) {
    const item = await this.#seal(text, undefined);
    const { status } = await api('/api/v1/submissions', {
      method: 'POST',
      body: { items: [item] },
      csrf: this.csrf,
    });
    if (status !== 200) throw failureFor(status);
  }

  // [{ day: 'YYYY-MM-DD', text } | { day, error: true }], oldest first.
  async replies() {
    const { status, json } = await api('/api/v1/replies');
    if (status !== 200 || json === null || !Array.isArray(json.replies)) throw failureFor(status);
    const out = [];
    for (const reply of json.replies) {
      try {
        const { text } = await openReply(fromBase64(reply.age), this.keys.replyIdentity);
        out.push({ day: String(reply.day), text });
      } catch {
        out.push({ day: String(reply.day), error: true });
      }
    }
    return out;
  }

  // Sends `file` resumably (tus) and attaches it to the source's case.
  // `onUpload(upload)` gets the tus.Upload (abort() pauses, start()
  // resumes); `onProgress(sent, total)` the bytes of the age file sent.
  async sendFile(file, { onUpload, onProgress } = {}) {
    if (this.csrf === null) throw new PageError('failed');
    const recipients = await verifiedRecipients(this.verifierKey);
    const { upload, done } = await startUpload({
      endpoint: UPLOAD_ENDPOINT, file, recipients, language: this.language, onProgress,
    });
    onUpload?.(upload);
    let url;
    try {
      url = await done;
    } catch {
      throw new PageError('upload-failed');
    }
    const id = String(url).replace(/\/+$/, '').split('/').pop();
    if (!UPLOAD_ID.test(id)) throw new PageError('upload-failed');
    const { status } = await api('/api/v1/uploads/attach', {
      method: 'POST',
      body: { uploads: [id], language: this.language },
      csrf: this.csrf,
    });
    if (status !== 200) throw failureFor(status);
  }

  async signOut() {
    if (this.csrf !== null) await api('/api/v1/sign-out', { method: 'POST', body: {}, csrf: this.csrf });
    this.forget();
  }

  forget() {
    if (this.keys !== null) this.keys.wipe();
    this.keys = null;
    this.csrf = null;
    wipeUploads();
  }
}

// ---- the page ----

function startPage(root) {
  const language = root.dataset.lang === 'fa' ? 'fa' : 'en';
  const client = new SourceClient(language, root.dataset.verifierKey);
  const $ = (id) => document.getElementById(id);
  const sections = ['app-start', 'app-first-contact', 'app-login', 'app-inbox'];
  const messageText = (name) => root.querySelector(`[data-message="${name}"]`)?.textContent ?? name;
  const status = $('app-status');
  const say = (name) => {
    status.textContent = name === '' ? '' : messageText(name);
    status.dataset.message = name;
  };
  const show = (id) => {
    for (const section of sections) $(section).hidden = section !== id;
  };
  let pendingCodename = null;
  let pendingKeys = null;
  let busy = false;
  let currentUpload = null;

  // The upload panel: a <progress>, the figure in the page's digits, and
  // Pause/Resume (not actions: they run while the send action waits).
  const showProgress = (sent, total) => {
    const progress = $('app-progress');
    progress.max = total;
    progress.value = sent;
    const percent = total === 0 ? 100 : Math.floor((sent * 100) / total);
    // Megabytes with one decimal; the Persian decimal separator on fa.
    const mb = (n) => {
      const text = (n / 1e6).toFixed(1);
      return language === 'fa' ? text.replace('.', '\u066b') : text;
    };
    const figure = messageText('progress')
      .replace('{percent}', String(percent)).replace('{sent}', mb(sent)).replace('{total}', mb(total));
    $('app-progress-figure').textContent = localDigits(figure, language);
    $('app-progress-figure').dataset.percent = String(percent);
  };
  const setPaused = (paused) => {
    $('app-pause').hidden = paused;
    $('app-resume').hidden = !paused;
    root.dataset.upload = paused ? 'paused' : 'sending';
  };
  $('app-pause').addEventListener('click', () => {
    if (currentUpload === null) return;
    currentUpload.abort();
    setPaused(true);
    say('paused');
  });
  $('app-resume').addEventListener('click', () => {
    if (currentUpload === null) return;
    setPaused(false);
    currentUpload.start();
    say('uploading');
  });
  // Sends the file picked in `input` (if any); clears the input when done.
  const sendPickedFile = async (input) => {
    const file = input.files?.[0];
    if (!file) return;
    say('uploading');
    showProgress(0, 1);
    setPaused(false);
    $('app-upload').hidden = false;
    try {
      await client.sendFile(file, {
        onUpload: (upload) => { currentUpload = upload; },
        onProgress: showProgress,
      });
      input.value = '';
      $('app-resume-notice').hidden = true;
      root.dataset.upload = 'done';
    } catch (error) {
      root.dataset.upload = 'failed';
      throw error;
    } finally {
      currentUpload = null;
      $('app-upload').hidden = true;
    }
  };

  // Runs one user action; a PageError's message is shown, anything else is
  // 'failed'. Buttons are inert while an action runs.
  const action = (work) => async () => {
    if (busy) return;
    busy = true;
    try {
      await work();
    } catch (error) {
      say(error instanceof PageError ? error.message : 'failed');
    } finally {
      busy = false;
    }
  };

  const showReplies = async () => {
    const list = $('app-replies');
    list.replaceChildren();
    const replies = await client.replies();
    for (const reply of replies) {
      const article = document.createElement('article');
      article.className = 'reply';
      const day = document.createElement('p');
      day.className = 'reply-day';
      day.textContent = localDigits(reply.day, language);
      const text = document.createElement('p');
      text.className = 'reply-text';
      text.textContent = reply.error ? messageText('reply-unreadable') : reply.text;
      article.append(day, text);
      list.append(article);
    }
    $('app-no-replies').hidden = replies.length !== 0;
  };

  $('app-new').addEventListener('click', action(async () => {
    pendingCodename = Codename.generate();
    $('codename').textContent = pendingCodename.render(language);
    show('app-first-contact');
    // Derived while the source writes.
    pendingKeys = deriveSourceKeys(pendingCodename);
    pendingKeys.catch(() => {});
    say('');
  }));

  $('app-send-first').addEventListener('click', action(async () => {
    const text = $('app-message').value;
    const claims = {
      branch: $('app-claim-branch').value,
      unit: $('app-claim-unit').value,
      rank: $('app-claim-rank').value,
      region: $('app-claim-region').value,
    };
    if (text.trim() === '') throw new PageError('empty');
    say('sending');
    const keys = await pendingKeys;
    await client.firstContact(keys, text, claims, $('app-audit-consent').checked);
    pendingCodename.wipe();
    pendingCodename = null;
    pendingKeys = null;
    $('codename').textContent = '';
    for (const id of ['app-message', 'app-claim-unit', 'app-claim-rank', 'app-claim-region']) $(id).value = '';
    $('app-audit-consent').checked = false;
    // Signed in now: the file goes as the case's first follow-up. Should it
    // fail, the source is in the inbox and can pick it again there.
    show('app-inbox');
    await sendPickedFile($('app-file'));
    await showReplies();
    say('sent');
  }));

  $('app-return').addEventListener('click', action(async () => {
    show('app-login');
    say('');
  }));

  $('app-sign-in').addEventListener('click', action(async () => {
    let codename;
    try {
      codename = Codename.parse($('app-codename').value);
    } catch (error) {
      // The same message as for an unknown codename, as on the server.
      if (error instanceof CodenameError) throw new PageError('not-recognised');
      throw error;
    }
    say('deriving');
    const keys = await deriveSourceKeys(codename);
    codename.wipe();
    try {
      await client.signIn(keys);
    } catch (error) {
      keys.wipe();
      throw error;
    }
    $('app-codename').value = '';
    show('app-inbox');
    await showReplies();
    say('');
  }));

  $('app-send-more').addEventListener('click', action(async () => {
    const text = $('app-follow-up').value;
    const hasFile = ($('app-more-file').files?.length ?? 0) > 0;
    if (text.trim() === '' && !hasFile) throw new PageError('empty');
    if (text.trim() !== '') {
      say('sending');
      await client.followUp(text);
      $('app-follow-up').value = '';
    }
    await sendPickedFile($('app-more-file'));
    await showReplies();
    say('sent');
  }));

  $('app-sign-out').addEventListener('click', action(async () => {
    await client.signOut();
    $('app-resume-notice').hidden = true;
    $('app-replies').replaceChildren();
    show('app-start');
    say('');
  }));

  show('app-start');
  // An upload this tab began before a reload: its state is in
  // sessionStorage, but the File is gone with the old page.
  $('app-resume-notice').hidden = !pendingUploads();
  root.dataset.ready = 'true';
}

// Runs on the JavaScript page only; elsewhere (tests, a bare vm) the
// bundle just defines SafehouseClient.
if (typeof document !== 'undefined') {
  const start = () => {
    const root = document.getElementById('safehouse-app');
    if (root !== null) startPage(root);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
