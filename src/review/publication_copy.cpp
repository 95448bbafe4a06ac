// SPDX-License-Identifier: AGPL-3.0-or-later
// review/publication_copy.cpp: file → FrameWriter → age → a new blob, then
// the record and its audit entry under the audit lock; and back again.
#include "review/publication_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "age/age.h"
#include "intake/item_encryptor.h"
#include "review/audit.h"

namespace safehouse::review {
namespace {

// Streams the file at `path` into `sink` (no symbolic link followed).
Result<void> copy_file_into(const std::filesystem::path& path, ByteSink& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return Error(ErrorCode::kIo,
                 "publication copy: " + path.string() + ": " + std::strerror(errno));
  }
  Bytes buffer(256 * 1024);
  Result<void> result;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = Error(ErrorCode::kIo,
                     "publication copy: read " + path.string() + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    result = sink.write(ByteSpan(buffer.data(), static_cast<std::size_t>(n)));
    if (!result) break;
  }
  ::close(fd);
  return result;
}

// The frame decoder's content sink: a file in the OutputDir named from the
// frame header, which the decoder has parsed before any content.
class CopyFileSink final : public ByteSink {
 public:
  CopyFileSink(OutputDir& out, std::int64_t copy_id) : out_(out), copy_id_(copy_id) {}
  void set_decoder(const intake::FrameDecoder* decoder) { decoder_ = decoder; }
  Result<void> write(ByteSpan data) override {
    SAFEHOUSE_TRY_VOID(open());
    return file_->write(data);
  }
  Result<void> finish() override {
    SAFEHOUSE_TRY_VOID(open());
    return file_->finish();
  }
  std::string name() const { return file_ ? file_->name() : std::string(); }

 private:
  Result<void> open() {
    if (file_) return {};
    if (!decoder_ || !decoder_->header()) return malformed("frame: content before the header");
    file_ = SAFEHOUSE_TRY(
        out_.create("copy" + std::to_string(copy_id_), decoder_->header()->file_name));
    return {};
  }

  OutputDir& out_;
  std::int64_t copy_id_;
  const intake::FrameDecoder* decoder_ = nullptr;
  std::unique_ptr<OutputDirFile> file_;
};

}  // namespace

Result<std::int64_t> attach_publication_copy(store::Store& store,
                                             std::span<const age::Recipient* const> recipients,
                                             const AttachRequest& request) {
  if (recipients.empty()) return invalid_argument("publication copy: no recipient");
  // Always a blob (inline limit 0): the copies table keeps no bodies.
  auto encryptor = SAFEHOUSE_TRY(
      intake::ItemEncryptor::create(request.header, recipients, store.blobs(), /*inline_limit=*/0));
  SAFEHOUSE_TRY_VOID(copy_file_into(request.cleaned, *encryptor));
  SAFEHOUSE_TRY_VOID(encryptor->finish());
  const store::ItemBody body = encryptor->take_body();
  const auto* blob = std::get_if<store::BlobRef>(&body);
  if (!blob) return Error(ErrorCode::kInternal, "publication copy: the body is not a blob");

  store::PublicationCopyRecord record;
  record.case_id = request.case_id;
  record.item_id = request.item_id;
  record.reviewer_id = request.reviewer_id;
  record.body = *blob;
  record.day = request.day;
  std::int64_t copy_id = 0;
  auto committed = commit_under_audit_lock(store, [&](store::SqlSession& db) -> Result<void> {
    copy_id = SAFEHOUSE_TRY(store::insert_publication_copy(db, record));
    return append_audit(
        db,
        {request.actor, "publication-copy", request.case_id,
         "item " + std::to_string(request.item_id) + " -> copy " + std::to_string(copy_id)},
        request.day);
  });
  if (!committed) {
    // After kIo or kOutcomeUnknown the record may be there: keep the blob.
    if (!store::commit_may_have_happened(committed.error())) {
      (void)store.blobs().remove(blob->sha256);
    }
    return committed.error().with_context("publication copy");
  }
  return copy_id;
}

Result<std::vector<store::PublicationCopyRecord>> publication_copies(store::Store& store,
                                                                     store::CaseId case_id) {
  std::vector<store::PublicationCopyRecord> copies;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    copies = SAFEHOUSE_TRY(store::list_publication_copies(db, case_id));
    return {};
  }));
  return copies;
}

Result<std::string> save_publication_copy(store::Store& store,
                                          const store::PublicationCopyRecord& copy,
                                          std::span<const age::Identity* const> identities,
                                          OutputDir& out) {
  auto body = store.blobs().open_blob(copy.body);
  if (!body) return body.error().with_context("publication copy " + std::to_string(copy.copy_id));
  return save_publication_copy(**body, copy, identities, out);
}

Result<std::string> save_publication_copy(ByteSource& body,
                                          const store::PublicationCopyRecord& copy,
                                          std::span<const age::Identity* const> identities,
                                          OutputDir& out) {
  const std::string where = "publication copy " + std::to_string(copy.copy_id);
  CopyFileSink content(out, copy.copy_id);
  intake::FrameDecoder decoder(content);
  content.set_decoder(&decoder);
  auto decrypted = age::decrypt(identities, body, decoder);
  if (!decrypted) return decrypted.error().with_context(where);
  if (!decoder.header()) return malformed(where + ": frame: truncated");
  return content.name();
}

}  // namespace safehouse::review
