// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/resumable_uploads.cpp: the registry of tus uploads and the check
// that what arrives is an age file for this installation.
#include "intake/resumable_uploads.h"

#include <sodium.h>

#include <algorithm>

#include "age/format.h"
#include "age/stream.h"
#include "crypto/secret_bytes.h"
#include "intake/padme.h"

namespace safehouse::intake {

namespace {

constexpr std::size_t kIdBytes = 16;
// Terminated and expired ids answer kGone (410) while remembered.
constexpr std::size_t kMaxGoneRemembered = 4096;
constexpr std::string_view kX25519StanzaType = "X25519";
// The age payload's nonce before the first chunk.
constexpr std::uint64_t kPayloadNonceBytes = 16;
// The smallest frame (intake/frame.h): header length, "{}", content length.
constexpr std::uint64_t kMinFrameBytes = 4 + 2 + 8;

std::string random_id() {
  std::uint8_t raw[kIdBytes];
  randombytes_buf(raw, sizeof raw);
  char hex[kIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string(hex, kIdBytes * 2);
}

// The plaintext length of an age payload (nonce and STREAM chunks) of
// `payload` bytes; nullopt if no STREAM has that length.
std::optional<std::uint64_t> plaintext_length(std::uint64_t payload) {
  if (payload < kPayloadNonceBytes + age::detail::kAeadTagBytes) return std::nullopt;
  const std::uint64_t chunks = payload - kPayloadNonceBytes;
  const std::uint64_t full = chunks / age::detail::kEncryptedChunkBytes;
  const std::uint64_t rest = chunks % age::detail::kEncryptedChunkBytes;
  if (rest == 0) return full * age::detail::kChunkBytes;  // the last chunk is full
  if (rest < age::detail::kAeadTagBytes) return std::nullopt;
  // An empty last chunk only when it is the only one.
  if (rest == age::detail::kAeadTagBytes && full != 0) return std::nullopt;
  return full * age::detail::kChunkBytes + (rest - age::detail::kAeadTagBytes);
}

}  // namespace

struct UploadAppend::Entry {
  std::string id;
  store::SourceId owner{};
  std::uint64_t length = 0;
  // Guarded by ResumableUploads::mu_:
  std::uint64_t offset = 0;  // durable
  std::chrono::steady_clock::time_point expires;
  bool busy = false;                   // an UploadAppend holds it
  bool dropped = false;                // terminated or expired while busy
  std::optional<store::BlobRef> blob;  // complete
  // Used only by the UploadAppend that holds it (busy), or under mu_ when
  // not busy:
  std::unique_ptr<store::BlobWriter> writer;
  Bytes prefix;  // the first bytes, until the header is checked
  bool header_checked = false;
};

UploadAppend::UploadAppend(ResumableUploads& owner, std::shared_ptr<Entry> entry)
    : owner_(owner), entry_(std::move(entry)) {}

UploadAppend::~UploadAppend() {
  std::lock_guard lock(owner_.mu_);
  entry_->busy = false;
  if (entry_->dropped) entry_->writer.reset();  // its bytes go
}

Result<void> UploadAppend::check_header() {
  Entry& entry = *entry_;
  constexpr std::string_view kVersion = "age-encryption.org/v1\n";
  const std::size_t seen = std::min(entry.prefix.size(), kVersion.size());
  if (!std::equal(entry.prefix.begin(), entry.prefix.begin() + static_cast<std::ptrdiff_t>(seen),
                  kVersion.begin())) {
    return malformed("upload: not an age v1 file");
  }
  const std::string_view text(reinterpret_cast<const char*>(entry.prefix.data()),
                              entry.prefix.size());
  const std::size_t mac = text.find("\n--- ");
  const bool whole = mac != std::string_view::npos && text.find('\n', mac + 1) != text.npos;
  if (!whole) {
    if (entry.prefix.size() >= kUploadHeaderPrefixBytes || entry.prefix.size() == entry.length) {
      return malformed("upload: the age header does not end");
    }
    return {};
  }
  auto parsed = age::detail::parse_header(entry.prefix);
  if (!parsed) return parsed.error().with_context("upload");
  std::size_t x25519 = 0;
  for (const age::Stanza& stanza : parsed->header.stanzas) {
    if (stanza.type != kX25519StanzaType) {
      return malformed("upload: the age header has a stanza that is not X25519");
    }
    ++x25519;
  }
  const std::size_t expected = owner_.options_.recipient_count();
  if (x25519 != expected) {
    return malformed("upload: the age header has " + std::to_string(x25519) +
                     " recipients, the installation's recipient set " + std::to_string(expected));
  }
  const std::uint64_t header_bytes =
      age::detail::header_with_mac(parsed->mac_input, parsed->header.mac).size();
  auto plain = plaintext_length(entry.length - header_bytes);
  if (!plain || *plain < kMinFrameBytes || *plain > kPadmeMaxLength || padme(*plain) != *plain) {
    return malformed("upload: the length is not that of a padded item's age file");
  }
  entry.header_checked = true;
  crypto::wipe(entry.prefix);
  entry.prefix = Bytes();
  return {};
}

Result<void> UploadAppend::write(ByteSpan data) {
  if (error_) return *error_;
  Entry& entry = *entry_;
  const std::uint64_t written = entry.writer->size();
  if (data.size() > entry.length - written) {
    error_ = Error(ErrorCode::kTooLarge, "upload: more bytes than Upload-Length");
    return *error_;
  }
  if (!entry.header_checked) {
    const std::size_t take = std::min(data.size(), kUploadHeaderPrefixBytes - entry.prefix.size());
    entry.prefix.insert(entry.prefix.end(), data.begin(),
                        data.begin() + static_cast<std::ptrdiff_t>(take));
    if (auto checked = check_header(); !checked) {
      error_ = checked.error();
      (void)owner_.terminate(entry.owner, entry.id);
      return *error_;
    }
  }
  if (auto wrote = entry.writer->write(data); !wrote) {
    error_ = wrote.error().with_context("upload");
    return *error_;
  }
  return {};
}

Result<UploadStatus> UploadAppend::finish() {
  if (finished_) return Error(ErrorCode::kInternal, "upload: append finished twice");
  finished_ = true;
  Entry& entry = *entry_;
  {
    std::lock_guard lock(owner_.mu_);
    if (entry.dropped) return Error(ErrorCode::kGone, "upload: terminated");
  }
  // What was written stays, even after a failed write: only the sync
  // decides what the offset may say.
  auto synced = entry.writer->sync();
  if (!synced && synced.error().code() != ErrorCode::kUnsupported) {
    return synced.error().with_context("upload");
  }
  const std::uint64_t size = entry.writer->size();
  std::optional<store::BlobRef> blob;
  if (size == entry.length && !entry.header_checked) {
    if (auto checked = check_header(); !checked || !entry.header_checked) {
      (void)owner_.terminate(entry.owner, entry.id);
      return checked ? malformed("upload: the age header does not end") : checked.error();
    }
  }
  if (size == entry.length) {
    if (auto finished = entry.writer->finish(); !finished) {
      return finished.error().with_context("upload");
    }
    blob = entry.writer->result();
  }
  // The pack file's modification time now says when this PATCH came: set
  // it back to the day, as the Store does after each commit (invariant 2).
  owner_.blobs_.restamp_times();
  std::lock_guard lock(owner_.mu_);
  entry.offset = size;
  entry.expires = owner_.options_.now() + owner_.options_.expiry;
  if (blob) {
    entry.blob = blob;
    entry.writer.reset();
  }
  return UploadStatus{entry.offset, entry.length, entry.expires};
}

ResumableUploads::ResumableUploads(store::BlobStore& blobs, ResumableUploadOptions options)
    : blobs_(blobs), options_(std::move(options)) {}

ResumableUploads::~ResumableUploads() {
  std::lock_guard lock(mu_);
  for (auto& [id, entry] : uploads_) {
    if (entry->blob) (void)blobs_.remove(entry->blob->sha256);
  }
}

Result<std::string> ResumableUploads::create(const store::SourceId& owner, std::uint64_t length) {
  if (length > options_.max_size_bytes) {
    return Error(ErrorCode::kTooLarge, "upload: Upload-Length is larger than Tus-Max-Size (" +
                                           std::to_string(options_.max_size_bytes) + ")");
  }
  auto entry = std::make_shared<Entry>();
  entry->owner = owner;
  entry->length = length;
  {
    std::lock_guard lock(mu_);
    if (uploads_.size() >= options_.max_total) {
      return Error(ErrorCode::kUnavailable, "upload: too many uploads in progress");
    }
    std::size_t mine = 0;
    for (const auto& [id, other] : uploads_) mine += other->owner == owner ? 1 : 0;
    if (mine >= options_.max_per_source) {
      return Error(ErrorCode::kQuotaExceeded, "upload: too many uploads in progress");
    }
  }
  auto writer = blobs_.create_writer();
  if (!writer) return writer.error().with_context("upload");
  entry->writer = std::move(*writer);
  std::lock_guard lock(mu_);
  do {
    entry->id = random_id();
  } while (uploads_.contains(entry->id) || gone_.contains(entry->id));
  entry->expires = options_.now() + options_.expiry;
  uploads_.emplace(entry->id, entry);
  return entry->id;
}

Result<std::shared_ptr<UploadAppend::Entry>> ResumableUploads::find(const store::SourceId& owner,
                                                                    std::string_view id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second->owner != owner) {
    if (gone_.contains(id)) return Error(ErrorCode::kGone, "upload: terminated or expired");
    return Error(ErrorCode::kNotFound, "upload: no such upload");
  }
  if (it->second->expires <= options_.now() && !it->second->busy) {
    drop(it->second->id);
    return Error(ErrorCode::kGone, "upload: expired");
  }
  return it->second;
}

Result<UploadStatus> ResumableUploads::status(const store::SourceId& owner, std::string_view id) {
  std::lock_guard lock(mu_);
  auto entry = SAFEHOUSE_TRY(find(owner, id));
  return UploadStatus{entry->offset, entry->length, entry->expires};
}

Result<std::unique_ptr<UploadAppend>> ResumableUploads::append(const store::SourceId& owner,
                                                               std::string_view id,
                                                               std::uint64_t offset) {
  std::lock_guard lock(mu_);
  auto entry = SAFEHOUSE_TRY(find(owner, id));
  if (entry->busy) return Error(ErrorCode::kUnavailable, "upload: another PATCH is in progress");
  if (offset != entry->offset) {
    return Error(ErrorCode::kConflict, "upload: Upload-Offset is " + std::to_string(offset) +
                                           ", the upload's offset " +
                                           std::to_string(entry->offset));
  }
  if (entry->blob) return Error(ErrorCode::kConflict, "upload: already complete");
  entry->busy = true;
  return std::unique_ptr<UploadAppend>(new UploadAppend(*this, std::move(entry)));
}

Result<void> ResumableUploads::terminate(const store::SourceId& owner, std::string_view id) {
  std::lock_guard lock(mu_);
  auto entry = SAFEHOUSE_TRY(find(owner, id));
  drop(entry->id);
  return {};
}

Result<store::BlobRef> ResumableUploads::completed_blob(const store::SourceId& owner,
                                                        std::string_view id) {
  std::lock_guard lock(mu_);
  auto entry = SAFEHOUSE_TRY(find(owner, id));
  if (!entry->blob) return Error(ErrorCode::kConflict, "upload: not complete");
  return *entry->blob;
}

void ResumableUploads::attached(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = uploads_.find(id);
  if (it == uploads_.end()) return;
  it->second->blob.reset();  // the item's now: not removed
  const std::string name = it->first;
  uploads_.erase(it);
  remember_gone(name);
}

std::size_t ResumableUploads::sweep() {
  std::lock_guard lock(mu_);
  const auto now = options_.now();
  std::vector<std::string> expired;
  for (const auto& [id, entry] : uploads_) {
    if (entry->expires <= now && !entry->busy) expired.push_back(id);
  }
  for (const std::string& id : expired) drop(id);
  return expired.size();
}

std::size_t ResumableUploads::size() const {
  std::lock_guard lock(mu_);
  return uploads_.size();
}

void ResumableUploads::drop(const std::string& id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end()) return;
  std::shared_ptr<Entry> entry = it->second;
  uploads_.erase(it);
  entry->dropped = true;
  // Best effort: an orphan blob is ciphertext no record points to.
  if (entry->blob) (void)blobs_.remove(entry->blob->sha256);
  entry->blob.reset();
  if (!entry->busy) entry->writer.reset();  // else the append's end drops it
  remember_gone(id);
}

void ResumableUploads::remember_gone(const std::string& id) {
  gone_.emplace(id, options_.now());
  gone_order_.push_back(id);
  while (gone_order_.size() > kMaxGoneRemembered) {
    gone_.erase(gone_order_.front());
    gone_order_.pop_front();
  }
}

}  // namespace safehouse::intake
