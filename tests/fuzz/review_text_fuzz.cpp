// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/review_text_fuzz.cpp: what the reviewer tools do with untrusted
// text — base32 decoding, file-name sanitizing, terminal text — never
// crashes, and keeps its promises: a decoded base32 re-encodes to the same
// bytes; a sanitized name is one non-empty, bounded, valid-UTF-8 component
// that is not "." or ".."; printable text is valid UTF-8 without ESC, and so
// is an assessment record's description (or the input is refused).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "review/assessment_text.h"
#include "review/base32.h"
#include "review/file_names.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse::review;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto decoded = base32_decode(text)) {
    if (base32_decode(base32_encode(*decoded)).value() != *decoded) std::abort();
  }
  const std::string name = sanitize_file_name(text);
  if (name.empty() || name == "." || name == ".." || name.size() > kMaxSanitizedNameBytes ||
      name.find('/') != std::string::npos || name.find('\0') != std::string::npos ||
      !is_valid_utf8(name)) {
    std::abort();
  }
  const std::string shown = printable_text(text);
  if (!is_valid_utf8(shown) || shown.find('\x1b') != std::string::npos) std::abort();
  if (auto described = describe_assessment_record(text)) {
    if (!is_valid_utf8(*described) || described->find('\x1b') != std::string::npos) std::abort();
  }
  return 0;
}
