// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/item_reader.h: the way back from a stored item to its content:
// age-decrypt with the reader's identities, then decode the frame
// (intake/frame.h). For reviewers' tools and the source's inbox. Streaming
// and in-memory forms. Knows age, frames and the store; nothing of HTTP.
#ifndef SAFEHOUSE_INTAKE_ITEM_READER_H_
#define SAFEHOUSE_INTAKE_ITEM_READER_H_

#include <span>

#include "age/recipient.h"
#include "base/byte_stream.h"
#include "intake/frame.h"
#include "store/store.h"

namespace safehouse::intake {

// Decrypts the age file `age_file` and decodes its frame: the content goes
// to `content_out` (finished on success), the header is returned. Errors:
// age's ("header: ...", "payload: ...", kNoMatch) or the frame's
// ("frame: ..."). On error some content may already be in `content_out`:
// the caller discards it.
Result<FrameHeader> decrypt_document(ByteSource& age_file,
                                     std::span<const age::Identity* const> identities,
                                     ByteSink& content_out);

// The same for a stored item, streamed from the store (checked against its
// SHA-256 as it is read).
Result<FrameHeader> read_item(store::Store& store, store::ItemId item_id,
                              std::span<const age::Identity* const> identities,
                              ByteSink& content_out);

// The same into memory, for items whose ciphertext is at most
// `max_ciphertext_bytes` (kTooLarge otherwise). `content` is plaintext: the
// caller wipes it.
Result<FrameHeader> read_item(store::Store& store, store::ItemId item_id,
                              std::span<const age::Identity* const> identities, Bytes& content,
                              std::size_t max_ciphertext_bytes);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_ITEM_READER_H_
