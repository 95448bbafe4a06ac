// SPDX-License-Identifier: AGPL-3.0-or-later
// http/request.cpp: request-target validation and accessors.
#include "http/request.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "http/cookies.h"
#include "http/form.h"

namespace safehouse::http {
namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool same = true;
    for (std::size_t j = 0; j < needle.size() && same; ++j) {
      char c = haystack[i + j];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      same = c == needle[j];
    }
    if (same) return true;
  }
  return false;
}

// Rejects paths a handler or a file lookup could misread.
Result<void> check_path(std::string_view encoded, std::string_view decoded) {
  if (decoded.empty() || decoded.front() != '/') return malformed("request: path is not absolute");
  // An encoded "/" or "\" would change how the path splits into segments.
  if (contains_ci(encoded, "%2F") || contains_ci(encoded, "%5C")) {
    return malformed("request: path contains an encoded slash");
  }
  for (unsigned char c : decoded) {
    if (c < 0x20 || c == 0x7f) return malformed("request: path contains a control character");
    if (c == '\\') return malformed("request: path contains a backslash");
  }
  std::size_t start = 1;
  while (start <= decoded.size()) {
    std::size_t end = decoded.find('/', start);
    if (end == std::string_view::npos) end = decoded.size();
    std::string_view segment = decoded.substr(start, end - start);
    if (segment == "." || segment == "..") return malformed("request: path contains a dot segment");
    start = end + 1;
  }
  if (!is_valid_utf8(decoded)) return malformed("request: path is not valid utf-8");
  return {};
}

}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

Result<Request> Request::create(Method method, std::string_view target, HeaderMap headers,
                                std::string body) {
  // A NUL-terminated copy: Boost.URL 1.81 uses strlen() in places (see
  // form.cpp), and Beast's target is a view into the read buffer.
  if (target.find('\0') != std::string_view::npos) return malformed("request: raw nul byte");
  const std::string terminated(target);
  auto parsed = boost::urls::parse_origin_form(terminated);
  if (!parsed) return malformed("request: target is not a valid origin-form path");
  const boost::urls::url_view& url = *parsed;
  Request request;
  request.method_ = method;
  request.path_ = std::string(url.path());
  SAFEHOUSE_TRY_VOID(check_path(url.encoded_path(), request.path_));
  if (url.has_query()) {
    request.raw_query_ = std::string(url.encoded_query());
    auto form = Form::parse(request.raw_query_);
    if (!form) return form.error().with_context("request: query");
    request.query_ = form->fields();
  }
  request.headers_ = std::move(headers);
  request.body_ = std::move(body);
  return request;
}

std::optional<std::string_view> Request::query(std::string_view name) const {
  for (const auto& [key, value] : query_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  auto it = headers_.find(lower_name);
  if (it == headers_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Request::cookie(std::string_view name) const {
  auto header_value = header("cookie");
  if (!header_value) return std::nullopt;
  return find_cookie(*header_value, name);
}

std::string_view Request::path_param(std::string_view name) const {
  auto it = path_params_.find(name);
  if (it == path_params_.end()) return {};
  return it->second;
}

void Request::set_path_param(std::string name, std::string value) {
  path_params_[std::move(name)] = std::move(value);
}

}  // namespace safehouse::http
