// SPDX-License-Identifier: AGPL-3.0-or-later
// store/directory_blob_store.cpp: the directory engine — writing blobs
// durably (tmp → fsync → rename → fsync directory) and reading them back
// with their digest checked.
#include "store/directory_blob_store.h"

#include <sodium.h>

#include <cassert>
#include <cstdio>
#include <utility>

#include "crypto/sha256.h"
#include "store/range_hasher.h"
#include "store/verifying_source.h"

namespace safehouse::store {
namespace {

constexpr const char* kTmpDir = "tmp";
constexpr const char* kLockFile = "LOCK";
constexpr const char* kUploadsDir = "uploads";
constexpr std::size_t kUploadIdChars = 32;

// 128 random bits as 32 hex characters.
std::string random_id() {
  Sha256 bytes{};
  randombytes_buf(bytes.data(), 16);
  return to_hex(bytes).substr(0, kUploadIdChars);
}

std::string subdir_name(unsigned i) {
  char name[3];
  std::snprintf(name, sizeof name, "%02x", i);
  return name;
}

}  // namespace

// The digest as in the pack engine (store/range_hasher.h): a large blob is
// read back through a second descriptor and hashed on a helper thread while
// the writer appends. `hasher` is declared after (destroyed before) `reader`.
struct DirectoryBlobWriter::Hasher {
  explicit Hasher(std::unique_ptr<RandomAccessFile> file)
      : reader(std::move(file)), hasher(*reader) {}
  std::unique_ptr<RandomAccessFile> reader;
  RangeHasher hasher;
};

DirectoryBlobWriter::DirectoryBlobWriter(DirectoryBlobStore& store, std::filesystem::path tmp_path,
                                         std::unique_ptr<WritableFile> file,
                                         std::unique_ptr<RandomAccessFile> reader, bool resumable)
    : store_(store),
      tmp_path_(std::move(tmp_path)),
      file_(std::move(file)),
      hasher_(std::make_unique<Hasher>(std::move(reader))),
      resumable_(resumable) {}

DirectoryBlobWriter::~DirectoryBlobWriter() {
  bool unfinished = file_ || (!result_ && !error_);
  file_.reset();
  // Best effort: startup cleanup catches what this misses.
  if (unfinished && !resumable_) (void)store_.fs_.remove(tmp_path_);
}

Result<void> DirectoryBlobWriter::fail(Error error) {
  error_ = error;
  hasher_->hasher.cancel();
  file_.reset();
  if (!resumable_) (void)store_.fs_.remove(tmp_path_);
  return error;
}

Result<void> DirectoryBlobWriter::sync() {
  if (error_) return *error_;
  if (result_) return {};
  auto synced = file_->sync();
  if (!synced) return fail(synced.error().with_context("blob writer"));
  return {};
}

Result<void> DirectoryBlobWriter::write(ByteSpan data) {
  if (error_) return *error_;
  if (result_) return fail(Error(ErrorCode::kInternal, "blob writer: write after finish"));
  auto appended = file_->append(data);
  if (!appended) return fail(appended.error().with_context("blob writer"));
  hasher_->hasher.add(size_, data);
  size_ += data.size();
  return {};
}

Result<void> DirectoryBlobWriter::finish() {
  if (error_) return *error_;
  if (result_) return {};
  // Before the fsync, so the blurred times are as durable as the bytes.
  auto blurred = store_.fs_.truncate_times_to_day(tmp_path_);
  if (!blurred) return fail(blurred.error().with_context("blob writer"));
  auto synced = file_->sync();
  if (!synced) return fail(synced.error().with_context("blob writer"));
  auto closed = file_->close();
  if (!closed) return fail(closed.error().with_context("blob writer"));
  file_.reset();
  auto digest = hasher_->hasher.finish();
  if (!digest) return fail(digest.error().with_context("blob writer"));
  BlobRef ref;
  ref.size = size_;
  ref.sha256 = *digest;
  result_ = ref;
  auto published = publish();
  if (!published) {
    result_.reset();
    return fail(published.error().with_context("blob writer"));
  }
  return {};
}

// Renames the synced temporary file to its content address and makes the
// rename durable. If that last fsync fails, the new name is taken back —
// unless an identical blob was already there, which other items may use.
Result<void> DirectoryBlobWriter::publish() {
  std::filesystem::path final_path = store_.path_of(result_->sha256);
  bool existed = SAFEHOUSE_TRY(store_.fs_.exists(final_path));
  SAFEHOUSE_TRY_VOID(store_.fs_.rename(tmp_path_, final_path));
  // The rename stamped both directories with the exact time: blur them too.
  // Failing to is not worth losing a durable blob over.
  (void)store_.fs_.truncate_times_to_day(final_path.parent_path());
  (void)store_.fs_.truncate_times_to_day(tmp_path_.parent_path());
  auto synced = store_.fs_.sync_directory(final_path.parent_path());
  if (!synced && !existed) {
    // An upload goes back under its id, so that finish() can be retried.
    if (!resumable_ || !store_.fs_.rename(final_path, tmp_path_)) {
      (void)store_.fs_.remove(final_path);
    }
  }
  return synced;
}

const BlobRef& DirectoryBlobWriter::result() const {
  assert(result_ && "DirectoryBlobWriter::result() before a successful finish()");
  return result_.value();
}

DirectoryBlobStore::DirectoryBlobStore(std::filesystem::path dir, FileSystem& fs,
                                       std::unique_ptr<FileLock> lock)
    : dir_(std::move(dir)), fs_(fs), lock_(std::move(lock)) {}

Result<std::unique_ptr<DirectoryBlobStore>> DirectoryBlobStore::open(
    const std::filesystem::path& dir, FileSystem& fs) {
  std::filesystem::path blobs = dir / "blobs";
  SAFEHOUSE_TRY_VOID(fs.create_directories(blobs / kTmpDir));
  SAFEHOUSE_TRY_VOID(fs.create_directories(blobs / kUploadsDir));
  // All 256 fan-out directories up front, made durable once, so that
  // publishing a blob never has to create (and fsync) a parent directory.
  if (!SAFEHOUSE_TRY(fs.exists(blobs / "ff"))) {
    // Their creation time is the installation's; they carry its day only.
    for (unsigned i = 0; i < 256; ++i) {
      SAFEHOUSE_TRY_VOID(fs.create_directories(blobs / subdir_name(i)));
      SAFEHOUSE_TRY_VOID(fs.truncate_times_to_day(blobs / subdir_name(i)));
    }
    for (const char* name : {kTmpDir, kUploadsDir}) {
      SAFEHOUSE_TRY_VOID(fs.truncate_times_to_day(blobs / name));
    }
    SAFEHOUSE_TRY_VOID(fs.sync_directory(blobs));
    SAFEHOUSE_TRY_VOID(fs.sync_directory(dir));
  }
  auto lock = SAFEHOUSE_TRY(fs.open_lock(blobs / kLockFile));
  std::unique_ptr<DirectoryBlobStore> store(new DirectoryBlobStore(blobs, fs, std::move(lock)));
  // Exclusive means no other process has this directory open: its tmp files
  // are leftovers of a crash. Otherwise they may be uploads in flight.
  if (SAFEHOUSE_TRY(store->lock_->try_exclusive())) SAFEHOUSE_TRY_VOID(store->remove_leftovers());
  SAFEHOUSE_TRY_VOID(store->lock_->shared());
  return store;
}

Result<void> DirectoryBlobStore::remove_leftovers() {
  auto names = SAFEHOUSE_TRY(fs_.list_directory(dir_ / kTmpDir));
  for (const auto& name : names) {
    auto removed = fs_.remove(dir_ / kTmpDir / name);
    if (!removed && removed.error().code() != ErrorCode::kNotFound) return removed.error();
  }
  return {};
}

std::filesystem::path DirectoryBlobStore::path_of(const Sha256& digest) const {
  std::string hex = to_hex(digest);
  return dir_ / hex.substr(0, 2) / hex.substr(2);
}

Result<std::unique_ptr<BlobWriter>> DirectoryBlobStore::create_writer() {
  std::filesystem::path tmp = dir_ / kTmpDir / (random_id() + ".tmp");
  auto file = fs_.create_file(tmp);
  if (!file) return file.error().with_context("blob store");
  auto reader = fs_.open_random_access(tmp);
  if (!reader) {
    (void)fs_.remove(tmp);
    return reader.error().with_context("blob store");
  }
  return std::unique_ptr<BlobWriter>(
      new DirectoryBlobWriter(*this, tmp, std::move(*file), std::move(*reader), false));
}

Result<std::unique_ptr<ByteSource>> DirectoryBlobStore::open_blob(const BlobRef& ref) {
  auto file = fs_.open_for_reading(path_of(ref.sha256));
  if (!file) return file.error().with_context("blob store");
  return make_verifying_source(std::move(*file), ref);
}

Result<bool> DirectoryBlobStore::contains(const BlobRef& ref) {
  auto size = fs_.file_size(path_of(ref.sha256));
  if (!size) {
    if (size.error().code() == ErrorCode::kNotFound) return false;
    return size.error();
  }
  return *size == ref.size;
}

Result<void> DirectoryBlobStore::remove(const Sha256& digest) {
  std::filesystem::path path = path_of(digest);
  SAFEHOUSE_TRY_VOID(fs_.remove(path));
  return fs_.sync_directory(path.parent_path());
}

Result<std::filesystem::path> DirectoryBlobStore::upload_path(std::string_view id) const {
  bool canonical = id.size() == kUploadIdChars &&
                   id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (!canonical) return malformed("blob store: upload id is not 32 lower-case hex characters");
  return dir_ / kUploadsDir / std::string(id);
}

Result<std::unique_ptr<FileLock>> DirectoryBlobStore::lock_upload(
    const std::filesystem::path& path) {
  auto lock = SAFEHOUSE_TRY(fs_.open_lock(path));
  if (!SAFEHOUSE_TRY(lock->try_exclusive())) {
    return Error(ErrorCode::kConflict, "blob store: the upload is open in another writer");
  }
  return lock;
}

Result<DirectoryBlobStore::Upload> DirectoryBlobStore::create_upload() {
  std::string id = random_id();
  std::filesystem::path path = dir_ / kUploadsDir / id;
  auto file = fs_.create_file(path);
  if (!file) return file.error().with_context("blob store");
  auto reader = fs_.open_random_access(path);
  if (!reader) {
    (void)fs_.remove(path);
    return reader.error().with_context("blob store");
  }
  std::unique_ptr<DirectoryBlobWriter> writer(
      new DirectoryBlobWriter(*this, path, std::move(*file), std::move(*reader), true));
  writer->lock_ = SAFEHOUSE_TRY(lock_upload(path));
  // The id is handed to the client: it must survive a crash.
  if (auto synced = fs_.sync_directory(dir_ / kUploadsDir); !synced) {
    writer.reset();
    (void)fs_.remove(path);
    return synced.error().with_context("blob store");
  }
  return Upload{std::move(id), std::move(writer)};
}

Result<std::unique_ptr<BlobWriter>> DirectoryBlobStore::resume_upload(std::string_view id) {
  std::filesystem::path path = SAFEHOUSE_TRY(upload_path(id));
  if (!SAFEHOUSE_TRY(fs_.exists(path)))
    return Error(ErrorCode::kNotFound, "blob store: no such upload");
  auto lock = SAFEHOUSE_TRY(lock_upload(path));
  auto file = SAFEHOUSE_TRY(fs_.open_for_append(path));
  auto reader = SAFEHOUSE_TRY(fs_.open_random_access(path));
  std::unique_ptr<DirectoryBlobWriter> writer(
      new DirectoryBlobWriter(*this, path, std::move(file), std::move(reader), true));
  writer->lock_ = std::move(lock);
  // Rebuild the digest from the bytes already there.
  auto source = SAFEHOUSE_TRY(fs_.open_for_reading(path));
  Bytes buffer(64 * 1024);
  for (;;) {
    std::size_t n = SAFEHOUSE_TRY(source->read(buffer));
    if (n == 0) break;
    writer->hasher_->hasher.add(writer->size_, ByteSpan(buffer.data(), n));
    writer->size_ += n;
  }
  return writer;
}

Result<void> DirectoryBlobStore::abort_upload(std::string_view id) {
  std::filesystem::path path = SAFEHOUSE_TRY(upload_path(id));
  auto removed = fs_.remove(path);
  if (!removed) return removed.error().with_context("blob store: abort upload");
  return {};
}

Result<std::vector<std::string>> DirectoryBlobStore::list_uploads() {
  auto names = SAFEHOUSE_TRY(fs_.list_directory(dir_ / kUploadsDir));
  std::vector<std::string> ids;
  for (auto& name : names) {
    if (upload_path(name)) ids.push_back(std::move(name));
  }
  return ids;
}

}  // namespace safehouse::store
