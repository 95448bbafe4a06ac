// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/staff_keys.js: a reviewer's keys on the staff listener
// (ARCHITECTURE.md §5, docs/reviewing.md "Staff accounts"), as
// src/review/accounts.h expects them and tests/review/accounts_test.cpp
// recomputes them with libsodium: the passphrase is stretched with Argon2id
// (t=2, m=19 MiB, p=1; salt = the first 16 bytes of SHA-256 of
// "safehouse/staff/argon2id/v1\n<installation>\n<name>") into a master key,
// and HKDF-SHA-256 (no salt) splits it into the authentication key (sent)
// and the unlocking key (never sent). The age identity is kept on the
// server as XChaCha20-Poly1305 under the unlocking key (24-byte nonce first,
// associated data "safehouse/staff/identity/v1\n<name>"). The Ed25519
// signing key is derived from the identity exactly as
// src/review/reviewer_keys.cpp does. No DOM here: node tests import it.
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base32nopad, base64, bech32 } from '@scure/base';
import { identityToRecipient } from 'age-encryption';

export const ARGON2_OPTIONS = Object.freeze({ t: 2, m: 19456 /* KiB: 19 MiB */, p: 1, dkLen: 32 });
export const SALT_CONTEXT = 'safehouse/staff/argon2id/v1\n';
export const AUTH_INFO = 'safehouse/staff/auth/v1';
export const UNLOCK_INFO = 'safehouse/staff/unlock/v1';
export const IDENTITY_AD = 'safehouse/staff/identity/v1\n';
export const SIGNING_KEY_INFO = 'safehouse/reviewer/ed25519/v1';
export const TOTP_SECRET_BYTES = 20;
const IDENTITY_RE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

const utf8 = (text) => new TextEncoder().encode(text);

export function passphraseSalt(installation, name) {
  return sha256(utf8(`${SALT_CONTEXT}${installation}\n${name}`)).slice(0, 16);
}

// { auth, unlock }: two 32-byte keys from the passphrase.
export async function stretchPassphrase(passphrase, installation, name) {
  const master = await argon2idAsync(utf8(passphrase), passphraseSalt(installation, name), {
    ...ARGON2_OPTIONS,
  });
  const auth = hkdf(sha256, master, undefined, utf8(AUTH_INFO), 32);
  const unlock = hkdf(sha256, master, undefined, utf8(UNLOCK_INFO), 32);
  master.fill(0);
  return { auth, unlock };
}

export function sealIdentity(unlock, name, identity) {
  const nonce = crypto.getRandomValues(new Uint8Array(24));
  const sealed = xchacha20poly1305(unlock, nonce, utf8(IDENTITY_AD + name)).encrypt(utf8(identity));
  const out = new Uint8Array(24 + sealed.length);
  out.set(nonce);
  out.set(sealed, 24);
  return out;
}

// The identity text; throws if the box does not open with `unlock`.
export function openIdentity(unlock, name, box) {
  if (box.length < 24 + 16) throw new Error('identity box: too short');
  const plain = xchacha20poly1305(unlock, box.subarray(0, 24), utf8(IDENTITY_AD + name)).decrypt(
    box.subarray(24),
  );
  return new TextDecoder('utf-8', { fatal: true }).decode(plain);
}

export function signingPublicKey(identity) {
  const seed = hkdf(sha256, utf8(identity.toUpperCase()), undefined, utf8(SIGNING_KEY_INFO), 32);
  const publicKey = ed25519.getPublicKey(seed);
  seed.fill(0);
  return publicKey;
}

// The AGE-SECRET-KEY-1 line in a key file's text, or null.
export function identityInKeyFile(text) {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (IDENTITY_RE.test(trimmed)) return trimmed;
  }
  return null;
}

// What the enrolment request carries about the keys.
export async function keysFor(identity) {
  return {
    identity,
    recipient: await identityToRecipient(identity),
    signingKey: signingPublicKey(identity),
  };
}

// A new age X25519 identity: 32 random bytes as Bech32 "AGE-SECRET-KEY-1…"
// (made here rather than with WebCrypto's X25519, which not every browser has).
export async function newKeys() {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const identity = bech32.encode('age-secret-key-', bech32.toWords(secret), false).toUpperCase();
  secret.fill(0);
  return keysFor(identity);
}

export function newTotpSecret() {
  return base32nopad.encode(crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES)));
}

export function keyFileText(name, keys) {
  return (
    `# Safehouse reviewer ${name}\n# public key: ${keys.recipient}\n` +
    `# signing key (Ed25519, derived from the identity below; docs/reviewing.md): ${base64.encode(keys.signingKey)}\n` +
    `${keys.identity}\n`
  );
}

export { base64 };

// What a reviewer signs to approve a move (src/review/reviewer_keys.cpp
// approval_message, byte for byte): the server verifies it with the
// reviewer's registered signing key and the case's current event.
export const APPROVAL_CONTEXT = 'safehouse/approval/v1\n';
export function approvalMessage({ installation, caseId, event, from, to }) {
  return `${APPROVAL_CONTEXT}installation ${installation}\ncase ${caseId}\nevent ${event}\nfrom ${from}\nto ${to}\n`;
}

// The Ed25519 signature (64 bytes) of the approval by the key derived from
// `identity` (signingPublicKey's seed).
export function signApproval(identity, subject) {
  const seed = hkdf(sha256, utf8(identity.toUpperCase()), undefined, utf8(SIGNING_KEY_INFO), 32);
  try {
    return ed25519.sign(utf8(approvalMessage(subject)), seed);
  } finally {
    seed.fill(0);
  }
}
