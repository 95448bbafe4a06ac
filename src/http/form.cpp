// SPDX-License-Identifier: AGPL-3.0-or-later
// http/form.cpp: urlencoded parsing on Boost.URL's query grammar, checked
// with base/utf8.h (Boost.URL decodes bytes, it does not judge them).
#include "http/form.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace safehouse::http {

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
