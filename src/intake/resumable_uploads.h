// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/resumable_uploads.h: the uploads of the tus endpoint
// (http/tus_routes.h, docs/routes.md "Resumable uploads"), without HTTP.
// An upload belongs to one source (the signed-in source that created it),
// has a declared length, and streams into a BlobWriter of the blob engine
// (pack, directory or PostgreSQL), so its bytes are never anywhere else.
// Each append is made durable (BlobWriter::sync) before its new offset is
// given out; an interrupted append keeps what arrived.
//
// Only ciphertext for this installation is accepted: as soon as the age
// header has arrived it must parse and hold exactly one X25519 stanza per
// recipient of the recipient set (and nothing else); at the end the payload
// must have the length of a STREAM of 64 KiB chunks whose plaintext length
// is a Padmé bucket (intake/padme.h). An upload failing either is deleted.
// A complete upload becomes a blob that a follow-up names
// (Submission::attach_blob); until then it is the registry's.
//
// What an upload is (owner, lengths, expiry) is kept in memory only: no
// file or row dates an upload, and a restart forgets them (their writers'
// bytes are discarded as any unfinished blob's are; tus clients then start
// over). Expired uploads are deleted by sweep(), called periodically.
#ifndef SAFEHOUSE_INTAKE_RESUMABLE_UPLOADS_H_
#define SAFEHOUSE_INTAKE_RESUMABLE_UPLOADS_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/blob_store.h"
#include "store/types.h"

namespace safehouse::intake {

struct ResumableUploadOptions {
  // Largest Upload-Length accepted (config [limits] tus_max_size_bytes).
  std::uint64_t max_size_bytes = std::uint64_t{4} << 30;
  // An upload with no activity for this long is deleted (config [limits]
  // upload_expiry_hours). Each append starts the period again.
  std::chrono::seconds expiry = std::chrono::hours(24);
  // Unfinished uploads one source may have at once, and all sources.
  std::size_t max_per_source = 8;
  std::size_t max_total = 256;
  // How many recipients the age header must name: the recipient set's size
  // now (serve re-reads it, as the signed note in /api/v1/metadata does).
  std::function<std::size_t()> recipient_count = [] { return std::size_t{1}; };
  // Clock, injectable for tests.
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

// Bytes of an upload kept in memory to check its age header; a header
// longer than this (thousands of recipients) is refused.
inline constexpr std::size_t kUploadHeaderPrefixBytes = 64 * 1024;

struct UploadStatus {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::chrono::steady_clock::time_point expires;
  bool complete() const { return offset == length; }
};

class ResumableUploads;

// One PATCH's worth of bytes, appended at the offset given to
// ResumableUploads::append(). Holds the upload: no other append runs until
// this one ends (finish() or destruction).
// Thread safety: none; one request's body, in order.
class UploadAppend {
 public:
  ~UploadAppend();
  UploadAppend(const UploadAppend&) = delete;
  UploadAppend& operator=(const UploadAppend&) = delete;

  // Appends. kTooLarge past the declared length; kMalformed (and the
  // upload is deleted) when the age header is not for this installation.
  // Errors are sticky.
  Result<void> write(ByteSpan data);
  // Makes what was written durable and gives out the new offset. When the
  // upload is complete, also turns it into a blob and checks the payload
  // length (kMalformed, upload deleted, if wrong). Called for an interrupted
  // PATCH too: what arrived is kept.
  Result<UploadStatus> finish();

 private:
  friend class ResumableUploads;
  struct Entry;
  UploadAppend(ResumableUploads& owner, std::shared_ptr<Entry> entry);
  Result<void> check_header();

  ResumableUploads& owner_;
  std::shared_ptr<Entry> entry_;
  std::optional<Error> error_;
  bool finished_ = false;
};

// Thread-safe. Lifetime: `blobs` outlives it, and it outlives its appends.
class ResumableUploads {
 public:
  ResumableUploads(store::BlobStore& blobs, ResumableUploadOptions options);
  ~ResumableUploads();

  // A new empty upload of `length` bytes for `owner`; its id (32 hex).
  // kTooLarge beyond max_size_bytes; kQuotaExceeded beyond max_per_source;
  // kUnavailable beyond max_total.
  Result<std::string> create(const store::SourceId& owner, std::uint64_t length);
  // kNotFound for an unknown id or another source's upload; kGone for one
  // that was terminated or expired (remembered for a while).
  Result<UploadStatus> status(const store::SourceId& owner, std::string_view id);
  // Starts appending at `offset`. As status(), and kConflict if `offset` is
  // not the upload's offset, kUnavailable if another append holds it.
  Result<std::unique_ptr<UploadAppend>> append(const store::SourceId& owner, std::string_view id,
                                               std::uint64_t offset);
  // Deletes an upload (unfinished or complete, not yet attached). As status().
  Result<void> terminate(const store::SourceId& owner, std::string_view id);
  // The blob of a complete upload, for a submission to name. kConflict while
  // it is not complete; otherwise as status().
  Result<store::BlobRef> completed_blob(const store::SourceId& owner, std::string_view id);
  // Forgets a complete upload whose blob a submission committed (its blob
  // now belongs to the item).
  void attached(std::string_view id);
  // Deletes the uploads whose expiry has passed. Returns how many.
  std::size_t sweep();
  // Unfinished and complete uploads held now.
  std::size_t size() const;

  const ResumableUploadOptions& options() const { return options_; }

 private:
  friend class UploadAppend;
  using Entry = UploadAppend::Entry;
  Result<std::shared_ptr<Entry>> find(const store::SourceId& owner, std::string_view id);
  // Drops an upload: its writer's bytes or its blob go, its id is
  // remembered as gone.
  void drop(const std::string& id);
  void remember_gone(const std::string& id);

  store::BlobStore& blobs_;
  const ResumableUploadOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> uploads_;  // guarded by mu_
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> gone_;  // mu_
  std::deque<std::string> gone_order_;                                              // mu_
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_RESUMABLE_UPLOADS_H_
