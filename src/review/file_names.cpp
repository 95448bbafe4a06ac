// SPDX-License-Identifier: AGPL-3.0-or-later
// review/file_names.cpp: a small UTF-8 decoder and the replacement rules.
#include "review/file_names.h"

#include <cstdint>
#include <optional>

namespace safehouse::review {
namespace {

struct CodePoint {
  char32_t value;
  std::size_t length;
};

// Decodes one UTF-8 sequence at `pos`; nullopt for an invalid one.
std::optional<CodePoint> decode_at(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[pos + i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return CodePoint{lead, 1};
  std::size_t length = 0;
  char32_t value = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    value = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    value = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    value = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (pos + length > text.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3f);
  }
  constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kMinimum[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

// Bidi embeddings, overrides and isolates reorder what follows them: a name
// "photo\u202Egpj.exe" shows as "photoexe.jpg".
bool is_bidi_override(char32_t c) {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

// In a file name also invisible marks (zero-width space, LRM/RLM, ALM, BOM);
// ZWNJ/ZWJ stay, Persian words need them.
bool is_bidi_or_invisible(char32_t c) {
  return is_bidi_override(c) || c == 0x200b || c == 0x200e || c == 0x200f || c == 0x061c ||
         c == 0xfeff;
}

bool is_reserved(char32_t c) {
  return c == '<' || c == '>' || c == ':' || c == '"' || c == '|' || c == '?' || c == '*';
}

std::string last_component(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

std::string trim_dots_and_spaces(const std::string& s) {
  const std::size_t begin = s.find_first_not_of(". ");
  if (begin == std::string::npos) return "";
  const std::size_t end = s.find_last_not_of(". ");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

std::string sanitize_file_name(std::string_view name) {
  const std::string base = last_component(name);
  std::string cleaned;
  for (std::size_t pos = 0; pos < base.size();) {
    const auto cp = decode_at(base, pos);
    const bool bad =
        !cp || is_control(cp->value) || is_bidi_or_invisible(cp->value) || is_reserved(cp->value);
    // An invalid byte is replaced alone; a bad character as a whole.
    const std::size_t length = cp ? cp->length : 1;
    const std::size_t out_length = bad ? 1 : length;
    if (cleaned.size() + out_length > kMaxSanitizedNameBytes) break;
    if (bad) {
      cleaned.push_back('_');
    } else {
      cleaned.append(base, pos, length);
    }
    pos += length;
  }
  std::string result = trim_dots_and_spaces(cleaned);
  return result.empty() ? "file" : result;
}

std::string printable_text(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const auto cp = decode_at(text, pos);
    if (!cp) {
      out.append(kReplacement);
      ++pos;
      continue;
    }
    const bool keep = cp->value == '\n' || cp->value == '\t' ||
                      !(is_control(cp->value) || is_bidi_override(cp->value));
    if (keep) {
      out.append(text, pos, cp->length);
    } else {
      out.append(kReplacement);
    }
    pos += cp->length;
  }
  return out;
}

}  // namespace safehouse::review
