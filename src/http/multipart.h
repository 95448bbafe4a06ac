// SPDX-License-Identifier: AGPL-3.0-or-later
// http/multipart.h: a streaming (push) multipart/form-data parser (RFC 7578),
// written here because Beast has none. Bytes go in as they arrive; parts come
// out through callbacks, file contents in pieces, never buffered whole.
// Knows nothing of what the fields mean or where file data goes.
#ifndef SAFEHOUSE_HTTP_MULTIPART_H_
#define SAFEHOUSE_HTTP_MULTIPART_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/wiping_allocator.h"

namespace safehouse::http {

// The boundary parameter of a "multipart/form-data; boundary=..." Content-Type
// (quoted or not). kUnsupported for another media type, kMalformed for a
// missing, empty, over-long (> 70) or invalid boundary.
Result<std::string> boundary_from_content_type(std::string_view content_type);

// A file name safe to show and store (encrypted): the last path component
// after "/" or "\", without control characters, leading dots or spaces,
// at most kMaxFileNameBytes bytes (cut at a UTF-8 character boundary).
// Returns "file" if nothing is left.
inline constexpr std::size_t kMaxFileNameBytes = 200;
std::string sanitize_file_name(std::string_view raw);

struct PartHeaders {
  std::string field_name;                // Content-Disposition name=
  std::optional<std::string> file_name;  // filename= as sent (raw: sanitize it)
  std::string content_type;              // "text/plain" if absent
};

struct MultipartLimits {
  std::size_t max_part_header_bytes = 4 * 1024;  // all header lines of one part
  std::size_t max_parts = 256;
};

// Thread safety: none; one parser per request body.
class MultipartParser {
 public:
  // A callback's error stops the parser; feed() returns that error.
  struct Callbacks {
    std::function<Result<void>(const PartHeaders&)> on_part_begin;
    std::function<Result<void>(ByteSpan)> on_part_data;  // a piece of the part's body
    std::function<Result<void>()> on_part_end;
  };

  // Requires: `boundary` from boundary_from_content_type().
  MultipartParser(std::string boundary, Callbacks callbacks, MultipartLimits limits = {});
  ~MultipartParser();
  MultipartParser(const MultipartParser&) = delete;
  MultipartParser& operator=(const MultipartParser&) = delete;

  // Parses the next bytes of the body. Errors (kMalformed with a specific
  // message, kTooLarge for a limit) are sticky.
  Result<void> feed(ByteSpan data);
  // Call after the last byte: kMalformed if the closing boundary was not seen.
  Result<void> finish();

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kEpilogue };

  Result<void> step();
  Result<void> parse_preamble();
  Result<void> parse_after_boundary();
  Result<void> parse_headers();
  Result<void> parse_body();
  Result<ByteSpan> feed_body_in_place(ByteSpan data);
  Result<void> fail(Error error);

  // Where the delimiter starts in `text`, or npos.
  std::size_t find_delimiter(std::string_view text) const;

  const std::string delimiter_;  // "\r\n--" + boundary
  Callbacks callbacks_;
  const MultipartLimits limits_;
  State state_ = State::kPreamble;
  crypto::WipedString buffer_;      // unconsumed bytes (plaintext): wiped when freed and at the end
  std::size_t header_scanned_ = 0;  // bytes of buffer_ already searched for CRLFCRLF
  std::size_t parts_ = 0;
  bool progress_ = false;
  std::optional<Error> error_;
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_MULTIPART_H_
