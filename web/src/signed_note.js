// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/signed_note.js: C2SP signed-note verification (Ed25519 keys, type
// 0x01), with the parsing rules of src/tlog/note.cpp (which follows Go's
// golang.org/x/mod/sumdb/note.Open): text up to the last blank line, every
// line after it a "— name base64(keyID || signature)" line, at most 100;
// signatures by unknown keys are ignored, a known key's bad signature
// rejects the note, and at least one known key must have signed. Also reads
// the recipient set the server publishes as such a note
// (recipientsFromSignedNote): the client encrypts to nothing else.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, bech32 } from '@scure/base';

export const MAX_NOTE_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 1 << 20;
export const KEY_TYPE_ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 '; // EM DASH, space

export class NoteError extends Error {
  // code: 'malformed', 'too_large', 'unsupported', 'integrity' (a known key's
  // signature does not verify) or 'no_match' (no known key signed).
  constructor(code, message) {
    super(message);
    this.name = 'NoteError';
    this.code = code;
  }
}

const malformed = (message) => new NoteError('malformed', message);
const utf8 = (text) => new TextEncoder().encode(text);
const hex8 = (id) => id.toString(16).padStart(8, '0');

// White_Space as Go's unicode.IsSpace sees it (note.cpp is_space).
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

export function isValidKeyName(name) {
  return name.length > 0 && name.isWellFormed() && !name.includes('+') && !SPACE.test(name);
}

// First 4 bytes of SHA-256(name || "\n" || type || key), big-endian.
export function noteKeyId(name, type, publicKey) {
  const nameBytes = utf8(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = type;
  input.set(publicKey, nameBytes.length + 2);
  const sum = sha256(input);
  return ((sum[0] << 24) | (sum[1] << 16) | (sum[2] << 8) | sum[3]) >>> 0;
}

// Strict standard base64 (padding required), or null.
function decodeBase64(text) {
  try {
    return base64.decode(text);
  } catch {
    return null;
  }
}

// "name+hash+base64(0x01 || key)" → { name, keyId, publicKey }. Only Ed25519
// (type 0x01) verifies notes; the hash must be the key's ID.
export function parseVerifierKey(text) {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
  if (second < 0) throw malformed('verifier key: not name+hash+key');
  const name = trimmed.slice(0, first);
  const hash = trimmed.slice(first + 1, second);
  if (!isValidKeyName(name)) throw malformed('verifier key: invalid key name');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw malformed('verifier key: key ID is not 8 lower-case hex digits');
  const data = decodeBase64(trimmed.slice(second + 1));
  if (data === null || data.length === 0) throw malformed('verifier key: key is not base64');
  if (data[0] !== KEY_TYPE_ED25519) {
    throw new NoteError('unsupported', `verifier key: key type ${data[0]} is not 1`);
  }
  if (data.length !== 33) throw malformed('verifier key: an Ed25519 key is 32 bytes');
  const publicKey = data.slice(1);
  const keyId = noteKeyId(name, KEY_TYPE_ED25519, publicKey);
  if (hex8(keyId) !== hash) throw malformed('verifier key: key ID does not match the key');
  return { name, keyId, publicKey };
}

function checkText(text) {
  if (text.length === 0 || !text.endsWith('\n')) throw malformed('note: text does not end in a newline');
  if (text.endsWith('\n\n') || text === '\n') throw malformed('note: text ends in a blank line');
}

function parseSignatureLine(line) {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('note: signature line does not start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('note: signature line has no signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw malformed('note: invalid key name in signature');
  const decoded = decodeBase64(rest.slice(space + 1));
  if (decoded === null || decoded.length < 5) {
    throw malformed(`note: signature of ${name} is not base64 of key ID and signature`);
  }
  const keyId = ((decoded[0] << 24) | (decoded[1] << 16) | (decoded[2] << 8) | decoded[3]) >>> 0;
  return { name, keyId, signature: decoded.slice(4) };
}

// Syntax only: { text, signatures: [{ name, keyId, signature }] }.
export function parseNote(message) {
  if (typeof message !== 'string') throw malformed('note: not a string');
  if (utf8(message).length > MAX_NOTE_BYTES) throw new NoteError('too_large', 'note: larger than 1 MiB');
  if (!message.isWellFormed()) throw malformed('note: not UTF-8');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(message)) throw malformed('note: holds a control character');
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('note: no blank line before signatures');
  const text = message.slice(0, split + 1);
  checkText(text);
  let lines = message.slice(split + 2);
  if (lines.length === 0 || !lines.endsWith('\n')) throw malformed('note: signature lines do not end in a newline');
  const signatures = [];
  while (lines.length > 0) {
    if (signatures.length === MAX_NOTE_SIGNATURES) {
      throw malformed(`note: more than ${MAX_NOTE_SIGNATURES} signatures`);
    }
    const end = lines.indexOf('\n');
    signatures.push(parseSignatureLine(lines.slice(0, end)));
    lines = lines.slice(end + 1);
  }
  return { text, signatures };
}

// Verifies `message` against `verifierKeys` (strings or parseVerifierKey
// results): { text, verified: [names], unverified: [signatures by unknown
// keys] }. Throws NoteError 'integrity' if a known key's signature fails,
// 'no_match' if no known key signed.
export function openNote(message, verifierKeys) {
  const known = verifierKeys.map((k) => (typeof k === 'string' ? parseVerifierKey(k) : k));
  const note = parseNote(message);
  const textBytes = utf8(note.text);
  const verified = [];
  const unverified = [];
  const seen = new Set();
  for (const signature of note.signatures) {
    const verifier = known.find((k) => k.name === signature.name && k.keyId === signature.keyId);
    if (verifier === undefined) {
      unverified.push(signature);
      continue;
    }
    const id = `${signature.name}+${hex8(signature.keyId)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let ok = false;
    try {
      ok = signature.signature.length === 64 &&
        ed25519.verify(signature.signature, textBytes, verifier.publicKey, { zip215: false });
    } catch {
      ok = false;
    }
    if (!ok) throw new NoteError('integrity', `note: invalid signature for key ${id}`);
    verified.push(signature.name);
  }
  if (verified.length === 0) throw new NoteError('no_match', 'note: no signature from a known key');
  return { text: note.text, verified, unverified };
}

// The first line of the recipient-set note: it keeps another note signed by
// the same organisation key (a log checkpoint) from being read as one.
export const RECIPIENTS_NOTE_HEADER = 'safehouse/recipients/v1';

// True for an age X25519 recipient (age1…, bech32 of 32 bytes, lower case).
export function isX25519Recipient(text) {
  try {
    const { prefix, words } = bech32.decode(text);
    return prefix === 'age' && text === text.toLowerCase() && bech32.fromWords(words).length === 32;
  } catch {
    return false;
  }
}

// The recipient set from its signed note:
//   safehouse/recipients/v1
//   age1…            (one or more, no repeats)
//   <blank line, signatures>
// verified against the organisation's verifier key. Throws (NoteError) if
// the signature, the header or any recipient line is wrong: the caller must
// then refuse to encrypt.
export function recipientsFromSignedNote(noteText, verifierKey) {
  const { text } = openNote(noteText, [verifierKey]);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== RECIPIENTS_NOTE_HEADER) {
    throw malformed(`recipients: first line is not ${RECIPIENTS_NOTE_HEADER}`);
  }
  const recipients = lines.slice(1);
  if (recipients.length === 0) throw malformed('recipients: the set is empty');
  recipients.forEach((r, i) => {
    if (!isX25519Recipient(r)) throw malformed(`recipients: line ${i + 2} is not an age X25519 recipient`);
  });
  if (new Set(recipients).size !== recipients.length) throw malformed('recipients: a recipient is repeated');
  return recipients;
}
