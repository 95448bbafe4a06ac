// SPDX-License-Identifier: AGPL-3.0-or-later
// review/private_dir.cpp: mkdtemp (mode 0700 whatever the umask) and
// remove_all.
#include "review/private_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace safehouse::review {

Result<std::unique_ptr<PrivateDir>> PrivateDir::create(const std::filesystem::path& parent) {
  std::filesystem::path base = parent;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = (tmpdir && *tmpdir) ? tmpdir : "/tmp";
  }
  std::string pattern = (base / "safehouse-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error(ErrorCode::kIo, "private directory: cannot create one in " + base.string() + ": " +
                                     std::strerror(errno));
  }
  return std::unique_ptr<PrivateDir>(new PrivateDir(pattern));
}

PrivateDir::~PrivateDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace safehouse::review
