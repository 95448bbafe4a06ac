// SPDX-License-Identifier: AGPL-3.0-or-later
// http/cookies.h: parses the Cookie request header and builds Set-Cookie
// values. Every cookie we set is HttpOnly, SameSite=Strict, Path=/, and has
// no Max-Age (it dies with the browser session). No Secure attribute: the
// site is served over plain HTTP on loopback behind a Tor onion service,
// where Tor provides the transport encryption and authentication; a Secure
// cookie would never be sent back (docs/http.md).
#ifndef SAFEHOUSE_HTTP_COOKIES_H_
#define SAFEHOUSE_HTTP_COOKIES_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace safehouse::http {

// Name/value pairs of a Cookie header ("a=1; b=2"), views into `header`.
// Pairs without "=" or with an empty name are skipped; surrounding double
// quotes of a value are removed.
std::vector<std::pair<std::string_view, std::string_view>> parse_cookies(std::string_view header);

// The value of the first cookie called `name` in `header`.
std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name);

// "name=value; Path=/; HttpOnly; SameSite=Strict".
// Requires: `name` is an RFC 6265 token and `value` only cookie-octets
// (session tokens are hex); otherwise throws std::invalid_argument (a bug).
std::string set_cookie_value(std::string_view name, std::string_view value);

// A Set-Cookie value that makes the browser drop cookie `name` (Max-Age=0).
std::string clear_cookie_value(std::string_view name);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_COOKIES_H_
