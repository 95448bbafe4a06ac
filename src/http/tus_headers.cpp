// SPDX-License-Identifier: AGPL-3.0-or-later
// http/tus_headers.cpp: the tus header parsers.
#include "http/tus_headers.h"

#include <algorithm>
#include <array>

namespace safehouse::http::tus {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::size_t kMaxKeyBytes = 64;

int digit_value(char c) {
  auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

Error bad(std::string_view header, std::string_view why) {
  return malformed(std::string(header) + ": " + std::string(why));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int values[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        values[j] = 0;
        ++padding;
        continue;
      }
      if (padding != 0) return false;  // a digit after '='
      values[j] = digit_value(c);
      if (values[j] < 0) return false;
    }
    const std::uint32_t bits = (static_cast<std::uint32_t>(values[0]) << 18) |
                               (static_cast<std::uint32_t>(values[1]) << 12) |
                               (static_cast<std::uint32_t>(values[2]) << 6) |
                               static_cast<std::uint32_t>(values[3]);
    // Canonical: the bits the padding leaves unused are zero.
    if (padding == 1 && (bits & 0xFF) != 0) return false;
    if (padding == 2 && (bits & 0xFFFF) != 0) return false;
    out.push_back(static_cast<char>(bits >> 16));
    if (padding < 2) out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (padding < 1) out.push_back(static_cast<char>(bits & 0xFF));
  }
  return true;
}

std::string base64_encode(ByteSpan data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, data.size() - i);
    std::uint32_t bits = static_cast<std::uint32_t>(data[i]) << 16;
    if (n > 1) bits |= static_cast<std::uint32_t>(data[i + 1]) << 8;
    if (n > 2) bits |= data[i + 2];
    out.push_back(kAlphabet[(bits >> 18) & 63]);
    out.push_back(kAlphabet[(bits >> 12) & 63]);
    out.push_back(n > 1 ? kAlphabet[(bits >> 6) & 63] : '=');
    out.push_back(n > 2 ? kAlphabet[bits & 63] : '=');
  }
  return out;
}

Result<std::uint64_t> parse_integer(std::string_view header, std::string_view value) {
  if (value.empty()) return bad(header, "empty");
  if (value.size() > 19) return bad(header, "too large");
  std::uint64_t number = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return bad(header, "not a non-negative integer");
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (number > kMaxInteger) return bad(header, "too large");
  return number;
}

Result<Metadata> parse_metadata(std::string_view value) {
  constexpr std::string_view kHeader = "Upload-Metadata";
  if (value.size() > kMaxMetadataBytes) return bad(kHeader, "too long");
  Metadata pairs;
  if (trim(value).empty()) return pairs;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = value.find(',', start);
    const std::string_view pair =
        trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
    if (pair.empty()) return bad(kHeader, "empty pair");
    const std::size_t space = pair.find(' ');
    const std::string_view key = pair.substr(0, space);
    if (key.size() > kMaxKeyBytes) return bad(kHeader, "key too long");
    for (char c : key) {
      if (c <= 0x20 || c >= 0x7F || c == ',') return bad(kHeader, "key is not printable ASCII");
    }
    std::string decoded;
    if (space != std::string_view::npos) {
      const std::string_view encoded = pair.substr(space + 1);
      if (encoded.empty() || !base64_decode(encoded, decoded)) {
        return bad(kHeader, "value is not canonical base64");
      }
    }
    for (const auto& [seen, unused] : pairs) {
      if (seen == key) return bad(kHeader, "duplicate key");
    }
    if (pairs.size() == kMaxMetadataPairs) return bad(kHeader, "too many pairs");
    pairs.emplace_back(std::string(key), std::move(decoded));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return pairs;
}

Result<Checksum> parse_checksum(std::string_view value) {
  constexpr std::string_view kHeader = "Upload-Checksum";
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return bad(kHeader, "expected \"<algorithm> <base64>\"");
  const std::string_view name = value.substr(0, space);
  Checksum checksum;
  std::size_t length = 0;
  if (name == "sha1") {
    checksum.algorithm = ChecksumAlgorithm::kSha1;
    length = 20;
  } else if (name == "sha256") {
    checksum.algorithm = ChecksumAlgorithm::kSha256;
    length = 32;
  } else {
    return Error(ErrorCode::kUnsupported,
                 "Upload-Checksum: unsupported algorithm (sha1 and sha256 are supported)");
  }
  std::string digest;
  if (!base64_decode(value.substr(space + 1), digest)) {
    return bad(kHeader, "digest is not canonical base64");
  }
  if (digest.size() != length) return bad(kHeader, "digest has the wrong length");
  checksum.digest.assign(digest.begin(), digest.end());
  return checksum;
}

}  // namespace safehouse::http::tus
