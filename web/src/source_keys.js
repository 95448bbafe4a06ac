// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/source_keys.js: the keys a codename stands for, derived exactly as
// src/codename/source_keys.cpp does (docs/codename.md "Keys from a
// codename"): Argon2id (t=2, m=32 MiB, p=1, salt "safehouse/cn/v01") of the
// 13 secret bytes to a 32-byte master, then HKDF-SHA-256 (no salt) per key:
// the public source_id, the age X25519 reply identity (replies are encrypted
// to its recipient) and the Ed25519 key that signs the server's sign-in
// challenge, so the codename never leaves the device.
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bech32 } from '@scure/base';
import { identityToRecipient } from 'age-encryption';

export const ARGON2_SALT = 'safehouse/cn/v01';
export const ARGON2_OPTIONS = Object.freeze({ t: 2, m: 32 * 1024 /* KiB: 32 MiB */, p: 1, dkLen: 32 });
export const SOURCE_ID_INFO = 'safehouse/source-id/v1';
export const REPLY_IDENTITY_INFO = 'safehouse/reply-identity/v1';
export const SIGNING_KEY_INFO = 'safehouse/signing-key/v1';
// What a sign-in signature covers: this context, then the server's 32-byte
// random challenge. The context keeps a server from getting the source's
// key to sign anything else; the server side must verify exactly this.
export const SIGN_IN_CONTEXT = 'safehouse/sign-in/v1\n';
export const CHALLENGE_BYTES = 32;

export function signInMessage(challenge) {
  if (!(challenge instanceof Uint8Array) || challenge.length !== CHALLENGE_BYTES) {
    throw new Error(`sign-in: the challenge must be ${CHALLENGE_BYTES} bytes`);
  }
  const context = utf8(SIGN_IN_CONTEXT);
  const message = new Uint8Array(context.length + challenge.length);
  message.set(context);
  message.set(challenge, context.length);
  return message;
}

const utf8 = (text) => new TextEncoder().encode(text);

// HKDF with no salt (RFC 5869: 32 zero bytes), as crypto::hkdf_sha256 with {}.
function expand(master, info) {
  return hkdf(sha256, master, undefined, utf8(info), 32);
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The age identity string (AGE-SECRET-KEY-1…) of 32 secret bytes, as age
// and the C++ age::X25519Identity write it.
export function ageIdentity(secret) {
  return bech32.encodeFromBytes('AGE-SECRET-KEY-', secret).toUpperCase();
}

// codename: a Codename (codename.js). Resolves to
// { sourceId: Uint8Array(32), sourceIdHex, replyIdentity: 'AGE-SECRET-KEY-1…',
//   replyRecipient: 'age1…', signingPublicKey: Uint8Array(32),
//   signChallenge(challenge) → 64-byte Ed25519 signature of
//   signInMessage(challenge), wipe() }.
// Argon2id runs asynchronously (it yields to the page every few ms).
export async function deriveSourceKeys(codename) {
  const secret = codename.reveal();
  const master = await argon2idAsync(secret, utf8(ARGON2_SALT), ARGON2_OPTIONS);
  secret.fill(0);
  const sourceId = expand(master, SOURCE_ID_INFO);
  const replySecret = expand(master, REPLY_IDENTITY_INFO);
  const seed = expand(master, SIGNING_KEY_INFO);
  master.fill(0);
  const replyIdentity = ageIdentity(replySecret);
  replySecret.fill(0);
  const replyRecipient = await identityToRecipient(replyIdentity);
  const signingPublicKey = ed25519.getPublicKey(seed);
  return {
    sourceId,
    sourceIdHex: toHex(sourceId),
    replyIdentity,
    replyRecipient,
    signingPublicKey,
    signChallenge: (challenge) => ed25519.sign(signInMessage(challenge), seed),
    // Strings cannot be wiped in JavaScript; the seed can.
    wipe() {
      seed.fill(0);
    },
  };
}
