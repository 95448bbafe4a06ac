// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/files.cpp: file and stdio adapters with POSIX calls: buffered reads,
// buffered writes, and temp-file-then-rename output with fsync of the file
// and its directory, so a crash leaves either the old file or the new one.
#include "cli/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "cli/cleanup.h"
#include "cli/file_mapping.h"

namespace safehouse::cli {
namespace {

bool is_stdio(const std::string& path) {
  return path.empty() || path == "-";
}

Error os_error(const std::string& where, const char* what) {
  return io_error(where + ": " + what + ": " + std::strerror(errno));
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Reads until `out` is full or EOF; retries interrupted calls.
Result<std::size_t> read_some(int fd, MutableByteSpan out, const std::string& name) {
  for (;;) {
    ssize_t n = ::read(fd, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return os_error(name, "read failed");
  }
}

Result<void> write_all(int fd, ByteSpan data, const std::string& name) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(name, "write failed");
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

// mkostemp() on `name_template` (mode 0600), registering the name for
// cleanup; signals wait until it is registered. Returns -1 with errno set.
int create_temp_file(std::string& name_template) {
  install_cleanup_handlers();
  sigset_t block, saved;
  sigemptyset(&block);
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&block, signo);
  ::sigprocmask(SIG_BLOCK, &block, &saved);
  int fd = ::mkostemp(name_template.data(), O_CLOEXEC);
  int create_errno = errno;
  if (fd >= 0) set_pending_temp_file(name_template);
  ::sigprocmask(SIG_SETMASK, &saved, nullptr);
  errno = create_errno;
  return fd;
}

}  // namespace

Result<crypto::SecretBytes> read_key_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(path, "cannot open");
  // Grow by doubling rather than trusting st_size: the path may be a pipe.
  crypto::SecretBytes buffer(4096);
  std::size_t used = 0;
  for (;;) {
    if (used == buffer.size()) {
      if (buffer.size() >= max_bytes) {
        ::close(fd);
        return Error(ErrorCode::kTooLarge, path + ": too large for a key file");
      }
      crypto::SecretBytes bigger(std::min(buffer.size() * 2, max_bytes));
      std::copy_n(buffer.reveal().begin(), used, bigger.reveal().begin());
      buffer = std::move(bigger);
    }
    auto n = read_some(fd, buffer.reveal().subspan(used), path);
    if (!n) {
      ::close(fd);
      return n.error();
    }
    if (*n == 0) break;
    used += *n;
  }
  ::close(fd);
  return crypto::SecretBytes::copy_of(buffer.reveal().first(used));
}

// ---------------------------------------------------------------- InputFile

InputFile::InputFile(int fd, bool owned, std::string name)
    : fd_(fd), owned_(owned), name_(std::move(name)), buffer_(kBufferBytes) {}

InputFile::~InputFile() {
  if (owned_) ::close(fd_);
}

Result<std::unique_ptr<InputFile>> InputFile::open(const std::string& path) {
  if (is_stdio(path)) {
    return std::unique_ptr<InputFile>(new InputFile(STDIN_FILENO, false, "stdin"));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(path, "cannot open");
  return std::unique_ptr<InputFile>(new InputFile(fd, true, path));
}

// Only a named regular file read from its start by next() alone: read() and
// peek() copy into the caller's memory anyway (decrypt), so there a mapping
// would save nothing (it measured 1 % slower than read(2)).
void InputFile::map_if_worth_it() {
  if (!owned_ || started_) return;
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return;
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kMapMinBytes || size > SIZE_MAX) return;
  // A file that cannot be mapped is simply read.
  auto mapping = FileMapping::map(fd_, static_cast<std::size_t>(size), name_);
  if (mapping) mapping_ = std::move(*mapping);
}

Error InputFile::changed_error() const {
  return io_error(name_ +
                  ": the file shrank, or part of it could not be read, while it was being read");
}

Error InputFile::mixed_error() const {
  return Error(ErrorCode::kInternal, name_ + ": read() or peek() after next()");
}

Result<void> InputFile::check_mapping() const {
  if (mapping_->damaged()) return changed_error();
  return {};
}

// The mapping covers the file as it was opened. Past its end, checks that
// nothing read from it was lost and the file is no shorter, then reads on
// with read(2) from there: a file that grew meanwhile is read to its end,
// as it would have been without the mapping.
Result<void> InputFile::leave_mapping() {
  SAFEHOUSE_TRY_VOID(check_mapping());
  std::size_t size = mapping_->bytes().size();
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return os_error(name_, "cannot stat");
  if (static_cast<std::uint64_t>(st.st_size) < size) return changed_error();
  mapping_.reset();
  if (::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) return os_error(name_, "cannot seek");
  return {};
}

// Moves the unread bytes to the front and reads more behind them.
Result<std::size_t> InputFile::fill() {
  if (begin_ > 0) {
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_),
              buffer_.begin() + static_cast<std::ptrdiff_t>(end_), buffer_.begin());
    end_ -= begin_;
    begin_ = 0;
  }
  auto n = SAFEHOUSE_TRY(read_some(fd_, MutableByteSpan(buffer_).subspan(end_), name_));
  end_ += n;
  return n;
}

Result<std::size_t> InputFile::read(MutableByteSpan data) {
  if (mapping_) return mixed_error();
  started_ = true;
  if (begin_ == end_) {
    // Large reads (an age chunk) bypass the buffer: no extra copy.
    if (data.size() >= kDirectReadBytes) {
      return read_some(fd_, data, name_);
    }
    begin_ = end_ = 0;
    SAFEHOUSE_TRY(fill());
  }
  std::size_t n = std::min(data.size(), end_ - begin_);
  std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_), n, data.begin());
  begin_ += n;
  return n;
}

Result<ByteSpan> InputFile::peek(std::size_t n) {
  if (mapping_) return mixed_error();
  started_ = true;
  n = std::min(n, kBufferBytes);
  while (end_ - begin_ < n) {
    if (SAFEHOUSE_TRY(fill()) == 0) break;
  }
  return ByteSpan(buffer_).subspan(begin_, std::min(n, end_ - begin_));
}

Result<ByteSpan> InputFile::next() {
  if (!started_) {
    map_if_worth_it();
    started_ = true;
  }
  if (mapping_) {
    // The span handed out last has been used by now: check it, and take its
    // pages out of this process's resident set.
    SAFEHOUSE_TRY_VOID(check_mapping());
    mapping_->release_before(map_pos_);
    ByteSpan rest = mapping_->bytes().subspan(map_pos_);
    if (!rest.empty()) {
      ByteSpan span = rest.first(std::min(rest.size(), kMapSpanBytes));
      map_pos_ += span.size();
      return span;
    }
    SAFEHOUSE_TRY_VOID(leave_mapping());
  }
  if (begin_ < end_) {
    ByteSpan rest = ByteSpan(buffer_).subspan(begin_, end_ - begin_);
    begin_ = end_;
    return rest;
  }
  begin_ = end_ = 0;
  SAFEHOUSE_TRY(fill());
  begin_ = end_;
  return ByteSpan(buffer_).first(end_);
}

// --------------------------------------------------------------- OutputFile

OutputFile::OutputFile(int fd, std::string name, std::string temp_path, Existing existing)
    : fd_(fd),
      name_(std::move(name)),
      temp_path_(std::move(temp_path)),
      existing_(existing),
      buffer_(kBufferBytes) {}

OutputFile::~OutputFile() {
  if (fd_ == STDOUT_FILENO) return;
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    set_pending_temp_file("");
  }
}

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path, Existing existing) {
  if (is_stdio(path)) {
    return std::unique_ptr<OutputFile>(new OutputFile(STDOUT_FILENO, "stdout", "", existing));
  }
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (existing == Existing::kRefuse && (exists || ::lstat(path.c_str(), &st) == 0)) {
    return Error(ErrorCode::kConflict, path + ": already exists, not overwriting it");
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO (-o /dev/null, a pipe): written in place. Renaming a
    // temporary file onto it would replace the device node itself.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return os_error(path, "cannot open");
    return std::unique_ptr<OutputFile>(new OutputFile(fd, path, "", existing));
  }
  // Through a symbolic link, replace the file it points to, not the link.
  std::string target = path;
  if (exists) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) return os_error(path, "cannot resolve");
    target = resolved;
    std::free(resolved);
  }
  std::string temp = target + ".tmp-XXXXXX";
  int fd = create_temp_file(temp);
  if (fd < 0) return os_error(path, "cannot create a temporary file beside it");
  auto out = std::unique_ptr<OutputFile>(new OutputFile(fd, path, temp, existing));
  out->final_path_ = target;
  return out;
}

bool OutputFile::is_terminal() const {
  return fd_ >= 0 && ::isatty(fd_) == 1;
}

Result<void> OutputFile::fail(Error error) {
  error_ = error;
  return error;
}

Result<void> OutputFile::flush() {
  auto written = write_all(fd_, ByteSpan(buffer_).first(used_), name_);
  used_ = 0;
  if (!written) return fail(written.error());
  return {};
}

Result<void> OutputFile::write(ByteSpan data) {
  if (error_) return *error_;
  if (finished_) return fail(Error(ErrorCode::kInternal, "output: write after finish"));
  // Large pieces (whole age chunks) skip the buffer: one copy fewer.
  if (used_ + data.size() > buffer_.size() || data.size() >= kDirectWriteBytes) {
    SAFEHOUSE_TRY_VOID(flush());
    if (data.size() >= kDirectWriteBytes) {
      auto written = write_all(fd_, data, name_);
      if (!written) return fail(written.error());
      return {};
    }
  }
  std::copy(data.begin(), data.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(used_));
  used_ += data.size();
  return {};
}

Result<void> OutputFile::finish() {
  if (error_) return *error_;
  if (finished_) return {};
  SAFEHOUSE_TRY_VOID(flush());
  finished_ = true;
  if (final_path_.empty()) return {};
  auto committed = commit();
  if (!committed) return fail(committed.error());
  return {};
}

// fsync before rename so the name never points at unwritten blocks; fsync
// the directory after so the rename itself survives a crash.
Result<void> OutputFile::commit() {
  if (::fsync(fd_) != 0) return os_error(name_, "fsync failed");
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return os_error(name_, "close failed");
  if (existing_ == Existing::kRefuse) {
    // link() fails if the name exists: no race with a file created meanwhile.
    if (::link(temp_path_.c_str(), final_path_.c_str()) != 0)
      return os_error(name_, "cannot create");
    ::unlink(temp_path_.c_str());
  } else if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return os_error(name_, "cannot rename the temporary file onto it");
  }
  temp_path_.clear();
  set_pending_temp_file("");
  int dir = ::open(parent_dir(final_path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace safehouse::cli
