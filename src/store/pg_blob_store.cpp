// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pg_blob_store.cpp: blobs as chunked rows (store/pg_blob_store.h).
#include "store/pg_blob_store.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "crypto/sha256.h"
#include "store/pg_session.h"
#include "store/verifying_source.h"

namespace safehouse::store {
namespace {

using detail::PgSession;

constexpr std::size_t kIdleSessions = 4;

class PgBlobStore;

// A connection borrowed from the store's pool, returned when done (unless
// it was lost).
class Lease {
 public:
  Lease(PgBlobStore& store, std::unique_ptr<PgSession> session)
      : store_(&store), session_(std::move(session)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  PgSession& operator*() { return *session_; }
  PgSession* operator->() { return session_.get(); }

 private:
  PgBlobStore* store_;
  std::unique_ptr<PgSession> session_;
};

class PgBlobStore final : public BlobStore {
 public:
  PgBlobStore(std::string url, int connect_timeout_s)
      : url_(std::move(url)), connect_timeout_s_(connect_timeout_s) {}

  Result<std::unique_ptr<BlobWriter>> create_writer() override;
  Result<std::unique_ptr<ByteSource>> open_blob(const BlobRef& ref) override;
  Result<bool> contains(const BlobRef& ref) override {
    auto db = SAFEHOUSE_TRY(acquire());
    auto row = SAFEHOUSE_TRY(db->query_one("SELECT 1 FROM blobs WHERE sha256 = ? AND size = ?",
                                           {ByteSpan(ref.sha256), ref.size}));
    return row.has_value();
  }
  Result<void> remove(const Sha256& digest) override {
    auto db = SAFEHOUSE_TRY(acquire());
    SAFEHOUSE_TRY_VOID(db->exec("BEGIN"));
    auto removed = [&]() -> Result<void> {
      auto row = SAFEHOUSE_TRY(db->query_one("DELETE FROM blobs WHERE sha256 = ? RETURNING blob_id",
                                             {ByteSpan(digest)}));
      if (!row) return Error(ErrorCode::kNotFound, "blob store: no such blob");
      return db->exec("DELETE FROM blob_chunks WHERE blob_id = ?", {row->integer(0)});
    }();
    if (!removed) {
      (void)db->exec("ROLLBACK");
      return removed.error();
    }
    return db->exec("COMMIT");
  }

  Result<Upload> create_upload() override { return no_uploads(); }
  Result<std::unique_ptr<BlobWriter>> resume_upload(std::string_view) override {
    return no_uploads();
  }
  Result<void> abort_upload(std::string_view) override { return no_uploads(); }
  Result<std::vector<std::string>> list_uploads() override { return no_uploads(); }

  Result<Lease> acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto session = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(session));
      }
    }
    auto session = SAFEHOUSE_TRY(PgSession::connect(url_, connect_timeout_s_, false));
    return Lease(*this, std::move(session));
  }
  void release(std::unique_ptr<PgSession> session) {
    std::lock_guard lock(mu_);
    if (session->broken()) {
      idle_.clear();  // the server went away: the others are as dead
    } else if (idle_.size() < kIdleSessions) {
      idle_.push_back(std::move(session));
    }
  }

 private:
  static Error no_uploads() {
    return Error(ErrorCode::kUnsupported, "blob store: postgresql blobs have no resumable uploads");
  }

  const std::string url_;
  const int connect_timeout_s_;
  std::mutex mu_;
  std::vector<std::unique_ptr<PgSession>> idle_;
};

Lease::~Lease() {
  if (session_) store_->release(std::move(session_));
}

// Writes chunks inside its own transaction; finish() names and commits.
class PgBlobWriter final : public BlobWriter {
 public:
  PgBlobWriter(Lease db, std::int64_t blob_id) : db_(std::move(db)), blob_id_(blob_id) {
    buffer_.reserve(kPgBlobChunkBytes);
  }
  ~PgBlobWriter() override {
    if (open_) (void)db_->exec("ROLLBACK");  // unfinished: nothing stays
  }

  Result<void> write(ByteSpan data) override {
    if (error_) return *error_;
    if (result_) return fail(Error(ErrorCode::kInternal, "blob writer: write after finish"));
    hasher_.update(data);
    size_ += data.size();
    while (!data.empty()) {
      const std::size_t take = std::min(data.size(), kPgBlobChunkBytes - buffer_.size());
      buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<long>(take));
      data = data.subspan(take);
      if (buffer_.size() == kPgBlobChunkBytes) SAFEHOUSE_TRY_VOID(flush());
    }
    return {};
  }

  Result<void> finish() override {
    if (error_) return *error_;
    if (result_) return {};
    if (!buffer_.empty()) SAFEHOUSE_TRY_VOID(flush());
    BlobRef ref{hasher_.finish(), size_};
    auto named = db_->query_one(
        "INSERT INTO blobs (sha256, size, blob_id) VALUES (?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING RETURNING blob_id",
        {ByteSpan(ref.sha256), ref.size, blob_id_});
    if (!named) return fail(named.error());
    // Already stored: equal ciphertexts share one blob; ours goes.
    auto ended = db_->exec(*named ? "COMMIT" : "ROLLBACK");
    open_ = false;
    if (!ended) return fail(ended.error().with_context("blob store"));
    result_ = ref;
    return {};
  }
  const BlobRef& result() const override { return *result_; }
  std::uint64_t size() const override { return size_; }
  Result<void> sync() override {
    return Error(ErrorCode::kUnsupported, "blob store: postgresql blobs are durable at finish()");
  }

 private:
  Result<void> flush() {
    auto inserted = db_->exec("INSERT INTO blob_chunks (blob_id, chunk, data) VALUES (?, ?, ?)",
                              {blob_id_, next_chunk_, ByteSpan(buffer_)});
    if (!inserted) return fail(inserted.error());
    ++next_chunk_;
    buffer_.clear();
    return {};
  }
  Result<void> fail(Error error) {
    if (!error_) error_ = error.with_context("blob store");
    if (open_) (void)db_->exec("ROLLBACK");
    open_ = false;
    return *error_;
  }

  Lease db_;
  const std::int64_t blob_id_;
  bool open_ = true;
  crypto::Sha256 hasher_;
  Bytes buffer_;
  std::int64_t next_chunk_ = 0;
  std::uint64_t size_ = 0;
  std::optional<Error> error_;
  std::optional<BlobRef> result_;
};

// Reads a blob's chunks in order, one row at a time.
class ChunkSource final : public ByteSource {
 public:
  ChunkSource(PgBlobStore& store, std::int64_t blob_id) : store_(store), blob_id_(blob_id) {}
  Result<std::size_t> read(MutableByteSpan out) override {
    if (at_ == chunk_.size()) {
      if (done_) return std::size_t{0};
      auto db = SAFEHOUSE_TRY(store_.acquire());
      auto row = SAFEHOUSE_TRY(db->query_one(
          "SELECT data FROM blob_chunks WHERE blob_id = ? AND chunk = ?", {blob_id_, next_}));
      if (!row) {
        done_ = true;
        return std::size_t{0};
      }
      ByteSpan data = row->blob(0);
      chunk_.assign(data.begin(), data.end());
      at_ = 0;
      ++next_;
      if (chunk_.empty()) done_ = true;
    }
    const std::size_t n = std::min(out.size(), chunk_.size() - at_);
    std::copy_n(chunk_.begin() + static_cast<long>(at_), n, out.begin());
    at_ += n;
    return n;
  }

 private:
  PgBlobStore& store_;
  const std::int64_t blob_id_;
  Bytes chunk_;
  std::size_t at_ = 0;
  std::int64_t next_ = 0;
  bool done_ = false;
};

Result<std::unique_ptr<BlobWriter>> PgBlobStore::create_writer() {
  auto db = SAFEHOUSE_TRY(acquire());
  SAFEHOUSE_TRY_VOID(db->exec("BEGIN"));
  // A random id (not a sequence) so that both engines' schemas agree.
  std::int64_t blob_id = 0;
  randombytes_buf(&blob_id, sizeof blob_id);
  blob_id &= std::numeric_limits<std::int64_t>::max();
  return std::unique_ptr<BlobWriter>(new PgBlobWriter(std::move(db), blob_id));
}

Result<std::unique_ptr<ByteSource>> PgBlobStore::open_blob(const BlobRef& ref) {
  auto db = SAFEHOUSE_TRY(acquire());
  auto row = SAFEHOUSE_TRY(
      db->query_one("SELECT blob_id FROM blobs WHERE sha256 = ?", {ByteSpan(ref.sha256)}));
  if (!row) return Error(ErrorCode::kNotFound, "blob store: no such blob");
  return make_verifying_source(std::make_unique<ChunkSource>(*this, row->integer(0)), ref);
}

}  // namespace

Result<std::unique_ptr<BlobStore>> open_pg_blob_store(const std::string& url,
                                                      int connect_timeout_s) {
  auto store = std::make_unique<PgBlobStore>(url, connect_timeout_s);
  // Connect once now, so that a wrong URL fails at start, not at the first blob.
  { SAFEHOUSE_TRY_VOID(store->acquire()); }
  return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace safehouse::store
