// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sealed_items.cpp: checking and storing the JavaScript client's
// pre-encrypted items, its sign-in signatures, and handing it replies as
// ciphertext.
#include "intake/sealed_items.h"

#include <sodium.h>

#include <future>

#include "age/format.h"
#include "age/x25519.h"
#include "intake/alias.h"
#include "intake/intake.h"
#include "store/write_batch.h"

namespace safehouse::intake {

namespace {

constexpr std::uint64_t kNonceBytes = 16;
constexpr std::uint64_t kTagBytes = 16;
constexpr std::uint64_t kChunkBytes = 64 * 1024;

// True if `payload` bytes (after the nonce) are a STREAM of 64 KiB chunks:
// full chunks, then a last one of at least its tag, empty only if alone.
bool is_stream_length(std::uint64_t payload) {
  constexpr std::uint64_t kSealedChunk = kChunkBytes + kTagBytes;
  const std::uint64_t full = payload / kSealedChunk;
  const std::uint64_t rest = payload % kSealedChunk;
  if (rest == 0) return full >= 1;
  if (rest < kTagBytes) return false;
  return rest > kTagBytes || full == 0;
}

Result<store::CaseId> latest_case_of(store::Store& store, const store::SourceId& source_id) {
  store::CaseQuery query;
  query.source_id = source_id;
  query.limit = store::kMaxListLimit;
  store::CaseId latest = 0;
  while (true) {
    auto cases = SAFEHOUSE_TRY(store.list_cases(query));
    for (const auto& record : cases) latest = record.case_id;
    if (cases.size() < query.limit) break;
    query.after_case_id = latest;
  }
  if (latest == 0) return Error(ErrorCode::kNotFound, "follow-up: the source has no case");
  return latest;
}

// Reads a whole item body of at most `limit` bytes.
Result<Bytes> read_body(store::Store& store, store::ItemId item_id, std::size_t limit) {
  auto source = SAFEHOUSE_TRY(store.open_item_body(item_id));
  Bytes out;
  std::uint8_t buffer[16 * 1024];
  while (true) {
    const std::size_t n = SAFEHOUSE_TRY(source->read(buffer));
    if (n == 0) break;
    if (out.size() + n > limit) return Error(ErrorCode::kTooLarge, "reply: too large");
    out.insert(out.end(), buffer, buffer + n);
  }
  return out;
}

}  // namespace

Result<void> check_sealed_item(ByteSpan ciphertext, std::size_t recipient_count) {
  if (ciphertext.empty()) return malformed("item: empty");
  if (ciphertext.size() > kMaxSealedItemBytes) {
    return Error(ErrorCode::kTooLarge,
                 "item: larger than " + std::to_string(kMaxSealedItemBytes) + " bytes");
  }
  auto parsed = age::detail::parse_header(ciphertext);
  if (!parsed) return parsed.error().with_context("item: not an age v1 file");
  const auto& stanzas = parsed->header.stanzas;
  if (stanzas.size() != recipient_count) {
    return malformed("item: " + std::to_string(stanzas.size()) + " recipients, the set has " +
                     std::to_string(recipient_count));
  }
  for (std::size_t i = 0; i < stanzas.size(); ++i) {
    if (stanzas[i].type != "X25519") {
      return malformed("item: stanza " + std::to_string(i + 1) + " is not X25519");
    }
  }
  // The header is the MAC input ("...---"), a space, the unpadded base64 of
  // the 32-byte MAC and a newline; `rest` holds only what the reader
  // buffered, so the payload's length is counted from the header's end.
  const std::size_t header_bytes = parsed->mac_input.size() + 1 + 43 + 1;
  if (header_bytes > ciphertext.size() || ciphertext[header_bytes - 1] != '\n') {
    return malformed("item: not an age v1 file");
  }
  const std::uint64_t rest = ciphertext.size() - header_bytes;
  if (rest < kNonceBytes || !is_stream_length(rest - kNonceBytes)) {
    return malformed("item: the payload is not a whole age STREAM");
  }
  return {};
}

bool verify_sign_in(ByteSpan challenge, ByteSpan signature,
                    const std::array<std::uint8_t, 32>& public_key) {
  if (signature.size() != crypto_sign_BYTES) return false;
  Bytes message(kSignInContext.begin(), kSignInContext.end());
  message.insert(message.end(), challenge.begin(), challenge.end());
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

Result<Receipt> Intake::submit_sealed(const std::optional<SealedSource>& new_source,
                                      const store::SourceId& source_id, std::vector<Bytes> items,
                                      std::size_t recipient_count) {
  std::promise<Result<Receipt>> promise;
  auto future = promise.get_future();
  submit_sealed_async(
      new_source, source_id, std::move(items), recipient_count,
      [&promise](Result<Receipt> receipt) { promise.set_value(std::move(receipt)); });
  return future.get();
}

void Intake::submit_sealed_async(const std::optional<SealedSource>& new_source,
                                 const store::SourceId& source_id, std::vector<Bytes> items,
                                 std::size_t recipient_count,
                                 std::function<void(Result<Receipt>)> done) {
  // What the commit's answer needs; until the commit succeeded (or may
  // have), destroying it gives the bytes back and removes the blobs.
  struct Pending {
    Pending(Intake& owner, const store::SourceId& id) : intake(owner), source_id(id) {}
    Pending(const Pending&) = delete;
    Pending& operator=(const Pending&) = delete;
    Intake& intake;
    store::SourceId source_id;
    store::Day day = 0;
    std::uint64_t bytes = 0;
    bool charged = false;
    bool first_contact = false;
    std::vector<store::BlobRef> blobs;
    std::vector<std::size_t> item_ops;
    std::size_t case_op = 0;
    store::CaseId case_id = 0;
    bool committed = false;
    ~Pending() {
      if (committed || !charged) return;
      for (const auto& ref : blobs) (void)intake.store().blobs().remove(ref.sha256);
      intake.daily_quota_.refund(source_id, day, bytes);
    }
  };
  auto pending = std::make_shared<Pending>(*this, source_id);
  pending->first_contact = new_source.has_value();
  auto prepared = [&]() -> Result<store::WriteBatch> {
    if (items.empty()) return invalid_argument("submission: nothing to send");
    if (items.size() > kMaxSealedItems) {
      return Error(ErrorCode::kTooLarge,
                   "submission: more than " + std::to_string(kMaxSealedItems) + " items");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto checked = check_sealed_item(items[i], recipient_count);
      if (!checked) return checked.error().with_context("item " + std::to_string(i + 1));
      pending->bytes += items[i].size();
    }
    if (new_source) {
      if (!age::X25519Recipient::parse(new_source->reply_recipient)) {
        return malformed("first contact: the reply recipient is not an age X25519 recipient");
      }
    }
    pending->day = today();
    SAFEHOUSE_TRY_VOID(check_free_space(pending->bytes));
    SAFEHOUSE_TRY_VOID(daily_quota_.charge(source_id, pending->day, pending->bytes));
    // From here on, a failure gives the bytes back and removes the blobs.
    pending->charged = true;
    store::WriteBatch batch;
    store::CaseRef case_ref = store::CaseRef::existing(0);
    if (new_source) {
      batch.create_source(new_source->source_id, random_alias(), pending->day,
                          new_source->reply_recipient,
                          Bytes(new_source->signing_key.begin(), new_source->signing_key.end()));
      pending->case_op =
          batch.create_case(new_source->source_id, pending->day, new_source->audit_consent);
      case_ref = store::CaseRef::created_by(pending->case_op);
    } else {
      pending->case_id = SAFEHOUSE_TRY(latest_case_of(store_, source_id));
      case_ref = store::CaseRef::existing(pending->case_id);
    }
    for (Bytes& item : items) {
      store::ItemBody body;
      if (item.size() <= store::kMaxInlineBodyBytes) {
        body = store::InlineBody{std::move(item)};
      } else {
        auto writer = SAFEHOUSE_TRY(store_.blobs().create_writer());
        SAFEHOUSE_TRY_VOID(writer->write(item));
        SAFEHOUSE_TRY_VOID(writer->finish());
        pending->blobs.push_back(writer->result());
        body = writer->result();
      }
      pending->item_ops.push_back(
          batch.add_item(case_ref, store::Direction::kSource, std::move(body), pending->day));
    }
    return batch;
  }();
  if (!prepared) {
    pending.reset();  // refunds before the answer
    return done(prepared.error());
  }
  store_.commit_async(std::move(*prepared), [pending = std::move(pending), done = std::move(done)](
                                                Result<store::CommitResult> result) mutable {
    Result<Receipt> answer = [&]() -> Result<Receipt> {
      if (!result) {
        // After kIo the outcome is unknown: the blobs must stay (store.h).
        if (result.error().code() == ErrorCode::kIo) pending->committed = true;
        return result.error().with_context("submission: store");
      }
      pending->committed = true;
      Receipt receipt;
      receipt.case_id = pending->first_contact ? result->id(pending->case_op) : pending->case_id;
      for (std::size_t op : pending->item_ops) receipt.item_ids.push_back(result->id(op));
      pending->intake.count_submission(pending->first_contact, pending->item_ops.size(),
                                       pending->bytes);
      return receipt;
    }();
    pending.reset();  // a failed commit's bytes are given back before the answer
    done(std::move(answer));
  });
}

Result<std::array<std::uint8_t, 32>> Intake::signing_key(const store::SourceId& source_id) const {
  auto source = store_.get_source(source_id);
  if (!source) {
    if (source.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNoMatch, "sign-in: not recognised");
    }
    return source.error().with_context("sign-in");
  }
  if (source->signing_key.size() != 32) {
    return Error(ErrorCode::kNoMatch, "sign-in: not recognised");
  }
  std::array<std::uint8_t, 32> key{};
  std::copy(source->signing_key.begin(), source->signing_key.end(), key.begin());
  return key;
}

Result<std::vector<SealedReply>> Intake::sealed_replies(const store::SourceId& source_id) const {
  // As in replies(): a reply's age file is at most about twice its text.
  constexpr std::size_t kMaxReplyFileBytes = 2 * kMaxReplyBytes;
  store::CaseQuery query;
  query.source_id = source_id;
  query.limit = store::kMaxListLimit;
  const auto cases = SAFEHOUSE_TRY(store_.list_cases(query));
  std::vector<SealedReply> replies;
  for (const store::CaseRecord& record : cases) {
    for (const store::ItemRecord& item : SAFEHOUSE_TRY(store_.list_items(record.case_id))) {
      if (item.direction != store::Direction::kReviewer) continue;
      Bytes ciphertext = SAFEHOUSE_TRY(read_body(store_, item.item_id, kMaxReplyFileBytes));
      replies.push_back(SealedReply{item.day, std::move(ciphertext)});
    }
  }
  return replies;
}

}  // namespace safehouse::intake
