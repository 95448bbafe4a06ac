// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/item_encryptor.h: one item on its way to storage. Content goes in
// as plaintext and comes out as the age file of its frame (intake/frame.h):
//   content → FrameWriter → age encryptor → ciphertext body
// The ciphertext stays in memory while it fits an inline body (64 KiB, one
// database record, no file, no extra fsync) and otherwise spills to a
// BlobWriter (temporary file, fsync, rename, directory fsync). No plaintext
// is ever written anywhere; age's chunk buffers (wiped) are the only copies
// in memory.
// Knows age, frames and the blob store; nothing of HTTP, sources or cases.
#ifndef SAFEHOUSE_INTAKE_ITEM_ENCRYPTOR_H_
#define SAFEHOUSE_INTAKE_ITEM_ENCRYPTOR_H_

#include <memory>
#include <span>

#include "age/recipient.h"
#include "base/byte_stream.h"
#include "intake/frame.h"
#include "intake/sealing_budget.h"
#include "store/blob_store.h"
#include "store/write_batch.h"

namespace safehouse::intake {

// Collects ciphertext in memory up to `inline_limit` bytes, then moves it
// and the rest into a new blob. Errors are sticky.
class BodySink final : public ByteSink {
 public:
  BodySink(store::BlobStore& blobs, std::size_t inline_limit)
      : blobs_(blobs), inline_limit_(inline_limit) {}

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

  // Requires: finish() succeeded. An InlineBody or the finished blob's ref.
  store::ItemBody take_body();
  std::uint64_t size() const { return size_; }
  bool spilled() const { return blob_ != nullptr; }

 private:
  store::BlobStore& blobs_;
  std::size_t inline_limit_;
  Bytes buffer_;
  std::unique_ptr<store::BlobWriter> blob_;  // removes its temp file unless finished
  std::uint64_t size_ = 0;
  std::optional<Error> error_;
};

// Thread safety: none; one item of one request.
class ItemEncryptor final : public ByteSink {
 public:
  // Requires: `recipients` non-empty; they, `blobs` and `sealing` (if given)
  // outlive the encryptor. With `sealing`, the item seals on an extra thread
  // if the budget has one (for large files).
  static Result<std::unique_ptr<ItemEncryptor>> create(
      const FrameHeader& header, std::span<const age::Recipient* const> recipients,
      store::BlobStore& blobs, std::size_t inline_limit = store::kMaxInlineBodyBytes,
      SealingBudget* sealing = nullptr);

  // Plaintext content of the item.
  Result<void> write(ByteSpan content) override;
  // Pads, encrypts the last chunk and makes the body final (a blob durable).
  Result<void> finish() override;

  // Requires: finish() succeeded.
  store::ItemBody take_body() { return body_->take_body(); }
  std::uint64_t content_bytes() const { return frame_->content_bytes(); }
  std::uint64_t ciphertext_bytes() const { return body_->size(); }

 private:
  ItemEncryptor() = default;
  // Declared in data-flow order, so they are destroyed frame first; the
  // grant after the age writer has joined its sealing thread.
  SealingBudget::Grant sealing_;
  std::unique_ptr<BodySink> body_;
  std::unique_ptr<ByteSink> age_;
  std::unique_ptr<FrameWriter> frame_;
};

// Encrypts a whole in-memory document (replies, the first-contact message).
Result<store::ItemBody> encrypt_item(const FrameHeader& header, ByteSpan content,
                                     std::span<const age::Recipient* const> recipients,
                                     store::BlobStore& blobs);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_ITEM_ENCRYPTOR_H_
