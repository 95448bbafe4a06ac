// SPDX-License-Identifier: AGPL-3.0-or-later
// review/output_dir.h: the directory `safehouse review read --out` writes
// decrypted files to. Every file is created through the directory's file
// descriptor under a sanitized one-component name (review/file_names.h),
// written to a temporary name and renamed into place only when complete, so
// nothing lands outside the directory and no half-written file is left.
// Knows POSIX files; nothing of age, frames or the store.
#ifndef SAFEHOUSE_REVIEW_OUTPUT_DIR_H_
#define SAFEHOUSE_REVIEW_OUTPUT_DIR_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::review {

// A file being written into an OutputDir. finish() fsyncs and renames it
// into place; destruction before that removes the temporary file.
class OutputDirFile final : public ByteSink {
 public:
  ~OutputDirFile() override;
  OutputDirFile(const OutputDirFile&) = delete;
  OutputDirFile& operator=(const OutputDirFile&) = delete;

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;
  // The final name inside the directory.
  const std::string& name() const { return name_; }

 private:
  friend class OutputDir;
  OutputDirFile(int dir_fd, int fd, std::string temp_name, std::string name)
      : dir_fd_(dir_fd), fd_(fd), temp_name_(std::move(temp_name)), name_(std::move(name)) {}

  int dir_fd_;  // borrowed from the OutputDir
  int fd_;
  std::string temp_name_;
  std::string name_;
  bool done_ = false;
};

// Thread safety: none. Lifetime: outlives its files.
class OutputDir {
 public:
  // Creates `path` (and parents, mode 0700) if needed and opens it.
  static Result<std::unique_ptr<OutputDir>> open(const std::filesystem::path& path);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // A new file "<prefix>-<sanitized name>" (mode 0600); an existing file of
  // that name is replaced when the new one is finished.
  Result<std::unique_ptr<OutputDirFile>> create(std::string_view prefix,
                                                std::string_view untrusted_name);
  const std::filesystem::path& path() const { return path_; }

 private:
  OutputDir(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
};

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_OUTPUT_DIR_H_
