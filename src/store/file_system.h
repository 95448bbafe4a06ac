// SPDX-License-Identifier: AGPL-3.0-or-later
// store/file_system.h: the store's only way to the disk (LevelDB's Env idea).
// FileSystem::posix() is the real one; tests wrap it to fail an fsync or fill
// the disk (store/faulty_file_system.h). Knows files and directories, nothing
// of blobs, records or SQL.
#ifndef SAFEHOUSE_STORE_FILE_SYSTEM_H_
#define SAFEHOUSE_STORE_FILE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::store {

// A file open for writing. Errors: kUnavailable for a full disk (ENOSPC,
// EDQUOT), kIo otherwise. Not thread-safe: one owner at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;  // closes the file if still open (no sync)
  // Appends all of `data` (retrying short writes).
  virtual Result<void> append(ByteSpan data) = 0;
  // fsync: on success everything appended so far survives a crash.
  virtual Result<void> sync() = 0;
  virtual Result<void> close() = 0;
};

// A file read and written at offsets: the pack engine's pack and index
// (store/pack_blob_store.h). Errors as WritableFile. Thread-safe: reads and
// writes of disjoint ranges may run at once (pread/pwrite).
class RandomAccessFile {
 public:
  // What write_direct_at needs its offsets, lengths and buffers to be
  // multiples of (the page size; most disks need 512 or 4096).
  static constexpr std::size_t kDirectAlignment = 4096;

  virtual ~RandomAccessFile() = default;  // closes the file (no sync)
  // Writes all of `data` at `offset`, growing the file if needed.
  virtual Result<void> write_at(std::uint64_t offset, ByteSpan data) = 0;
  // Writes all of `data` at `offset` around the page cache (O_DIRECT): from
  // `data` to the disk, with no copy in the kernel and no page left behind.
  // `offset`, data.size() and data.data() must be multiples of
  // kDirectAlignment. Durable after sync(), as write_at. kUnsupported where
  // the file system refuses (the caller then uses write_at); the default.
  virtual Result<void> write_direct_at(std::uint64_t offset, ByteSpan data) {
    return Error(ErrorCode::kUnsupported, "direct write: not supported by this file");
  }
  // Reads up to data.size() bytes at `offset`; fewer only at the end.
  virtual Result<std::size_t> read_at(std::uint64_t offset, MutableByteSpan data) = 0;
  // fdatasync: everything written so far, and the size, survive a crash.
  virtual Result<void> sync() = 0;
  virtual Result<std::uint64_t> size() = 0;
  // ftruncate: grows (with a hole) or shrinks the file to `size` bytes.
  virtual Result<void> resize(std::uint64_t size) = 0;
  // Gives the blocks of [offset, offset + length) back to the file system
  // (fallocate PUNCH_HOLE, size kept): they read as zeros from then on.
  // Durable after the next sync(). kUnsupported where the file system
  // cannot.
  virtual Result<void> punch_hole(std::uint64_t offset, std::uint64_t length) = 0;
  // Starts writing [offset, offset + length) back to the disk without
  // waiting (sync_file_range): a hint for speed, never for durability.
  virtual void start_writeback(std::uint64_t offset, std::uint64_t length) {}
  // Tells the kernel that [offset, offset + length) will not be read again
  // soon (posix_fadvise DONTNEED): its clean pages leave the page cache,
  // dirty ones stay (their writeback starts). A hint: changes no byte.
  virtual void drop_cached(std::uint64_t offset, std::uint64_t length) {}
};

// An advisory inter-process lock on a file (flock). Released on destruction.
// Not thread-safe.
class FileLock {
 public:
  virtual ~FileLock() = default;
  // Takes the lock exclusively without waiting; false if another holder exists.
  virtual Result<bool> try_exclusive() = 0;
  // Takes (or converts to) a shared lock, waiting while someone holds it
  // exclusively.
  virtual Result<void> shared() = 0;
  // Takes (or converts to) an exclusive lock, waiting for the holders.
  virtual Result<void> exclusive() = 0;
  // Releases whatever lock is held.
  virtual Result<void> unlock() = 0;
};

// What the SQLite engine tells the FileSystem about its own I/O (SQLite does
// its I/O itself, through a VFS shim that asks here first), so that the same
// fault injection reaches the database.
enum class DatabaseIo { kWrite, kSync };

// The operating system's files, as the store needs them. All paths are
// absolute or relative to the process's working directory.
// Thread safety: implementations must be safe to call from many threads.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The real thing (POSIX calls). A process-wide object without state.
  static FileSystem& posix();

  // Creates `path` for writing, mode 0600; fails (kConflict) if it exists.
  virtual Result<std::unique_ptr<WritableFile>> create_file(const std::filesystem::path& path) = 0;
  // Opens an existing file to append to its end; kNotFound if missing.
  virtual Result<std::unique_ptr<WritableFile>> open_for_append(
      const std::filesystem::path& path) = 0;
  // Opens `path` for reading and writing at offsets, creating it (mode 0600)
  // if missing.
  virtual Result<std::unique_ptr<RandomAccessFile>> open_random_access(
      const std::filesystem::path& path) = 0;
  // Opens `path` for sequential reading; kNotFound if missing.
  virtual Result<std::unique_ptr<ByteSource>> open_for_reading(
      const std::filesystem::path& path) = 0;
  // Reads the whole of `path`, refusing files over `max_bytes` (kTooLarge).
  virtual Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) = 0;
  // rename(2): atomically replaces `to`.
  virtual Result<void> rename(const std::filesystem::path& from,
                              const std::filesystem::path& to) = 0;
  // Removes a file; kNotFound if missing.
  virtual Result<void> remove(const std::filesystem::path& path) = 0;
  // fsyncs a directory, making renames and creations in it durable.
  virtual Result<void> sync_directory(const std::filesystem::path& path) = 0;
  // mkdir -p with mode 0700.
  virtual Result<void> create_directories(const std::filesystem::path& path) = 0;
  // Names (not paths) of the entries of `path`, without "." and "..".
  virtual Result<std::vector<std::string>> list_directory(const std::filesystem::path& path) = 0;
  // Size in bytes; kNotFound if missing.
  virtual Result<std::uint64_t> file_size(const std::filesystem::path& path) = 0;
  virtual Result<bool> exists(const std::filesystem::path& path) = 0;
  // Sets the access and modification times of `path` (a file or directory)
  // to the start of the current UTC day, so that the file system, and any
  // copy of it that keeps times (tar, rsync -a, cp -a), holds days and not
  // exact times (invariant 2). The inode change time (ctime) cannot be set
  // from user space; docs/storage.md says what that leaves.
  virtual Result<void> truncate_times_to_day(const std::filesystem::path& path) = 0;
  // Opens (creating, 0600) a lock file; no lock is held until asked.
  virtual Result<std::unique_ptr<FileLock>> open_lock(const std::filesystem::path& path) = 0;

  // Bytes an unprivileged writer may still use on the file system that
  // holds `path` (statvfs: f_bavail × f_frsize), for the intake's free-space
  // reserve. Not pure, so that other FileSystems get the real figure.
  virtual Result<std::uint64_t> available_bytes(const std::filesystem::path& path);

  // Called by the SQLite engine before each database write of `bytes` and
  // before each database sync. An error fails that write or sync
  // (kUnavailable → SQLITE_FULL, otherwise an I/O error). posix() allows all.
  virtual Result<void> check_database_io(DatabaseIo kind, std::size_t bytes) { return {}; }
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_FILE_SYSTEM_H_
