// SPDX-License-Identifier: AGPL-3.0-or-later
// review/case_reader.h: decrypting every item of a case with a reviewer's
// identities: messages, claims and replies into memory, files streamed into
// an OutputDir (or only counted when there is none). One item failing to
// decrypt does not stop the others; the caller sees which failed. Knows
// age, item frames and the store; nothing of HTTP or the terminal.
#ifndef SAFEHOUSE_REVIEW_CASE_READER_H_
#define SAFEHOUSE_REVIEW_CASE_READER_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "age/recipient.h"
#include "intake/frame.h"
#include "review/output_dir.h"
#include "store/store.h"

namespace safehouse::review {

// Longest message or reply text held in memory, bytes.
inline constexpr std::size_t kMaxTextItemBytes = 4 * 1024 * 1024;

struct ReadItem {
  store::ItemRecord record;
  std::optional<intake::FrameHeader> header;  // set when the item decrypted
  std::uint64_t content_bytes = 0;
  std::string text;            // messages and replies: plaintext
  std::string saved_as;        // files written to the OutputDir: name in it
  std::optional<Error> error;  // why this item could not be read
};

// Decrypts the items of `case_id` in order. kNotFound for an unknown case;
// per-item failures are in ReadItem::error. With `out`, file items are
// written into it; without, only their size is reported.
Result<std::vector<ReadItem>> read_case(store::Store& store, store::CaseId case_id,
                                        std::span<const age::Identity* const> identities,
                                        OutputDir* out);

// Where read_items() gets an item's ciphertext: the store, or an export
// bundle (review/bundle.h). The source must check the item's SHA-256.
using ItemBodyOpener =
    std::function<Result<std::unique_ptr<ByteSource>>(const store::ItemRecord& item)>;

// Decrypts `records` in order, as read_case() does, from `open_body`.
std::vector<ReadItem> read_items(std::span<const store::ItemRecord> records,
                                 const ItemBodyOpener& open_body,
                                 std::span<const age::Identity* const> identities, OutputDir* out);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_CASE_READER_H_
