// SPDX-License-Identifier: AGPL-3.0-or-later
// store/faulty_file_system.cpp: the forwarding wrapper and the fault
// injector for tests.
#include "store/faulty_file_system.h"

#include <utility>

namespace safehouse::store {

Result<std::unique_ptr<WritableFile>> FileSystemWrapper::create_file(
    const std::filesystem::path& path) {
  return target_.create_file(path);
}
Result<std::unique_ptr<WritableFile>> FileSystemWrapper::open_for_append(
    const std::filesystem::path& path) {
  return target_.open_for_append(path);
}
Result<std::unique_ptr<ByteSource>> FileSystemWrapper::open_for_reading(
    const std::filesystem::path& path) {
  return target_.open_for_reading(path);
}
Result<Bytes> FileSystemWrapper::read_file(const std::filesystem::path& path,
                                           std::size_t max_bytes) {
  return target_.read_file(path, max_bytes);
}
Result<void> FileSystemWrapper::rename(const std::filesystem::path& from,
                                       const std::filesystem::path& to) {
  return target_.rename(from, to);
}
Result<void> FileSystemWrapper::remove(const std::filesystem::path& path) {
  return target_.remove(path);
}
Result<void> FileSystemWrapper::sync_directory(const std::filesystem::path& path) {
  return target_.sync_directory(path);
}

Result<void> FileSystemWrapper::truncate_times_to_day(const std::filesystem::path& path) {
  return target_.truncate_times_to_day(path);
}
Result<void> FileSystemWrapper::create_directories(const std::filesystem::path& path) {
  return target_.create_directories(path);
}
Result<std::vector<std::string>> FileSystemWrapper::list_directory(
    const std::filesystem::path& path) {
  return target_.list_directory(path);
}
Result<std::uint64_t> FileSystemWrapper::file_size(const std::filesystem::path& path) {
  return target_.file_size(path);
}
Result<bool> FileSystemWrapper::exists(const std::filesystem::path& path) {
  return target_.exists(path);
}
Result<std::unique_ptr<RandomAccessFile>> FileSystemWrapper::open_random_access(
    const std::filesystem::path& path) {
  return target_.open_random_access(path);
}
Result<std::unique_ptr<FileLock>> FileSystemWrapper::open_lock(const std::filesystem::path& path) {
  return target_.open_lock(path);
}
Result<void> FileSystemWrapper::check_database_io(DatabaseIo kind, std::size_t bytes) {
  return target_.check_database_io(kind, bytes);
}
Result<std::uint64_t> FileSystemWrapper::available_bytes(const std::filesystem::path& path) {
  return target_.available_bytes(path);
}

namespace {

// A WritableFile whose appends and syncs pass through the injector first.
class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultyFileSystem& fs, std::unique_ptr<WritableFile> target)
      : fs_(fs), target_(std::move(target)) {}

  Result<void> append(ByteSpan data) override {
    SAFEHOUSE_TRY_VOID(fs_.before_write(data.size()));
    return target_->append(data);
  }
  Result<void> sync() override {
    SAFEHOUSE_TRY_VOID(fs_.before_sync());
    return target_->sync();
  }
  Result<void> close() override { return target_->close(); }

 private:
  FaultyFileSystem& fs_;
  std::unique_ptr<WritableFile> target_;
};

// A RandomAccessFile whose writes and syncs pass through the injector first.
class FaultyRandomAccessFile final : public RandomAccessFile {
 public:
  FaultyRandomAccessFile(FaultyFileSystem& fs, std::unique_ptr<RandomAccessFile> target)
      : fs_(fs), target_(std::move(target)) {}

  Result<void> write_at(std::uint64_t offset, ByteSpan data) override {
    SAFEHOUSE_TRY_VOID(fs_.before_write(data.size()));
    return target_->write_at(offset, data);
  }
  Result<void> write_direct_at(std::uint64_t offset, ByteSpan data) override {
    SAFEHOUSE_TRY_VOID(fs_.before_write(data.size()));
    return target_->write_direct_at(offset, data);
  }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteSpan data) override {
    return target_->read_at(offset, data);
  }
  Result<void> sync() override {
    SAFEHOUSE_TRY_VOID(fs_.before_sync());
    return target_->sync();
  }
  Result<std::uint64_t> size() override { return target_->size(); }
  Result<void> resize(std::uint64_t size) override { return target_->resize(size); }
  Result<void> punch_hole(std::uint64_t offset, std::uint64_t length) override {
    return target_->punch_hole(offset, length);
  }
  void start_writeback(std::uint64_t offset, std::uint64_t length) override {
    target_->start_writeback(offset, length);
  }
  void drop_cached(std::uint64_t offset, std::uint64_t length) override {
    target_->drop_cached(offset, length);
  }

 private:
  FaultyFileSystem& fs_;
  std::unique_ptr<RandomAccessFile> target_;
};

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> FaultyFileSystem::open_random_access(
    const std::filesystem::path& path) {
  auto file = SAFEHOUSE_TRY(FileSystemWrapper::open_random_access(path));
  return std::unique_ptr<RandomAccessFile>(new FaultyRandomAccessFile(*this, std::move(file)));
}

void FaultyFileSystem::fail_sync(std::int64_t n, bool sticky) {
  sticky_ = sticky;
  fail_sync_at_ = n == kNever ? kNever : syncs_.load() + n;
}

void FaultyFileSystem::set_space_left(std::int64_t bytes) {
  space_left_ = bytes;
}

void FaultyFileSystem::set_sync_hook(std::function<void()> hook) {
  MutexLock lock(hook_mu_);
  sync_hook_ = std::move(hook);
}

Result<void> FaultyFileSystem::before_sync() {
  std::function<void()> hook;
  {
    MutexLock lock(hook_mu_);
    hook = sync_hook_;
  }
  if (hook) hook();
  std::int64_t number = ++syncs_;
  std::int64_t fail_at = fail_sync_at_.load();
  if (fail_at != kNever && (number == fail_at || (sticky_ && number > fail_at))) {
    ++failed_syncs_;
    return io_error("fsync: injected failure (input/output error)");
  }
  return {};
}

Result<void> FaultyFileSystem::before_write(std::size_t bytes) {
  auto wanted = static_cast<std::int64_t>(bytes);
  std::int64_t left = space_left_.load();
  while (left != kNever) {
    if (left < wanted) {
      return Error(ErrorCode::kUnavailable, "write: injected failure (no space left on device)");
    }
    if (space_left_.compare_exchange_weak(left, left - wanted)) break;
  }
  bytes_written_ += wanted;
  return {};
}

Result<std::unique_ptr<WritableFile>> FaultyFileSystem::create_file(
    const std::filesystem::path& path) {
  auto file = SAFEHOUSE_TRY(FileSystemWrapper::create_file(path));
  return std::unique_ptr<WritableFile>(new FaultyWritableFile(*this, std::move(file)));
}

Result<std::unique_ptr<WritableFile>> FaultyFileSystem::open_for_append(
    const std::filesystem::path& path) {
  auto file = SAFEHOUSE_TRY(FileSystemWrapper::open_for_append(path));
  return std::unique_ptr<WritableFile>(new FaultyWritableFile(*this, std::move(file)));
}

Result<void> FaultyFileSystem::sync_directory(const std::filesystem::path& path) {
  SAFEHOUSE_TRY_VOID(before_sync());
  return FileSystemWrapper::sync_directory(path);
}

Result<std::uint64_t> FaultyFileSystem::available_bytes(const std::filesystem::path& path) {
  const std::uint64_t real = SAFEHOUSE_TRY(FileSystemWrapper::available_bytes(path));
  const std::int64_t left = space_left_.load();
  return left == kNever ? real : std::min(real, static_cast<std::uint64_t>(left));
}

Result<void> FaultyFileSystem::check_database_io(DatabaseIo kind, std::size_t bytes) {
  if (kind == DatabaseIo::kSync) {
    SAFEHOUSE_TRY_VOID(before_sync());
  } else {
    SAFEHOUSE_TRY_VOID(before_write(bytes));
  }
  return FileSystemWrapper::check_database_io(kind, bytes);
}

}  // namespace safehouse::store
