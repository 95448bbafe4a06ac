// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_tus_headers_fuzz.cpp: the tus header parsers
// (Upload-Offset/Length, Upload-Metadata, Upload-Checksum). Accepted output
// must hold what they promise: integers within range and canonical (they
// print back to the input without leading zeros), metadata keys unique and
// printable, its values re-encoding to the input, digests of the
// algorithm's length.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/tus_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace tus = safehouse::http::tus;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto number = tus::parse_integer("Upload-Offset", input)) {
    if (*number > tus::kMaxInteger) std::abort();
    std::string printed = std::to_string(*number);
    std::string_view digits = input;
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    if (printed != digits) std::abort();
  }
  if (auto pairs = tus::parse_metadata(input)) {
    if (pairs->size() > tus::kMaxMetadataPairs) std::abort();
    for (std::size_t i = 0; i < pairs->size(); ++i) {
      const auto& [key, value] = (*pairs)[i];
      if (key.empty() || key.find_first_of(" ,") != std::string::npos) std::abort();
      for (std::size_t j = 0; j < i; ++j) {
        if ((*pairs)[j].first == key) std::abort();
      }
      if (!value.empty()) {
        const std::string encoded =
            tus::base64_encode({reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
        if (input.find(key + " " + encoded) == std::string_view::npos) std::abort();
      }
    }
  }
  if (auto checksum = tus::parse_checksum(input)) {
    const std::size_t expected = checksum->algorithm == tus::ChecksumAlgorithm::kSha1 ? 20 : 32;
    if (checksum->digest.size() != expected) std::abort();
  }
  std::string decoded;
  if (tus::base64_decode(input, decoded)) {
    if (tus::base64_encode(
            {reinterpret_cast<const std::uint8_t*>(decoded.data()), decoded.size()}) != input) {
      std::abort();
    }
  }
  return 0;
}
