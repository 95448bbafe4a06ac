// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/reply.js: reading a reviewer's reply in the browser. A reply is an
// age file encrypted (among others) to the source's reply recipient
// (source_keys.js); its plaintext is an item frame of kind "reply"
// (item.js). The server only ever sends the ciphertext.
import { Decrypter } from 'age-encryption';
import { decodeFrame, FrameError } from './item.js';

// ageFile: Uint8Array; replyIdentity: 'AGE-SECRET-KEY-1…' from
// deriveSourceKeys. Resolves to { header, text }; rejects if the file is not
// for this identity, is damaged, or is not a reply frame.
export async function openReply(ageFile, replyIdentity) {
  const decrypter = new Decrypter();
  decrypter.addIdentity(replyIdentity);
  const document = await decrypter.decrypt(ageFile);
  try {
    const { header, content } = decodeFrame(document);
    if (header.kind !== 'reply') throw new FrameError('malformed', 'reply: the item is not a reply');
    return { header, text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  } finally {
    document.fill(0);
  }
}
