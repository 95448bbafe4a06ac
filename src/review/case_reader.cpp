// SPDX-License-Identifier: AGPL-3.0-or-later
// review/case_reader.cpp: age → FrameDecoder → a sink chosen from the
// frame header once it has arrived (text in memory, or a file).
#include "review/case_reader.h"

#include <memory>

#include "age/age.h"

namespace safehouse::review {
namespace {

// Appends text up to kMaxTextItemBytes.
class TextSink final : public ByteSink {
 public:
  explicit TextSink(std::string& out) : out_(out) {}
  Result<void> write(ByteSpan data) override {
    if (out_.size() + data.size() > kMaxTextItemBytes) {
      return Error(ErrorCode::kTooLarge, "item: text longer than the reader's limit");
    }
    out_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  Result<void> finish() override { return {}; }

 private:
  std::string& out_;
};

class DiscardSink final : public ByteSink {
 public:
  Result<void> write(ByteSpan) override { return {}; }
  Result<void> finish() override { return {}; }
};

// The decoder's content sink: picks its target from the frame header,
// which the decoder has parsed before it passes on any content.
class RoutingSink final : public ByteSink {
 public:
  RoutingSink(ReadItem& item, OutputDir* out) : item_(item), out_(out) {}
  void set_decoder(const intake::FrameDecoder* decoder) { decoder_ = decoder; }

  Result<void> write(ByteSpan data) override {
    SAFEHOUSE_TRY_VOID(choose());
    return target_->write(data);
  }
  Result<void> finish() override {
    SAFEHOUSE_TRY_VOID(choose());
    SAFEHOUSE_TRY_VOID(target_->finish());
    if (file_) item_.saved_as = file_->name();
    return {};
  }

 private:
  Result<void> choose() {
    if (target_) return {};
    if (!decoder_ || !decoder_->header()) return malformed("frame: content before the header");
    const intake::FrameHeader& header = *decoder_->header();
    if (header.kind != intake::ItemKind::kFile) {
      target_ = std::make_unique<TextSink>(item_.text);
    } else if (out_) {
      auto file =
          SAFEHOUSE_TRY(out_->create(std::to_string(item_.record.item_id), header.file_name));
      file_ = file.get();
      target_ = std::move(file);
    } else {
      target_ = std::make_unique<DiscardSink>();
    }
    return {};
  }

  ReadItem& item_;
  OutputDir* out_;
  const intake::FrameDecoder* decoder_ = nullptr;
  std::unique_ptr<ByteSink> target_;
  OutputDirFile* file_ = nullptr;
};

Result<void> read_one(const ItemBodyOpener& open_body,
                      std::span<const age::Identity* const> identities, OutputDir* out,
                      ReadItem& item) {
  auto body = SAFEHOUSE_TRY(open_body(item.record));
  RoutingSink content(item, out);
  intake::FrameDecoder decoder(content);
  content.set_decoder(&decoder);
  SAFEHOUSE_TRY_VOID(age::decrypt(identities, *body, decoder));
  if (!decoder.header()) return malformed("frame: truncated");
  item.header = *decoder.header();
  item.content_bytes = decoder.content_bytes();
  return {};
}

}  // namespace

Result<std::vector<ReadItem>> read_case(store::Store& store, store::CaseId case_id,
                                        std::span<const age::Identity* const> identities,
                                        OutputDir* out) {
  SAFEHOUSE_TRY(store.get_case(case_id));
  const auto records = SAFEHOUSE_TRY(store.list_items(case_id));
  return read_items(
      records,
      [&store](const store::ItemRecord& item) { return store.open_item_body(item.item_id); },
      identities, out);
}

std::vector<ReadItem> read_items(std::span<const store::ItemRecord> records,
                                 const ItemBodyOpener& open_body,
                                 std::span<const age::Identity* const> identities, OutputDir* out) {
  std::vector<ReadItem> items;
  items.reserve(records.size());
  for (const auto& record : records) {
    ReadItem& item = items.emplace_back();
    item.record = record;
    auto result = read_one(open_body, identities, out, item);
    if (!result) {
      item.error = result.error().with_context("item " + std::to_string(record.item_id));
      item.text.clear();
      item.saved_as.clear();
    }
  }
  return items;
}

}  // namespace safehouse::review
