// SPDX-License-Identifier: AGPL-3.0-or-later
// http/cookies.cpp: Cookie parsing (RFC 6265 §5.4, lenient as browsers are)
// and Set-Cookie building (strict, RFC 6265 §4.1).
#include "http/cookies.h"

#include <stdexcept>

namespace safehouse::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool is_cookie_octets(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> parse_cookies(std::string_view header) {
  std::vector<std::pair<std::string_view, std::string_view>> cookies;
  while (!header.empty()) {
    std::size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = trim(pair.substr(0, eq));
    std::string_view value = trim(pair.substr(eq + 1));
    if (name.empty()) continue;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    cookies.emplace_back(name, value);
  }
  return cookies;
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  for (const auto& [key, value] : parse_cookies(header)) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string set_cookie_value(std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_cookie_octets(value)) {
    throw std::invalid_argument("cookies: name or value has characters a cookie cannot carry");
  }
  // No Secure: see the header comment. No Max-Age/Expires: a session cookie.
  return std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string clear_cookie_value(std::string_view name) {
  if (!is_token(name)) throw std::invalid_argument("cookies: name is not a token");
  return std::string(name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
}

}  // namespace safehouse::http
