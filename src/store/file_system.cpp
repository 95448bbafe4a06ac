// SPDX-License-Identifier: AGPL-3.0-or-later
// store/file_system.cpp: FileSystem::posix(), the real files behind the
// interface: open/write/fsync/rename/flock with errno turned into Errors.
#include "store/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>

namespace safehouse::store {
namespace {

// "where: strerror" with the code a caller can act on. Paths inside the data
// directory hold only digests and fixed names, so they may appear.
Error errno_error(const std::string& where, int err) {
  std::string message = where + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Error(ErrorCode::kUnavailable, message);
  if (err == ENOENT) return Error(ErrorCode::kNotFound, message);
  if (err == EEXIST) return Error(ErrorCode::kConflict, message);
  return io_error(message);
}

// Large files are handed to the disk as they grow, not all at the fsync: the
// kernel would otherwise keep up to dirty_background_ratio of RAM (gigabytes)
// dirty, and a 1 GiB blob's fsync would then write all of it while the source
// waits. Every kWritebackBytes appended, the range just written is started
// (SYNC_FILE_RANGE_WRITE, asynchronous). RocksDB's bytes_per_sync does the same.
constexpr off_t kWritebackBytes = 8 << 20;

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    struct stat st {};
    // Appending to an existing file (a resumed upload): count from its end.
    if (::fstat(fd_, &st) == 0) written_ = started_ = st.st_size;
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<void> append(ByteSpan data) override {
    if (fd_ < 0) return io_error("append " + path_ + ": file is closed");
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("write " + path_, errno);
      }
      data = data.subspan(static_cast<std::size_t>(n));
      written_ += n;
    }
    start_writeback();
    return {};
  }

  Result<void> sync() override {
    if (fd_ < 0) return io_error("sync " + path_ + ": file is closed");
    // fdatasync would do for the data, but the size is metadata we need.
    if (::fsync(fd_) != 0) return errno_error("fsync " + path_, errno);
    return {};
  }

  Result<void> close() override {
    if (fd_ < 0) return {};
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return errno_error("close " + path_, errno);
    return {};
  }

 private:
  void start_writeback() {
    if (written_ - started_ < kWritebackBytes) return;
    // Only a hint: an I/O error it meets is reported again by the fsync
    // that every caller must do before trusting the data.
    (void)::sync_file_range(fd_, started_, written_ - started_, SYNC_FILE_RANGE_WRITE);
    started_ = written_;
  }

  std::string path_;
  int fd_;
  off_t written_ = 0;  // file size after our appends
  off_t started_ = 0;  // bytes before this offset were handed to the disk
};

class PosixReadableFile final : public ByteSource {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }

  Result<std::size_t> read(MutableByteSpan data) override {
    for (;;) {
      ssize_t n = ::read(fd_, data.data(), data.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return errno_error("read " + path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing releases the flock

  Result<bool> try_exclusive() override {
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return false;
      if (errno != EINTR) return errno_error("flock " + path_, errno);
    }
    return true;
  }

  Result<void> shared() override { return lock(LOCK_SH); }
  Result<void> exclusive() override { return lock(LOCK_EX); }
  Result<void> unlock() override { return lock(LOCK_UN); }

 private:
  Result<void> lock(int operation) {
    while (::flock(fd_, operation) != 0) {
      if (errno != EINTR) return errno_error("flock " + path_, errno);
    }
    return {};
  }

  std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override {
    ::close(fd_);
    if (direct_fd_ >= 0) ::close(direct_fd_);
  }

  Result<void> write_at(std::uint64_t offset, ByteSpan data) override {
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("write " + path_, errno);
      }
      data = data.subspan(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
    }
    return {};
  }

  Result<void> write_direct_at(std::uint64_t offset, ByteSpan data) override {
    std::call_once(direct_open_, [this] { direct_fd_ = open_direct(); });
    if (direct_fd_ < 0) {
      return Error(ErrorCode::kUnsupported, "direct write to " + path_ + ": cannot open O_DIRECT");
    }
    while (!data.empty()) {
      ssize_t n = ::pwrite(direct_fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        // The file system wants another alignment, or none of this.
        if (errno == EINVAL) {
          return Error(ErrorCode::kUnsupported, "direct write to " + path_ + ": EINVAL");
        }
        return errno_error("write " + path_, errno);
      }
      data = data.subspan(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
      // A short direct write may leave the rest unaligned: finish it here.
      if (!data.empty() && offset % kDirectAlignment != 0) return write_at(offset, data);
    }
    return {};
  }

  Result<std::size_t> read_at(std::uint64_t offset, MutableByteSpan data) override {
    std::size_t filled = 0;
    while (filled < data.size()) {
      ssize_t n = ::pread(fd_, data.data() + filled, data.size() - filled,
                          static_cast<off_t>(offset + filled));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("read " + path_, errno);
      }
      if (n == 0) break;
      filled += static_cast<std::size_t>(n);
    }
    return filled;
  }

  Result<void> sync() override {
    if (::fdatasync(fd_) != 0) return errno_error("fsync " + path_, errno);
    return {};
  }

  Result<std::uint64_t> size() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return errno_error("stat " + path_, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  Result<void> resize(std::uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return errno_error("resize " + path_, errno);
    }
    return {};
  }

  Result<void> punch_hole(std::uint64_t offset, std::uint64_t length) override {
    if (length == 0) return {};
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(length)) != 0) {
      if (errno == EOPNOTSUPP) {
        return Error(ErrorCode::kUnsupported, "punch hole in " + path_ + ": not supported");
      }
      return errno_error("punch hole in " + path_, errno);
    }
    return {};
  }

  void start_writeback(std::uint64_t offset, std::uint64_t length) override {
    (void)::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                            SYNC_FILE_RANGE_WRITE);
  }

  void drop_cached(std::uint64_t offset, std::uint64_t length) override {
    (void)::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                          POSIX_FADV_DONTNEED);
  }

 private:
  // The same open file again, with O_DIRECT: through /proc/self/fd, so that
  // it is this inode even if the path now names another; -1 if refused.
  int open_direct() const {
    std::string self = "/proc/self/fd/" + std::to_string(fd_);
    for (;;) {
      int fd = ::open(self.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
      if (fd >= 0 || errno != EINTR) return fd;
    }
  }

  std::string path_;
  int fd_;
  std::once_flag direct_open_;
  int direct_fd_ = -1;  // set once, by the first write_direct_at
};

Result<int> open_fd(const std::filesystem::path& path, int flags, mode_t mode, const char* what) {
  for (;;) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd >= 0) return fd;
    if (errno != EINTR) return errno_error(std::string(what) + " " + path.string(), errno);
  }
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> create_file(const std::filesystem::path& path) override {
    int fd = SAFEHOUSE_TRY(open_fd(path, O_WRONLY | O_CREAT | O_EXCL, 0600, "create"));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path.string(), fd));
  }

  Result<std::unique_ptr<WritableFile>> open_for_append(
      const std::filesystem::path& path) override {
    int fd = SAFEHOUSE_TRY(open_fd(path, O_WRONLY | O_APPEND, 0, "open"));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path.string(), fd));
  }

  Result<std::unique_ptr<RandomAccessFile>> open_random_access(
      const std::filesystem::path& path) override {
    // O_NOATIME as below, where the owner may ask for it.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOATIME | O_CLOEXEC, 0600);
    if (fd < 0) fd = SAFEHOUSE_TRY(open_fd(path, O_RDWR | O_CREAT, 0600, "open"));
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path.string(), fd));
  }

  Result<std::unique_ptr<ByteSource>> open_for_reading(const std::filesystem::path& path) override {
    // O_NOATIME: a reviewer reading an item must not stamp it with the exact
    // time (invariant 2). Only the file's owner may ask for it (EPERM).
    int fd = ::open(path.c_str(), O_RDONLY | O_NOATIME | O_CLOEXEC);
    if (fd < 0) fd = SAFEHOUSE_TRY(open_fd(path, O_RDONLY, 0, "open"));
    return std::unique_ptr<ByteSource>(new PosixReadableFile(path.string(), fd));
  }

  Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) override {
    auto source = SAFEHOUSE_TRY(open_for_reading(path));
    Bytes out;
    std::uint8_t buffer[16384];
    for (;;) {
      std::size_t n = SAFEHOUSE_TRY(source->read(buffer));
      if (n == 0) return out;
      if (out.size() + n > max_bytes) {
        return Error(ErrorCode::kTooLarge, "read " + path.string() + ": file is too large");
      }
      out.insert(out.end(), buffer, buffer + n);
    }
  }

  Result<void> rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return errno_error("rename " + from.string(), errno);
    }
    return {};
  }

  Result<void> remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0) return errno_error("remove " + path.string(), errno);
    return {};
  }

  Result<void> sync_directory(const std::filesystem::path& path) override {
    int fd = SAFEHOUSE_TRY(open_fd(path, O_RDONLY | O_DIRECTORY, 0, "open directory"));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return errno_error("fsync directory " + path.string(), err);
    return {};
  }

  Result<void> truncate_times_to_day(const std::filesystem::path& path) override {
    const auto day_start = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(day_start.time_since_epoch()).count();
    struct timespec times[2];
    times[0].tv_sec = static_cast<time_t>(seconds);
    times[0].tv_nsec = 0;
    times[1] = times[0];
    if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
      return errno_error("set times of " + path.string(), errno);
    }
    return {};
  }

  Result<void> create_directories(const std::filesystem::path& path) override {
    std::filesystem::path partial;
    for (const auto& part : path) {
      partial /= part;
      if (part.empty() || part == "/") continue;
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        return errno_error("mkdir " + partial.string(), errno);
      }
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno_error("stat " + path.string(), errno);
    if (!S_ISDIR(st.st_mode)) return io_error("mkdir " + path.string() + ": not a directory");
    return {};
  }

  Result<std::vector<std::string>> list_directory(const std::filesystem::path& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return errno_error("list " + path.string(), errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return errno_error("list " + path.string(), err);
    return names;
  }

  Result<std::uint64_t> file_size(const std::filesystem::path& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno_error("stat " + path.string(), errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  Result<bool> exists(const std::filesystem::path& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return errno_error("stat " + path.string(), errno);
  }

  Result<std::unique_ptr<FileLock>> open_lock(const std::filesystem::path& path) override {
    int fd = SAFEHOUSE_TRY(open_fd(path, O_RDWR | O_CREAT, 0600, "open lock"));
    return std::unique_ptr<FileLock>(new PosixFileLock(path.string(), fd));
  }
};

}  // namespace

Result<std::uint64_t> FileSystem::available_bytes(const std::filesystem::path& path) {
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) return errno_error("statvfs " + path.string(), errno);
  return static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize);
}

FileSystem& FileSystem::posix() {
  static PosixFileSystem* fs = new PosixFileSystem();  // never destroyed: no exit-order issues
  return *fs;
}

}  // namespace safehouse::store
