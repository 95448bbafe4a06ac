// SPDX-License-Identifier: AGPL-3.0-or-later
// http/form.h: application/x-www-form-urlencoded bodies and query strings,
// parsed with Boost.URL's query grammar ("+" is a space). Rejects invalid
// percent-encoding and invalid UTF-8. Knows nothing of what fields mean.
#ifndef SAFEHOUSE_HTTP_FORM_H_
#define SAFEHOUSE_HTTP_FORM_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"
#include "base/utf8.h"
#include "http/request.h"

namespace safehouse::http {

inline constexpr std::size_t kMaxFormFields = 256;

class Form {
 public:
  // kMalformed for bad percent-encoding or invalid UTF-8 in a name or value;
  // kTooLarge beyond kMaxFormFields fields. An empty string is an empty form.
  static Result<Form> parse(std::string_view encoded);

  // The first value of field `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  const FieldList& fields() const { return fields_; }

 private:
  explicit Form(FieldList fields) : fields_(std::move(fields)) {}
  FieldList fields_;
};

// Strict UTF-8 validation lives in base/ (intake and review need it too).
using safehouse::is_valid_utf8;

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_FORM_H_
