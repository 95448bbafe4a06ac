// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pack_blob_store.cpp: the pack engine — segments reserved at the
// pack's end, the index log and its recovery. See pack_blob_store.h.
#include "store/pack_blob_store.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "crypto/sha256.h"
#include "store/direct_spool.h"
#include "store/verifying_source.h"

namespace safehouse::store {
namespace {

constexpr const char* kLockFile = "LOCK";
constexpr std::uint64_t kBlock = 4096;                  // punch and align granularity
constexpr std::uint64_t kFirstSegment = 1 << 20;        // 1 MiB
constexpr std::uint64_t kLargestSegment = 64ull << 20;  // 64 MiB: few extents a blob
constexpr std::uint32_t kMaxPayload = 1 << 20;          // 65,000 extents: 4 TiB a blob
constexpr std::uint8_t kRecordMagic[4] = {'S', 'H', 'P', '1'};
constexpr std::size_t kHeaderBytes = 16;  // magic, kind, 3 zero bytes, payload length, 4 zero
constexpr std::size_t kChecksumBytes = 32;
constexpr std::uint8_t kPut = 1;
constexpr std::uint8_t kRemove = 2;

std::uint64_t round_up(std::uint64_t n) {
  return (n + kBlock - 1) / kBlock * kBlock;
}

void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint64_t get_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Error corrupt(const std::string& what) {
  return Error(ErrorCode::kIntegrity, "blob index: " + what);
}

// A put record's payload: digest, size, extent count, extents.
Bytes encode_put(const BlobRef& ref, const std::vector<PackExtent>& extents) {
  Bytes out(ref.sha256.begin(), ref.sha256.end());
  put_u64(out, ref.size);
  put_u32(out, static_cast<std::uint32_t>(extents.size()));
  for (const auto& e : extents) {
    put_u64(out, e.offset);
    put_u64(out, e.length);
  }
  return out;
}

// Reads a blob's extents in order, as one stream.
class PackSource final : public ByteSource {
 public:
  PackSource(std::shared_ptr<RandomAccessFile> pack, std::vector<PackExtent> extents)
      : pack_(std::move(pack)), extents_(std::move(extents)) {}

  Result<std::size_t> read(MutableByteSpan data) override {
    while (next_ < extents_.size() && done_in_extent_ == extents_[next_].length) {
      ++next_;
      done_in_extent_ = 0;
    }
    if (next_ == extents_.size() || data.empty()) return std::size_t{0};
    const PackExtent& e = extents_[next_];
    std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), e.length - done_in_extent_));
    std::size_t n = SAFEHOUSE_TRY(pack_->read_at(e.offset + done_in_extent_, data.first(want)));
    // The pack ends inside a blob: it was cut; the digest check reports it.
    if (n == 0) {
      next_ = extents_.size();
      return std::size_t{0};
    }
    done_in_extent_ += n;
    return n;
  }

 private:
  std::shared_ptr<RandomAccessFile> pack_;
  std::vector<PackExtent> extents_;
  std::size_t next_ = 0;
  std::uint64_t done_in_extent_ = 0;
};

}  // namespace

// The pack engine's writer: fills segments it reserved, one at a time.
class PackBlobWriter final : public BlobWriter {
 public:
  explicit PackBlobWriter(PackBlobStore& store) : store_(store), spool_(*store.pack_) {}
  ~PackBlobWriter() override {
    spool_.cancel();  // before the segments it may be writing go back
    if (!result_) store_.release(segments_);
  }
  PackBlobWriter(const PackBlobWriter&) = delete;
  PackBlobWriter& operator=(const PackBlobWriter&) = delete;

  Result<void> write(ByteSpan data) override {
    if (error_) return *error_;
    if (result_) return fail(Error(ErrorCode::kInternal, "blob writer: write after finish"));
    while (!data.empty()) {
      if (segments_.empty() || used_ == segments_.back().length) {
        if (auto grown = next_segment(); !grown) return fail(grown.error());
      }
      const PackExtent& segment = segments_.back();
      std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), segment.length - used_));
      auto written = spool_.add(segment.offset + used_, data.first(n));
      if (!written) return fail(written.error().with_context("blob writer"));
      used_ += n;
      size_ += n;
      data = data.subspan(n);
    }
    return {};
  }

  Result<void> finish() override {
    if (error_) return *error_;
    if (result_) return {};
    std::vector<PackExtent> extents;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
      std::uint64_t length = i + 1 == segments_.size() ? used_ : segments_[i].length;
      if (length > 0) extents.push_back({segments_[i].offset, length});
    }
    // Every byte is written once the spool has finished.
    auto digest = spool_.finish();
    if (!digest) return fail(digest.error().with_context("blob writer"));
    // The last segment's unused tail goes back to the file system now.
    if (!segments_.empty()) {
      const PackExtent& last = segments_.back();
      std::uint64_t tail = round_up(used_);
      (void)store_.pack_->punch_hole(last.offset + tail, last.length - tail);
    }
    if (auto synced = store_.pack_->sync(); !synced) {
      return fail(synced.error().with_context("blob writer"));
    }
    BlobRef ref{*digest, size_};
    auto published = store_.publish(ref, extents);
    if (!published) return fail(published.error().with_context("blob writer"));
    if (!*published) store_.release(segments_);  // an identical blob is there already
    segments_.clear();                           // the index owns them now
    result_ = ref;
    return {};
  }

  const BlobRef& result() const override {
    assert(result_ && "BlobWriter::result() before a successful finish()");
    return *result_;
  }
  std::uint64_t size() const override { return size_; }

  Result<void> sync() override {
    if (error_) return *error_;
    if (result_) return {};
    if (auto flushed = spool_.flush(); !flushed) {
      return fail(flushed.error().with_context("blob writer"));
    }
    auto synced = store_.pack_->sync();
    if (!synced) return fail(synced.error().with_context("blob writer"));
    return {};
  }

 private:
  Result<void> next_segment() {
    std::uint64_t length =
        segments_.empty() ? kFirstSegment : std::min(segments_.back().length * 2, kLargestSegment);
    PackExtent segment = SAFEHOUSE_TRY(store_.reserve(length));
    segments_.push_back(segment);
    used_ = 0;
    return {};
  }

  Result<void> fail(Error error) {
    error_ = error;
    spool_.cancel();
    store_.release(segments_);
    segments_.clear();
    return error;
  }

  PackBlobStore& store_;
  std::vector<PackExtent> segments_;  // reserved, in order; the last one is being filled
  std::uint64_t used_ = 0;            // bytes written into the last segment
  std::uint64_t size_ = 0;
  DirectSpool spool_;  // writes and hashes, on helpers and around the page cache when large
  std::optional<Error> error_;
  std::optional<BlobRef> result_;
};

PackBlobStore::PackBlobStore(std::filesystem::path dir, FileSystem& fs,
                             std::unique_ptr<FileLock> lock, std::shared_ptr<RandomAccessFile> pack,
                             std::unique_ptr<RandomAccessFile> index,
                             std::unique_ptr<FileLock> pack_lock,
                             std::unique_ptr<FileLock> index_lock)
    : dir_(std::move(dir)),
      fs_(fs),
      lock_(std::move(lock)),
      pack_(std::move(pack)),
      index_(std::move(index)),
      pack_lock_(std::move(pack_lock)),
      index_lock_(std::move(index_lock)) {}

PackBlobStore::~PackBlobStore() = default;

Result<std::unique_ptr<PackBlobStore>> PackBlobStore::open(const std::filesystem::path& dir,
                                                           FileSystem& fs) {
  std::filesystem::path blobs = dir / "blobs";
  std::filesystem::path pack_path = blobs / kPackFileName;
  std::filesystem::path index_path = blobs / kPackIndexFileName;
  bool existed = SAFEHOUSE_TRY(fs.exists(index_path));
  if (!existed && SAFEHOUSE_TRY(fs.exists(blobs / "ff"))) {
    return Error(ErrorCode::kUnsupported,
                 "blob store: " + blobs.string() +
                     " holds one file per blob: set blobs = \"directory\" in config.toml");
  }
  SAFEHOUSE_TRY_VOID(fs.create_directories(blobs));
  auto pack = SAFEHOUSE_TRY(fs.open_random_access(pack_path));
  auto index = SAFEHOUSE_TRY(fs.open_random_access(index_path));
  if (!existed) {
    // Made once, with the installation: their birth time is its.
    for (const auto& path : {pack_path, index_path, blobs}) {
      SAFEHOUSE_TRY_VOID(fs.truncate_times_to_day(path));
    }
    SAFEHOUSE_TRY_VOID(fs.sync_directory(blobs));
    SAFEHOUSE_TRY_VOID(fs.sync_directory(dir));
  }
  auto lock = SAFEHOUSE_TRY(fs.open_lock(blobs / kLockFile));
  auto pack_lock = SAFEHOUSE_TRY(fs.open_lock(pack_path));
  auto index_lock = SAFEHOUSE_TRY(fs.open_lock(index_path));
  std::unique_ptr<PackBlobStore> store(new PackBlobStore(
      blobs, fs, std::move(lock), std::shared_ptr<RandomAccessFile>(std::move(pack)),
      std::move(index), std::move(pack_lock), std::move(index_lock)));
  // Alone (no other process has it open): what a crash left can go.
  if (SAFEHOUSE_TRY(store->lock_->try_exclusive())) {
    SAFEHOUSE_TRY_VOID(store->recover());
  } else {
    MutexLock guard(store->mu_);
    SAFEHOUSE_TRY_VOID(store->refresh());
  }
  SAFEHOUSE_TRY_VOID(store->lock_->shared());
  return store;
}

Result<PackExtent> PackBlobStore::reserve(std::uint64_t length) {
  MutexLock guard(reserve_mu_);
  SAFEHOUSE_TRY_VOID(pack_lock_->exclusive());
  auto reserved = [&]() -> Result<PackExtent> {
    std::uint64_t offset = round_up(SAFEHOUSE_TRY(pack_->size()));
    // Growing the file is the reservation other processes see; the new
    // range is a hole and takes no space until written.
    SAFEHOUSE_TRY_VOID(pack_->resize(offset + length));
    return PackExtent{offset, length};
  }();
  (void)pack_lock_->unlock();
  if (!reserved) return reserved.error().with_context("blob store: reserve");
  return reserved;
}

void PackBlobStore::release(const std::vector<PackExtent>& extents) {
  for (const auto& e : extents) (void)pack_->punch_hole(e.offset, round_up(e.length));
}

Result<void> PackBlobStore::append_record(std::uint8_t kind, ByteSpan payload) {
  Bytes record(kRecordMagic, kRecordMagic + 4);
  record.push_back(kind);
  record.insert(record.end(), 3, 0);
  put_u32(record, static_cast<std::uint32_t>(payload.size()));
  put_u32(record, 0);
  record.insert(record.end(), payload.begin(), payload.end());
  Sha256 checksum = sha256_of(record);
  record.insert(record.end(), checksum.begin(), checksum.end());
  SAFEHOUSE_TRY_VOID(index_lock_->exclusive());
  auto appended = [&]() -> Result<std::uint64_t> {
    std::uint64_t end = SAFEHOUSE_TRY(index_->size());
    SAFEHOUSE_TRY_VOID(index_->write_at(end, record));
    return end;
  }();
  (void)index_lock_->unlock();
  if (!appended) return appended.error();
  if (index_end_ == *appended) index_end_ += record.size();
  return index_->sync();
}

Result<bool> PackBlobStore::publish(const BlobRef& ref, const std::vector<PackExtent>& extents) {
  MutexLock guard(mu_);
  SAFEHOUSE_TRY_VOID(refresh());
  if (auto it = entries_.find(ref.sha256); it != entries_.end() && it->second.size == ref.size) {
    return false;
  }
  SAFEHOUSE_TRY_VOID(append_record(kPut, encode_put(ref, extents)));
  entries_[ref.sha256] = Entry{ref.size, extents};
  return true;
}

Result<bool> PackBlobStore::refresh() {
  std::uint64_t end = SAFEHOUSE_TRY(index_->size());
  while (index_end_ < end) {
    std::uint8_t header[kHeaderBytes];
    if (SAFEHOUSE_TRY(index_->read_at(index_end_, header)) < kHeaderBytes) return false;
    if (std::memcmp(header, kRecordMagic, 4) != 0) return false;
    std::uint8_t kind = header[4];
    auto payload_size = static_cast<std::uint32_t>(get_le(header + 8, 4));
    if (payload_size > kMaxPayload) return false;
    Bytes record(kHeaderBytes + payload_size + kChecksumBytes);
    std::size_t n = SAFEHOUSE_TRY(index_->read_at(index_end_, record));
    if (n < record.size()) return false;
    ByteSpan body = ByteSpan(record).first(kHeaderBytes + payload_size);
    Sha256 checksum = sha256_of(body);
    if (std::memcmp(checksum.data(), record.data() + body.size(), kChecksumBytes) != 0) {
      return false;
    }
    const std::uint8_t* p = record.data() + kHeaderBytes;
    Sha256 digest;
    if (payload_size < digest.size()) return corrupt("record too short");
    std::memcpy(digest.data(), p, digest.size());
    if (kind == kPut) {
      if (payload_size < 44) return corrupt("put record too short");
      Entry entry;
      entry.size = get_le(p + 32, 8);
      auto count = static_cast<std::uint32_t>(get_le(p + 40, 4));
      if (payload_size != 44 + std::uint64_t{count} * 16) return corrupt("put record size");
      std::uint64_t total = 0;
      for (std::uint32_t i = 0; i < count; ++i) {
        PackExtent e{get_le(p + 44 + 16 * i, 8), get_le(p + 52 + 16 * i, 8)};
        total += e.length;
        entry.extents.push_back(e);
      }
      if (total != entry.size) return corrupt("put record extents do not add up");
      entries_[digest] = std::move(entry);
    } else if (kind == kRemove) {
      entries_.erase(digest);
    } else {
      return corrupt("unknown record kind");
    }
    index_end_ += record.size();
  }
  return true;
}

Result<void> PackBlobStore::recover() {
  MutexLock guard(mu_);
  bool whole = SAFEHOUSE_TRY(refresh());
  if (!whole) {
    // A record cut by a crash: never acknowledged (its fsync did not return).
    SAFEHOUSE_TRY_VOID(index_->resize(index_end_));
    SAFEHOUSE_TRY_VOID(index_->sync());
  }
  std::vector<PackExtent> live;
  for (const auto& [digest, entry] : entries_) {
    live.insert(live.end(), entry.extents.begin(), entry.extents.end());
  }
  std::sort(live.begin(), live.end(),
            [](const PackExtent& a, const PackExtent& b) { return a.offset < b.offset; });
  std::uint64_t size = SAFEHOUSE_TRY(pack_->size());
  std::uint64_t at = 0;
  bool punched = false;
  for (const auto& e : live) {
    if (e.offset > at) {
      auto hole = pack_->punch_hole(at, e.offset - at);
      if (!hole && hole.error().code() != ErrorCode::kUnsupported) return hole.error();
      punched = true;
    }
    at = std::max(at, round_up(e.offset + e.length));
  }
  // Nothing live beyond `at`: segments of writers a crash stopped.
  if (size > at) {
    SAFEHOUSE_TRY_VOID(pack_->resize(at));
    punched = true;
  }
  if (punched) SAFEHOUSE_TRY_VOID(pack_->sync());
  return {};
}

Result<std::optional<PackBlobStore::Entry>> PackBlobStore::find(const Sha256& digest) {
  MutexLock guard(mu_);
  // Another process may have added or removed it (one fstat when not).
  SAFEHOUSE_TRY_VOID(refresh());
  auto it = entries_.find(digest);
  if (it == entries_.end()) return std::optional<Entry>();
  return std::optional<Entry>(it->second);
}

Result<std::unique_ptr<BlobWriter>> PackBlobStore::create_writer() {
  return std::unique_ptr<BlobWriter>(new PackBlobWriter(*this));
}

Result<std::unique_ptr<ByteSource>> PackBlobStore::open_blob(const BlobRef& ref) {
  auto entry = SAFEHOUSE_TRY(find(ref.sha256));
  if (!entry) return Error(ErrorCode::kNotFound, "blob store: no blob " + to_hex(ref.sha256));
  auto source = std::make_unique<PackSource>(pack_, std::move(entry->extents));
  return make_verifying_source(std::move(source), ref);
}

Result<bool> PackBlobStore::contains(const BlobRef& ref) {
  auto entry = SAFEHOUSE_TRY(find(ref.sha256));
  return entry && entry->size == ref.size;
}

Result<std::size_t> PackBlobStore::blob_count() {
  MutexLock guard(mu_);
  SAFEHOUSE_TRY_VOID(refresh());
  return entries_.size();
}

Result<std::vector<PackExtent>> PackBlobStore::extents_of(const Sha256& digest) {
  auto entry = SAFEHOUSE_TRY(find(digest));
  if (!entry) return Error(ErrorCode::kNotFound, "blob store: no blob " + to_hex(digest));
  return entry->extents;
}

Result<void> PackBlobStore::remove(const Sha256& digest) {
  std::vector<PackExtent> extents;
  {
    MutexLock guard(mu_);
    SAFEHOUSE_TRY_VOID(refresh());
    auto it = entries_.find(digest);
    if (it == entries_.end()) {
      return Error(ErrorCode::kNotFound, "blob store: no blob " + to_hex(digest));
    }
    // First the record (durably), then the bytes: a crash in between
    // leaves bytes no record names, which the next exclusive open punches.
    SAFEHOUSE_TRY_VOID(append_record(kRemove, ByteSpan(digest.data(), digest.size())));
    extents = std::move(it->second.extents);
    entries_.erase(it);
  }
  for (const auto& e : extents) {
    auto hole = pack_->punch_hole(e.offset, round_up(e.length));
    if (!hole) return hole.error().with_context("blob store: remove");
  }
  return pack_->sync();
}

Result<BlobStore::Upload> PackBlobStore::create_upload() {
  return Error(ErrorCode::kUnsupported, "blob store: the pack engine has no resumable uploads");
}

Result<std::unique_ptr<BlobWriter>> PackBlobStore::resume_upload(std::string_view) {
  return Error(ErrorCode::kUnsupported, "blob store: the pack engine has no resumable uploads");
}

Result<void> PackBlobStore::abort_upload(std::string_view) {
  return Error(ErrorCode::kUnsupported, "blob store: the pack engine has no resumable uploads");
}

Result<std::vector<std::string>> PackBlobStore::list_uploads() {
  return std::vector<std::string>{};
}

void PackBlobStore::restamp_times() {
  for (const char* name : {kPackFileName, kPackIndexFileName}) {
    (void)fs_.truncate_times_to_day(dir_ / name);
  }
}

}  // namespace safehouse::store
