// SPDX-License-Identifier: AGPL-3.0-or-later
// review/output_dir.cpp: openat/renameat relative to one directory fd.
#include "review/output_dir.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "review/file_names.h"

namespace safehouse::review {
namespace {

Error errno_error(std::string_view what, int err) {
  return Error(err == ENOSPC ? ErrorCode::kUnavailable : ErrorCode::kIo,
               "output: " + std::string(what) + ": " + std::strerror(err));
}

std::string random_suffix() {
  std::uint8_t bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace

OutputDirFile::~OutputDirFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
}

Result<void> OutputDirFile::write(ByteSpan data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write a decrypted file", errno);
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> OutputDirFile::finish() {
  if (done_) return {};
  if (::fsync(fd_) != 0) return errno_error("fsync a decrypted file", errno);
  ::close(fd_);
  fd_ = -1;
  if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) {
    return errno_error("rename a decrypted file into place", errno);
  }
  done_ = true;
  return {};
}

OutputDir::~OutputDir() {
  ::close(fd_);
}

Result<std::unique_ptr<OutputDir>> OutputDir::open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error(ErrorCode::kIo, "output: create " + path.string() + ": " + ec.message());
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("open " + path.string(), errno);
  return std::unique_ptr<OutputDir>(new OutputDir(path, fd));
}

Result<std::unique_ptr<OutputDirFile>> OutputDir::create(std::string_view prefix,
                                                         std::string_view untrusted_name) {
  // The sanitized name is one component with no '/', and the prefix is ours:
  // openat/renameat relative to fd_ cannot leave the directory.
  std::string name = std::string(prefix) + "-" + sanitize_file_name(untrusted_name);
  std::string temp = "." + std::string(prefix) + ".part-" + random_suffix();
  const int fd =
      ::openat(fd_, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("create the file of item " + std::string(prefix), errno);
  return std::unique_ptr<OutputDirFile>(
      new OutputDirFile(fd_, fd, std::move(temp), std::move(name)));
}

}  // namespace safehouse::review
