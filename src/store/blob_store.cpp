// SPDX-License-Identifier: AGPL-3.0-or-later
// store/blob_store.cpp: what every blob engine shares — choosing one,
// reading a whole blob, and checking bytes against their BlobRef.
#include "store/blob_store.h"

#include <optional>
#include <utility>

#include "crypto/sha256.h"
#include "store/directory_blob_store.h"
#include "store/pack_blob_store.h"
#include "store/verifying_source.h"

namespace safehouse::store {
namespace {

Error integrity(const BlobRef& ref, const char* what) {
  return Error(ErrorCode::kIntegrity, "blob " + to_hex(ref.sha256) + ": " + what);
}

class VerifyingSource final : public ByteSource {
 public:
  VerifyingSource(std::unique_ptr<ByteSource> inner, BlobRef expected)
      : inner_(std::move(inner)), expected_(expected) {}

  Result<std::size_t> read(MutableByteSpan data) override {
    if (error_) return *error_;
    // Readers may ask again after the end (age's decryptor does): the digest
    // state is final by then and must not be finalised twice.
    if (at_end_) return std::size_t{0};
    auto n = inner_->read(data);
    if (!n) return fail(n.error());
    if (*n == 0) {
      at_end_ = true;
      Sha256 digest = hasher_.finish();
      if (seen_ != expected_.size) return fail(integrity(expected_, "size does not match"));
      if (digest != expected_.sha256) return fail(integrity(expected_, "sha-256 does not match"));
      return std::size_t{0};
    }
    seen_ += *n;
    if (seen_ > expected_.size) return fail(integrity(expected_, "size does not match"));
    hasher_.update(data.first(*n));
    return *n;
  }

 private:
  Result<std::size_t> fail(Error e) {
    error_ = e;
    return e;
  }

  std::unique_ptr<ByteSource> inner_;
  BlobRef expected_;
  crypto::Sha256 hasher_;
  std::uint64_t seen_ = 0;
  bool at_end_ = false;
  std::optional<Error> error_;
};

}  // namespace

std::unique_ptr<ByteSource> make_verifying_source(std::unique_ptr<ByteSource> inner,
                                                  const BlobRef& expected) {
  return std::make_unique<VerifyingSource>(std::move(inner), expected);
}

std::string_view blob_engine_name(BlobEngine engine) {
  switch (engine) {
    case BlobEngine::kPack:
      return "pack";
    case BlobEngine::kDirectory:
      return "directory";
  }
  return "?";
}

Result<BlobEngine> parse_blob_engine(std::string_view text) {
  for (BlobEngine engine : {BlobEngine::kPack, BlobEngine::kDirectory}) {
    if (text == blob_engine_name(engine)) return engine;
  }
  return Error(
      ErrorCode::kInvalidArgument,
      "blob engine: expected \"pack\" or \"directory\", not \"" + std::string(text) + "\"");
}

Result<Bytes> BlobStore::read_blob(const BlobRef& ref, std::size_t max_bytes) {
  if (ref.size > max_bytes) return Error(ErrorCode::kTooLarge, "blob store: blob is too large");
  auto source = SAFEHOUSE_TRY(open_blob(ref));
  Bytes out(static_cast<std::size_t>(ref.size) + 1);  // +1 so extra bytes show up
  std::size_t filled = 0;
  for (;;) {
    std::size_t n = SAFEHOUSE_TRY(source->read(MutableByteSpan(out).subspan(filled)));
    if (n == 0) break;
    filled += n;
  }
  out.resize(filled);
  return out;
}

Result<std::unique_ptr<BlobStore>> open_blob_store(const std::filesystem::path& dir, FileSystem& fs,
                                                   BlobEngine engine) {
  switch (engine) {
    case BlobEngine::kDirectory: {
      auto store = SAFEHOUSE_TRY(DirectoryBlobStore::open(dir, fs));
      return std::unique_ptr<BlobStore>(std::move(store));
    }
    case BlobEngine::kPack: {
      auto store = SAFEHOUSE_TRY(PackBlobStore::open(dir, fs));
      return std::unique_ptr<BlobStore>(std::move(store));
    }
  }
  return Error(ErrorCode::kInternal, "blob store: unknown engine");
}

}  // namespace safehouse::store
