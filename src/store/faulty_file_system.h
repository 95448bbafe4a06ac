// SPDX-License-Identifier: AGPL-3.0-or-later
// store/faulty_file_system.h: FileSystem wrappers for tests (LevelDB's
// EnvWrapper and fault-injection Env): forward everything, and optionally
// fail the Nth sync or run out of disk space after N more bytes.
// Used by store and intake tests; production code never constructs one.
#ifndef SAFEHOUSE_STORE_FAULTY_FILE_SYSTEM_H_
#define SAFEHOUSE_STORE_FAULTY_FILE_SYSTEM_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>

#include "store/file_system.h"
#include "store/thread_annotations.h"

namespace safehouse::store {

// Forwards every call to `target`, which must outlive the wrapper. Subclass
// and override what you want to change. Thread safety: as the target.
class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem& target) : target_(target) {}

  Result<std::unique_ptr<WritableFile>> create_file(const std::filesystem::path& path) override;
  Result<std::unique_ptr<WritableFile>> open_for_append(const std::filesystem::path& path) override;
  Result<std::unique_ptr<RandomAccessFile>> open_random_access(
      const std::filesystem::path& path) override;
  Result<std::unique_ptr<ByteSource>> open_for_reading(const std::filesystem::path& path) override;
  Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) override;
  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Result<void> remove(const std::filesystem::path& path) override;
  Result<void> sync_directory(const std::filesystem::path& path) override;
  Result<void> truncate_times_to_day(const std::filesystem::path& path) override;
  Result<void> create_directories(const std::filesystem::path& path) override;
  Result<std::vector<std::string>> list_directory(const std::filesystem::path& path) override;
  Result<std::uint64_t> file_size(const std::filesystem::path& path) override;
  Result<bool> exists(const std::filesystem::path& path) override;
  Result<std::unique_ptr<FileLock>> open_lock(const std::filesystem::path& path) override;
  Result<void> check_database_io(DatabaseIo kind, std::size_t bytes) override;

  FileSystem& target() { return target_; }

 private:
  FileSystem& target_;
};

// Injects faults into file writes/syncs, directory syncs and database
// writes/syncs alike. Thread-safe (the counters are atomic).
class FaultyFileSystem final : public FileSystemWrapper {
 public:
  static constexpr std::int64_t kNever = -1;

  explicit FaultyFileSystem(FileSystem& target) : FileSystemWrapper(target) {}

  // The `n`th sync from now (1 = the next one) fails with kIo, as do all
  // later ones while `sticky` (a disk that went bad). kNever disables.
  void fail_sync(std::int64_t n, bool sticky = false);
  // After `bytes` more bytes are written, writes fail with ENOSPC
  // (kUnavailable). kNever disables (an unlimited disk).
  void set_space_left(std::int64_t bytes);
  // Runs before every sync (file, directory or database), outside any lock;
  // tests use it to block the writer thread at a known point.
  void set_sync_hook(std::function<void()> hook);

  std::int64_t syncs() const { return syncs_.load(); }
  std::int64_t failed_syncs() const { return failed_syncs_.load(); }
  std::int64_t bytes_written() const { return bytes_written_.load(); }

  Result<std::unique_ptr<WritableFile>> create_file(const std::filesystem::path& path) override;
  Result<std::unique_ptr<WritableFile>> open_for_append(const std::filesystem::path& path) override;
  Result<std::unique_ptr<RandomAccessFile>> open_random_access(
      const std::filesystem::path& path) override;
  Result<void> sync_directory(const std::filesystem::path& path) override;
  Result<void> check_database_io(DatabaseIo kind, std::size_t bytes) override;

  // The shared checks, public for the wrapped WritableFile.
  Result<void> before_sync();
  // Takes `bytes` from the space left; all-or-nothing.
  Result<void> before_write(std::size_t bytes);

 private:
  std::atomic<std::int64_t> syncs_{0};
  std::atomic<std::int64_t> failed_syncs_{0};
  std::atomic<std::int64_t> bytes_written_{0};
  std::atomic<std::int64_t> fail_sync_at_{kNever};  // value of syncs_ that fails
  std::atomic<bool> sticky_{false};
  std::atomic<std::int64_t> space_left_{kNever};
  Mutex hook_mu_;
  std::function<void()> sync_hook_ GUARDED_BY(hook_mu_);
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_FAULTY_FILE_SYSTEM_H_
