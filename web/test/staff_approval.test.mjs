// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/staff_approval.test.mjs: the approval a reviewer's browser signs
// (staff_keys.js) is byte for byte src/review/reviewer_keys.cpp's
// approval_message, signed by the key signingPublicKey names; a signature
// for another case, event or move does not verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { approvalMessage, newKeys, signApproval, signingPublicKey } from '../src/staff_keys.js';

const subject = { installation: 'example.org+4f2a1b3c+AbCd', caseId: 17, event: 4, from: 'corroborated', to: 'verified' };

test('the approval message is the server\'s, line for line', () => {
  assert.equal(
    approvalMessage(subject),
    'safehouse/approval/v1\ninstallation example.org+4f2a1b3c+AbCd\ncase 17\nevent 4\nfrom corroborated\nto verified\n',
  );
});

test('the signature verifies with the derived signing key, for that subject only', async () => {
  const keys = await newKeys();
  const signature = signApproval(keys.identity, subject);
  assert.equal(signature.length, 64);
  const key = signingPublicKey(keys.identity);
  const bytes = (s) => new TextEncoder().encode(approvalMessage(s));
  assert.ok(ed25519.verify(signature, bytes(subject), key));
  for (const other of [{ caseId: 18 }, { event: 3 }, { to: 'rejected' }, { from: 'verifying' },
    { installation: 'other+1+x' }]) {
    assert.equal(ed25519.verify(signature, bytes({ ...subject, ...other }), key), false, JSON.stringify(other));
  }
  const stranger = await newKeys();
  assert.equal(ed25519.verify(signature, bytes(subject), signingPublicKey(stranger.identity)), false);
  // Lower-case identities derive the same key (the derivation upper-cases).
  assert.ok(ed25519.verify(signApproval(keys.identity.toLowerCase(), subject), bytes(subject), key));
});
