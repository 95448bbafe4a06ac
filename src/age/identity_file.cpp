// SPDX-License-Identifier: AGPL-3.0-or-later
// age/identity_file.cpp: line-oriented key files as the age CLI writes
// them. Error messages carry the line number only: a line may be a secret.
#include "age/identity_file.h"

#include <functional>

#include "age/x25519.h"

namespace safehouse::age {
namespace {

// Calls `on_line(line, number)` for each line that is not blank or a comment.
Result<void> for_each_key_line(std::string_view text, std::string_view what,
                               const std::function<Result<void>(std::string_view)>& on_line) {
  if (text.size() > kMaxKeyFileBytes) {
    return Error(ErrorCode::kTooLarge, std::string(what) + ": file is too large");
  }
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    auto r = on_line(line);
    if (!r) {
      return Error(r.error().code(), std::string(what) + ": error at line " +
                                         std::to_string(number) + ": " + r.error().message());
    }
  }
  return {};
}

}  // namespace

Result<std::vector<std::unique_ptr<Identity>>> parse_identity_file(std::string_view text) {
  std::vector<std::unique_ptr<Identity>> out;
  SAFEHOUSE_TRY_VOID(
      for_each_key_line(text, "identity file", [&](std::string_view line) -> Result<void> {
        if (!line.starts_with("AGE-SECRET-KEY-1")) {
          return Error(ErrorCode::kUnsupported, "not an AGE-SECRET-KEY-1 identity");
        }
        // X25519Identity::parse's own message says nothing of the key's bytes.
        auto identity = SAFEHOUSE_TRY(X25519Identity::parse(line));
        out.push_back(std::make_unique<X25519Identity>(std::move(identity)));
        return {};
      }));
  if (out.empty()) return invalid_argument("identity file: no identities found");
  return out;
}

Result<std::vector<std::unique_ptr<Recipient>>> parse_recipients_file(std::string_view text) {
  std::vector<std::unique_ptr<Recipient>> out;
  SAFEHOUSE_TRY_VOID(
      for_each_key_line(text, "recipients file", [&](std::string_view line) -> Result<void> {
        if (!line.starts_with("age1"))
          return Error(ErrorCode::kUnsupported, "not an age1 recipient");
        auto recipient = SAFEHOUSE_TRY(X25519Recipient::parse(line));
        out.push_back(std::make_unique<X25519Recipient>(std::move(recipient)));
        return {};
      }));
  if (out.empty()) return invalid_argument("recipients file: no recipients found");
  return out;
}

}  // namespace safehouse::age
