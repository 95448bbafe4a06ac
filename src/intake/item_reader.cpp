// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/item_reader.cpp: age decrypt into a FrameDecoder.
#include "intake/item_reader.h"

#include "age/age.h"

namespace safehouse::intake {

Result<FrameHeader> decrypt_document(ByteSource& age_file,
                                     std::span<const age::Identity* const> identities,
                                     ByteSink& content_out) {
  FrameDecoder decoder(content_out);
  // age::decrypt finishes the decoder, which checks padding and trailer and
  // finishes content_out.
  SAFEHOUSE_TRY_VOID(age::decrypt(identities, age_file, decoder));
  if (!decoder.header()) return malformed("frame: truncated");
  return *decoder.header();
}

Result<FrameHeader> read_item(store::Store& store, store::ItemId item_id,
                              std::span<const age::Identity* const> identities,
                              ByteSink& content_out) {
  auto body = SAFEHOUSE_TRY(store.open_item_body(item_id));
  return decrypt_document(*body, identities, content_out);
}

Result<FrameHeader> read_item(store::Store& store, store::ItemId item_id,
                              std::span<const age::Identity* const> identities, Bytes& content,
                              std::size_t max_ciphertext_bytes) {
  const Bytes ciphertext = SAFEHOUSE_TRY(store.read_item_body(item_id, max_ciphertext_bytes));
  SpanSource source(ciphertext);
  VectorSink sink(content);
  return decrypt_document(source, identities, sink);
}

}  // namespace safehouse::intake
