// SPDX-License-Identifier: AGPL-3.0-or-later
// base/utf8.h: strict UTF-8 validation, shared by every layer that takes
// text from outside (HTTP forms, submissions, reviewer replies).
#ifndef SAFEHOUSE_BASE_UTF8_H_
#define SAFEHOUSE_BASE_UTF8_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace safehouse {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no
// surrogates, nothing past U+10FFFF, no truncated sequence.
bool is_valid_utf8(std::string_view text);
inline bool is_valid_utf8(std::span<const std::uint8_t> bytes) {
  return is_valid_utf8(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace safehouse

#endif  // SAFEHOUSE_BASE_UTF8_H_
