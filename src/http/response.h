// SPDX-License-Identifier: AGPL-3.0-or-later
// http/response.h: what a route handler returns: status, content type,
// extra headers, body. The server adds the listener's security headers and
// Cache-Control: no-store unless a handler set its own Cache-Control.
// Knows nothing of sockets or Beast.
#ifndef SAFEHOUSE_HTTP_RESPONSE_H_
#define SAFEHOUSE_HTTP_RESPONSE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::http {

class Response {
 public:
  // 200, no content type, empty body.
  Response() = default;
  Response(unsigned status, std::string content_type, std::string body)
      : status_(status), content_type_(std::move(content_type)), body_(std::move(body)) {}

  // "text/html; charset=utf-8".
  static Response html(std::string body, unsigned status = 200);
  // "text/plain; charset=utf-8".
  static Response text(std::string body, unsigned status = 200);
  // "application/json".
  static Response json(std::string body, unsigned status = 200);
  // 303 See Other to `location` (a path on this site, e.g. "/en/inbox?sent=1").
  static Response redirect_see_other(std::string location);
  // A file's bytes (static CSS, fonts) with its content type.
  static Response file(std::string content_type, std::string bytes);
  // A body of exactly `length` bytes read from `source` as the server
  // writes it, so that a large item (a video's ciphertext) never sits in
  // memory whole. The server closes the connection if the source fails or
  // ends early, since the Content-Length already sent can't be honoured.
  static Response stream(std::string content_type, std::shared_ptr<ByteSource> source,
                         std::uint64_t length);

  unsigned status() const { return status_; }
  void set_status(unsigned status) { status_ = status; }
  const std::string& content_type() const { return content_type_; }
  void set_content_type(std::string content_type) { content_type_ = std::move(content_type); }
  const std::string& body() const { return body_; }
  std::string& mutable_body() { return body_; }
  // The streamed body, if any (then body() is empty).
  const std::shared_ptr<ByteSource>& body_source() const { return body_source_; }
  std::uint64_t body_source_length() const { return body_source_length_; }

  // Extra headers in order. set_header replaces every header of that name
  // (case-insensitive); add_header appends (for several Set-Cookie lines).
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  void set_header(std::string name, std::string value);
  void add_header(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;

  // Asks the server to close the connection after this response (it also
  // does so by itself when a request body was left unread).
  bool close_connection() const { return close_; }
  void set_close_connection(bool close) { close_ = close; }

 private:
  unsigned status_ = 200;
  std::string content_type_;
  std::string body_;
  std::shared_ptr<ByteSource> body_source_;
  std::uint64_t body_source_length_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool close_ = false;
};

// The HTTP status the HTTP layer uses for an error of `code` at its boundary:
// kMalformed/kInvalidArgument 400, kIntegrity 400, kNoMatch 403, kNotFound 404,
// kConflict 409, kGone 410, kTooLarge 413, kUnsupported 415, kQuotaExceeded 429,
// kUnavailable 503, kInsufficientStorage 507, else 500.
unsigned status_for(ErrorCode code);

// status_for(error.code()), and a 500 (a bug, or a failure the server cannot
// name, such as I/O) is logged with the error's message, so that it can be
// traced. Messages name what failed, never what a source sent (store/
// and age/ keep values out of them).
unsigned status_for(const Error& error);

// The standard reason phrase ("Not Found"), or "Error" for unknown codes.
std::string_view reason_phrase(unsigned status);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_RESPONSE_H_
