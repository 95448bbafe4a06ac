// SPDX-License-Identifier: AGPL-3.0-or-later
// http/request.h: one HTTP request as route handlers see it: a validated,
// decoded path, the query, lower-cased headers, cookies and (for small-body
// routes) the body. Knows nothing of sockets or Beast; tests build one with
// Request::create().
#ifndef SAFEHOUSE_HTTP_REQUEST_H_
#define SAFEHOUSE_HTTP_REQUEST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace safehouse::http {

// kPatch, kDelete and kOptions serve the tus upload endpoint
// (http/tus_routes.h); every other method is kOther (405).
enum class Method { kGet, kHead, kPost, kPatch, kDelete, kOptions, kOther };

// Returns "GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS" or "OTHER".
std::string_view method_name(Method method);

// Header names are lower-cased. Repeated headers are joined with ", "
// (Cookie with "; "), as RFC 9110 §5.3 allows.
using HeaderMap = std::map<std::string, std::string, std::less<>>;

// Decoded query or form fields in their order of appearance; names may repeat.
using FieldList = std::vector<std::pair<std::string, std::string>>;

class Request {
 public:
  // Builds a request from a request-target in origin form ("/en/inbox?sent=1").
  // The path is percent-decoded and must be absolute; it is rejected (kMalformed)
  // if it contains a "." or ".." segment, NUL or other control characters, a
  // backslash, or an encoded "/" ("%2F"), so handlers can trust it. The query
  // must be valid application/x-www-form-urlencoded with UTF-8 values.
  static Result<Request> create(Method method, std::string_view target, HeaderMap headers = {},
                                std::string body = {});

  Method method() const { return method_; }
  // Decoded path, always starting with "/".
  const std::string& path() const { return path_; }
  // The query as sent (without "?"), still encoded. Never log it.
  const std::string& raw_query() const { return raw_query_; }
  // Decoded query fields in order.
  const FieldList& query_fields() const { return query_; }
  // The first value of query field `name`, if present.
  std::optional<std::string_view> query(std::string_view name) const;

  const HeaderMap& headers() const { return headers_; }
  // The header `lower_name` (already lower-case, e.g. "content-type").
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // The value of cookie `name` from the Cookie header (first occurrence).
  std::optional<std::string_view> cookie(std::string_view name) const;

  // The body of a small-body route (empty for uploads, which stream it).
  const std::string& body() const { return body_; }
  void set_body(std::string body) { body_ = std::move(body); }

  // A segment captured by the router ("lang" for "/{lang}/login", "*" for the
  // rest of a prefix pattern such as "/static/*"); empty if none.
  std::string_view path_param(std::string_view name) const;
  void set_path_param(std::string name, std::string value);

 private:
  Request() = default;

  Method method_ = Method::kOther;
  std::string path_;
  std::string raw_query_;
  FieldList query_;
  HeaderMap headers_;
  std::string body_;
  std::map<std::string, std::string, std::less<>> path_params_;
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_REQUEST_H_
