// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/source_keys.test.mjs: the browser's key derivation against the
// known answer pinned for the C++ (tests/codename/source_keys_test.cpp
// SourceKeys.KnownAnswer, docs/codename.md), and against the stock age CLI
// (age-keygen -y) for random codenames. There is no CLI that derives source
// keys from a codename, so the C++ is compared through the known answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Codename } from '../src/codename.js';
import { deriveSourceKeys, signInMessage, toHex } from '../src/source_keys.js';

test('known answer of SourceKeys.KnownAnswer, byte for byte', async () => {
  const codename = Codename.fromSecret(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]));
  const keys = await deriveSourceKeys(codename);
  assert.equal(toHex(keys.sourceId), '87c1c4acc18bbb189b1be14f2bd0416c18db4252ed91c563ee3b77bd39396ccc');
  assert.equal(keys.sourceIdHex, '87c1c4acc18bbb189b1be14f2bd0416c18db4252ed91c563ee3b77bd39396ccc');
  assert.equal(toHex(keys.signingPublicKey), '5e0708d3c9224ca284e20c95643fba83b141243047b39d2e20ecda14ca955706');
  assert.equal(keys.replyRecipient, 'age1q6yp7y3m0r85d9k6rdfx3wuw0nxps0ckdx04gpkykhdyt5nrzgss993pau');
  // The stock age CLI reads the identity and gives the same recipient.
  const recipient = execFileSync('age-keygen', ['-y'], { input: keys.replyIdentity + '\n' }).toString().trim();
  assert.equal(recipient, keys.replyRecipient);
});

test('keys differ per codename and sign verifiably', async () => {
  const a = await deriveSourceKeys(Codename.generate());
  const b = await deriveSourceKeys(Codename.generate());
  assert.notEqual(a.sourceIdHex, b.sourceIdHex);
  assert.notEqual(a.replyRecipient, b.replyRecipient);
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const signature = a.signChallenge(challenge);
  assert.ok(ed25519.verify(signature, signInMessage(challenge), a.signingPublicKey));
  assert.ok(!ed25519.verify(signature, signInMessage(challenge), b.signingPublicKey));
  // The signature covers the context: it is not one of the bare challenge.
  assert.ok(!ed25519.verify(signature, challenge, a.signingPublicKey));
  assert.deepEqual(signInMessage(challenge).slice(0, 21), new TextEncoder().encode('safehouse/sign-in/v1\n'));
  assert.throws(() => a.signChallenge(new Uint8Array(31)), /32 bytes/);
  assert.throws(() => a.signChallenge('x'.repeat(32)), /32 bytes/);
  // source_id, the reply key and the signing key are separate HKDF outputs.
  assert.notEqual(a.sourceIdHex, toHex(a.signingPublicKey));
  const recipient = execFileSync('age-keygen', ['-y'], { input: a.replyIdentity + '\n' }).toString().trim();
  assert.equal(recipient, a.replyRecipient);
  a.wipe();
  assert.throws(() => assert.ok(ed25519.verify(a.signChallenge(challenge), signInMessage(challenge), a.signingPublicKey)));
});

test('a typed codename derives the same keys as its secret', async () => {
  const c = Codename.generate();
  const typed = Codename.parse(c.render('fa'));
  assert.equal((await deriveSourceKeys(typed)).sourceIdHex, (await deriveSourceKeys(c)).sourceIdHex);
});
