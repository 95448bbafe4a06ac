// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/vectors.h: reading the vector files of tests/data/tlog.
#ifndef SAFEHOUSE_TESTS_TLOG_VECTORS_H_
#define SAFEHOUSE_TESTS_TLOG_VECTORS_H_

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "tlog/encoding.h"
#include "tlog/merkle.h"

namespace safehouse::tlog::testing {

inline std::filesystem::path data_dir() {
  return std::filesystem::path(SAFEHOUSE_TEST_DATA) / "tlog";
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline Bytes read_bytes(const std::filesystem::path& path) {
  const std::string text = read_text(path);
  return Bytes(text.begin(), text.end());
}

inline boost::json::value read_json(const std::filesystem::path& path) {
  return boost::json::parse(read_text(path));
}

inline Bytes b64(std::string_view text) {
  auto decoded = base64_decode(text);
  if (!decoded) throw std::runtime_error("bad base64 in a vector: " + std::string(text));
  return *decoded;
}

inline Hash hash_of(std::string_view text) {
  const Bytes bytes = b64(text);
  if (bytes.size() != kHashSize) throw std::runtime_error("not a 32-byte hash");
  Hash h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

inline Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

}  // namespace safehouse::tlog::testing

#endif  // SAFEHOUSE_TESTS_TLOG_VECTORS_H_
