// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/test_util.h: small helpers shared by the age tests: hex, SHA-256,
// reading test data files, and a source that returns bytes in small pieces.
#ifndef SAFEHOUSE_TESTS_AGE_TEST_UTIL_H_
#define SAFEHOUSE_TESTS_AGE_TEST_UTIL_H_

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "age/primitives.h"
#include "base/byte_stream.h"

namespace safehouse::age::testing {

inline std::string to_hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

inline std::string sha256_hex(ByteSpan bytes) {
  return to_hex(detail::sha256(bytes));
}

inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Bytes pattern(std::size_t size, std::uint8_t seed = 1) {
  Bytes out(size);
  std::uint32_t x = seed;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::uint8_t>(x >> 16);
  }
  return out;
}

// Returns at most `piece` bytes per read, to exercise buffering paths.
class PieceSource final : public ByteSource {
 public:
  PieceSource(ByteSpan data, std::size_t piece) : data_(data), piece_(piece) {}
  Result<std::size_t> read(MutableByteSpan out) override {
    std::size_t n = std::min({out.size(), piece_, data_.size() - offset_});
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(offset_), n, out.begin());
    offset_ += n;
    return n;
  }

 private:
  ByteSpan data_;
  std::size_t piece_;
  std::size_t offset_ = 0;
};

// Counts finish() calls so tests can check the contract.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(Bytes& out) : out_(out) {}
  Result<void> write(ByteSpan data) override {
    out_.insert(out_.end(), data.begin(), data.end());
    return {};
  }
  Result<void> finish() override {
    ++finishes;
    return {};
  }
  int finishes = 0;

 private:
  Bytes& out_;
};

}  // namespace safehouse::age::testing

#endif  // SAFEHOUSE_TESTS_AGE_TEST_UTIL_H_
