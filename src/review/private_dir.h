// SPDX-License-Identifier: AGPL-3.0-or-later
// review/private_dir.h: a temporary directory only its owner can enter
// (mode 0700, a random name from mkdtemp), for plaintext that must touch a
// disk for a while (a file handed to mat2). Destruction removes it with
// everything in it. Knows POSIX files only.
#ifndef SAFEHOUSE_REVIEW_PRIVATE_DIR_H_
#define SAFEHOUSE_REVIEW_PRIVATE_DIR_H_

#include <filesystem>
#include <memory>

#include "base/error.h"

namespace safehouse::review {

// Thread safety: none.
class PrivateDir {
 public:
  // A new "safehouse-XXXXXX" under `parent` (empty: $TMPDIR, else /tmp).
  static Result<std::unique_ptr<PrivateDir>> create(const std::filesystem::path& parent = {});
  ~PrivateDir();
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit PrivateDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_PRIVATE_DIR_H_
