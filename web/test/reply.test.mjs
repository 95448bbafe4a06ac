// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/reply.test.mjs: a reply sealed to the source's derived reply
// recipient by the stock age CLI opens in the client; others do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Codename } from '../src/codename.js';
import { encodeFrame } from '../src/item.js';
import { openReply } from '../src/reply.js';
import { deriveSourceKeys } from '../src/source_keys.js';

test('a reply encrypted by age to the reply recipient opens; a message or another key does not', async () => {
  const keys = await deriveSourceKeys(Codename.generate());
  const other = await deriveSourceKeys(Codename.generate());
  const text = 'پاسخ: thank you';
  const frame = encodeFrame({ kind: 'reply', mediaType: 'text/plain; charset=utf-8', language: 'fa' },
    new TextEncoder().encode(text));
  const sealed = new Uint8Array(execFileSync('age', ['-r', keys.replyRecipient], { input: frame }));
  const reply = await openReply(sealed, keys.replyIdentity);
  assert.equal(reply.text, text);
  assert.equal(reply.header.kind, 'reply');
  await assert.rejects(openReply(sealed, other.replyIdentity), /no identity matched/);
  const message = encodeFrame({ kind: 'message', language: 'en' }, new Uint8Array(3));
  const notReply = new Uint8Array(execFileSync('age', ['-r', keys.replyRecipient], { input: message }));
  await assert.rejects(openReply(notReply, keys.replyIdentity), /not a reply/);
  sealed[sealed.length - 1] ^= 1;
  await assert.rejects(openReply(sealed, keys.replyIdentity));
});
