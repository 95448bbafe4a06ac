// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/temp_dir.h: a fresh directory per test, removed afterwards.
#ifndef SAFEHOUSE_TESTS_STORE_TEMP_DIR_H_
#define SAFEHOUSE_TESTS_STORE_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace safehouse::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "safehouse-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Entries of a directory (names), or empty if it does not exist.
inline std::size_t count_entries(const std::filesystem::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); ++it) {
    ++n;
  }
  return n;
}

}  // namespace safehouse::store::testing

#endif  // SAFEHOUSE_TESTS_STORE_TEMP_DIR_H_
