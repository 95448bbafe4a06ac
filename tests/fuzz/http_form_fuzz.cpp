// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_form_fuzz.cpp: urlencoded forms, request-target validation
// Cookie parsing and opening a visitor cookie. Accepted output must hold what
// the parsers promise.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/cookies.h"
#include "http/form.h"
#include "http/request.h"
#include "http/visitor_tokens.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto form = safehouse::http::Form::parse(input)) {
    if (form->fields().size() > safehouse::http::kMaxFormFields) std::abort();
    for (const auto& [name, value] : form->fields()) {
      if (!safehouse::http::is_valid_utf8(name) || !safehouse::http::is_valid_utf8(value)) {
        std::abort();
      }
    }
  }
  if (auto request = safehouse::http::Request::create(safehouse::http::Method::kGet, input)) {
    const std::string& path = request->path();
    if (path.empty() || path.front() != '/' || path.find("/../") != std::string::npos ||
        path.ends_with("/..") || path.find('\0') != std::string::npos ||
        path.find('\\') != std::string::npos) {
      std::abort();
    }
  }
  for (const auto& [name, value] : safehouse::http::parse_cookies(input)) {
    if (name.empty() || name.find(';') != std::string_view::npos ||
        value.find(';') != std::string_view::npos) {
      std::abort();
    }
  }
  // Nothing but what this process sealed opens: fuzz input never does.
  static const safehouse::http::VisitorTokens tokens;
  if (tokens.open(input)) std::abort();
  return 0;
}
