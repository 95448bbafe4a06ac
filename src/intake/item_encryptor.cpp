// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/item_encryptor.cpp: the frame → age → memory-or-blob pipeline.
#include "intake/item_encryptor.h"

#include "age/age.h"

namespace safehouse::intake {

Result<void> BodySink::write(ByteSpan data) {
  if (error_) return *error_;
  if (!blob_ && buffer_.size() + data.size() <= inline_limit_) {
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    size_ += data.size();
    return {};
  }
  if (!blob_) {
    auto writer = blobs_.create_writer();
    if (!writer) return *(error_ = writer.error());
    blob_ = std::move(*writer);
    auto moved = blob_->write(buffer_);
    if (!moved) return *(error_ = moved.error());
    buffer_ = Bytes();
  }
  auto written = blob_->write(data);
  if (!written) return *(error_ = written.error());
  size_ += data.size();
  return {};
}

Result<void> BodySink::finish() {
  if (error_) return *error_;
  if (blob_) {
    auto done = blob_->finish();
    if (!done) return *(error_ = done.error());
  }
  return {};
}

store::ItemBody BodySink::take_body() {
  if (blob_) return blob_->result();
  return store::InlineBody{std::move(buffer_)};
}

Result<std::unique_ptr<ItemEncryptor>> ItemEncryptor::create(
    const FrameHeader& header, std::span<const age::Recipient* const> recipients,
    store::BlobStore& blobs, std::size_t inline_limit, SealingBudget* sealing) {
  std::unique_ptr<ItemEncryptor> item(new ItemEncryptor());
  item->body_ = std::make_unique<BodySink>(blobs, inline_limit);
  if (sealing != nullptr) item->sealing_ = sealing->acquire();
  age::EncryptOptions options;
  options.threads = item->sealing_.threads();
  item->age_ = SAFEHOUSE_TRY(age::encrypt(recipients, *item->body_, options));
  item->frame_ = SAFEHOUSE_TRY(FrameWriter::create(header, *item->age_));
  return item;
}

Result<void> ItemEncryptor::write(ByteSpan content) {
  return frame_->write(content);
}

// The frame's finish() finishes the age sink, whose finish() finishes the body.
Result<void> ItemEncryptor::finish() {
  return frame_->finish();
}

Result<store::ItemBody> encrypt_item(const FrameHeader& header, ByteSpan content,
                                     std::span<const age::Recipient* const> recipients,
                                     store::BlobStore& blobs) {
  auto item = SAFEHOUSE_TRY(ItemEncryptor::create(header, recipients, blobs));
  SAFEHOUSE_TRY_VOID(item->write(content));
  SAFEHOUSE_TRY_VOID(item->finish());
  return item->take_body();
}

}  // namespace safehouse::intake
