// SPDX-License-Identifier: AGPL-3.0-or-later
// http/tus_headers.h: strict parsers for the request headers of tus 1.0.0
// (https://tus.io/protocols/resumable-upload): Tus-Resumable,
// Upload-Offset, Upload-Length, Upload-Metadata and Upload-Checksum. Each
// rejects what the protocol does not allow with kMalformed and a message
// naming the header ("Upload-Offset: not a non-negative integer"); the
// routes (http/tus_routes.h) answer those with 400. Knows no uploads.
#ifndef SAFEHOUSE_HTTP_TUS_HEADERS_H_
#define SAFEHOUSE_HTTP_TUS_HEADERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::http::tus {

// The one protocol version served.
inline constexpr std::string_view kVersion = "1.0.0";
// The extensions served, as the Tus-Extension header lists them.
inline constexpr std::string_view kExtensions =
    "creation,creation-with-upload,termination,expiration,checksum";
// The checksum algorithms served, as Tus-Checksum-Algorithm lists them.
inline constexpr std::string_view kChecksumAlgorithms = "sha1,sha256";
// Offsets and lengths are at most 2^63 - 1 (tus says "non-negative
// integer"; larger ones are refused as malformed rather than wrapped).
inline constexpr std::uint64_t kMaxInteger = (std::uint64_t{1} << 63) - 1;
// Longest Upload-Metadata value accepted, and most pairs.
inline constexpr std::size_t kMaxMetadataBytes = 4096;
inline constexpr std::size_t kMaxMetadataPairs = 32;

// Upload-Offset and Upload-Length: 1 to 19 ASCII digits, no sign, no
// spaces, at most kMaxInteger. kMalformed names `header`.
Result<std::uint64_t> parse_integer(std::string_view header, std::string_view value);

// Upload-Metadata: comma-separated pairs "key base64-value" or "key" (no
// value); keys are 1-64 printable ASCII characters without space or comma
// and unique; values canonical padded standard base64. The decoded values
// may be any bytes.
using Metadata = std::vector<std::pair<std::string, std::string>>;
Result<Metadata> parse_metadata(std::string_view value);

enum class ChecksumAlgorithm { kSha1, kSha256 };
struct Checksum {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kSha1;
  Bytes digest;  // 20 bytes (sha1) or 32 (sha256)
};
// Upload-Checksum: "<algorithm> <base64 digest>". kUnsupported for an
// algorithm other than sha1/sha256 (tus: 400 Bad Request), kMalformed for
// anything else wrong (a digest of the wrong length included).
Result<Checksum> parse_checksum(std::string_view value);

// Canonical padded standard base64 (RFC 4648 §4), as tus metadata and
// checksums use it; false when not canonical.
bool base64_decode(std::string_view text, std::string& out);
std::string base64_encode(ByteSpan data);

}  // namespace safehouse::http::tus

#endif  // SAFEHOUSE_HTTP_TUS_HEADERS_H_
