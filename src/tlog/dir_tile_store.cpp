// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/dir_tile_store.cpp: POSIX files. Paths are checked with is_log_path
// before they touch the file system, so "..", absolute paths and anything
// but a canonical tile path or "checkpoint" are refused.
#include "tlog/dir_tile_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace safehouse::tlog {

namespace {

Error os_error(std::string_view what, const std::filesystem::path& path, int error) {
  return io_error("tile store: " + std::string(what) + " " + path.string() + ": " +
                  std::strerror(error));
}

Result<void> check_path(std::string_view path) {
  if (!is_log_path(path)) return invalid_argument("tile store: not a log path");
  return {};
}

Result<void> write_all(int fd, ByteSpan data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("write", path, errno);
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return os_error("open", path, errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return os_error("fsync", path, error);
  return {};
}

}  // namespace

Result<DirTileStore> DirTileStore::open(const std::filesystem::path& root, Options options) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return io_error("tile store: create " + root.string() + ": " + ec.message());
  return DirTileStore(root, options);
}

Result<Bytes> DirTileStore::read(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  const std::filesystem::path file = root_ / path;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error(ErrorCode::kNotFound, "tile store: " + std::string(path) + " does not exist");
    }
    return os_error("open", file, errno);
  }
  Bytes data;
  std::uint8_t buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return os_error("read", file, error);
    }
    if (n == 0) break;
    data.insert(data.end(), buffer, buffer + n);
  }
  ::close(fd);
  return data;
}

Result<void> DirTileStore::write(std::string_view path, ByteSpan data) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  const std::filesystem::path file = root_ / path;
  const std::filesystem::path dir = file.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("tile store: create " + dir.string() + ": " + ec.message());
  // A temporary name no log path can have (log paths never contain '~').
  const std::filesystem::path temp = file.string() + ".~tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("create", temp, errno);
  auto written = write_all(fd, data, temp);
  const bool fsync_file =
      options_.durability == Durability::kEachFile ||
      (options_.durability == Durability::kFileSystem && path == kCheckpointPath);
  if (written && fsync_file && ::fsync(fd) != 0) written = os_error("fsync", temp, errno);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    return written.error();
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return os_error("rename", file, error);
  }
  if (options_.durability == Durability::kEachFile) {
    // New directories must reach the disk too: their parents list them.
    for (auto d = dir; d != root_ && d.has_relative_path(); d = d.parent_path()) {
      dirty_dirs_.insert(d);
    }
    dirty_dirs_.insert(root_);
  }
  return {};
}

Result<void> DirTileStore::remove(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  const std::filesystem::path file = root_ / path;
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) return os_error("remove", file, errno);
  if (options_.durability == Durability::kEachFile) dirty_dirs_.insert(file.parent_path());
  return {};
}

Result<void> DirTileStore::sync() {
  if (options_.durability == Durability::kFileSystem) {
    const int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("open", root_, errno);
    const int rc = ::syncfs(fd);
    const int error = errno;
    ::close(fd);
    if (rc != 0) return os_error("syncfs", root_, error);
    return {};
  }
  // Deepest first, so a directory is durable before the entry naming it.
  for (auto it = dirty_dirs_.rbegin(); it != dirty_dirs_.rend(); ++it) {
    SAFEHOUSE_TRY_VOID(fsync_path(*it, O_RDONLY | O_DIRECTORY));
  }
  dirty_dirs_.clear();
  return {};
}

}  // namespace safehouse::tlog
