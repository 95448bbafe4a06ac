// SPDX-License-Identifier: AGPL-3.0-or-later
// http/form.cpp: urlencoded parsing on Boost.URL's query grammar, plus a
// strict UTF-8 check (Boost.URL decodes bytes, it does not judge them).
#include "http/form.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace safehouse::http {

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2, code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3, code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4, code = c & 0x07;
    } else {
      return false;  // a continuation byte, an overlong lead (C0, C1) or > F4
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000)) return false;  // overlong
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

Result<Form> Form::parse(std::string_view encoded) {
  FieldList fields;
  if (encoded.empty()) return Form(std::move(fields));
  // Boost.URL 1.81's parse_query() measures its input with strlen(), so it
  // gets a NUL-terminated copy; a raw NUL is invalid in a query anyway.
  if (encoded.find('\0') != std::string_view::npos) return malformed("form: raw nul byte");
  const std::string terminated(encoded);
  auto parsed = boost::urls::parse_query(terminated);
  if (!parsed) return malformed("form: invalid percent-encoding or character");
  boost::urls::encoding_opts options;
  options.space_as_plus = true;  // application/x-www-form-urlencoded writes " " as "+"
  // Validated above, so this constructor (which throws on bad input) won't.
  boost::urls::params_view params(terminated, options);
  for (const auto& param : params) {
    if (param.key.empty() && param.value.empty()) continue;  // "a=1&&b=2"
    if (fields.size() == kMaxFormFields) {
      return Error(ErrorCode::kTooLarge, "form: too many fields");
    }
    if (!is_valid_utf8(param.key) || !is_valid_utf8(param.value)) {
      return malformed("form: field " + std::to_string(fields.size() + 1) + " is not valid utf-8");
    }
    fields.emplace_back(param.key, param.value);
  }
  return Form(std::move(fields));
}

std::optional<std::string_view> Form::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace safehouse::http
