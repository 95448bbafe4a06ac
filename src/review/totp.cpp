// SPDX-License-Identifier: AGPL-3.0-or-later
// review/totp.cpp: RFC 6238 through liboath (review/totp.h).
#include "review/totp.h"

#include <liboath/oath.h>

#include <mutex>

namespace safehouse::review {
namespace {

// oath_init() is needed once per process (it sets up libgcrypt).
Result<void> ensure_oath() {
  static std::once_flag once;
  static int rc = OATH_OK;
  std::call_once(once, [] { rc = oath_init(); });
  if (rc != OATH_OK) return Error(ErrorCode::kInternal, std::string("totp: ") + oath_strerror(rc));
  return {};
}

int flags_of(TotpHash hash) {
  switch (hash) {
    case TotpHash::kSha256:
      return OATH_TOTP_HMAC_SHA256;
    case TotpHash::kSha512:
      return OATH_TOTP_HMAC_SHA512;
    case TotpHash::kSha1:
      break;
  }
  return 0;
}

}  // namespace

Result<std::string> totp_code(ByteSpan secret, std::int64_t unix_seconds, unsigned digits,
                              TotpHash hash) {
  SAFEHOUSE_TRY_VOID(ensure_oath());
  if (secret.empty()) return invalid_argument("totp: empty secret");
  if (digits < 6 || digits > 8) return invalid_argument("totp: digits must be 6, 7 or 8");
  char out[16] = {};
  const int rc = oath_totp_generate2(reinterpret_cast<const char*>(secret.data()), secret.size(),
                                     static_cast<time_t>(unix_seconds), kTotpStepSeconds, 0, digits,
                                     flags_of(hash), out);
  if (rc != OATH_OK) return Error(ErrorCode::kInternal, std::string("totp: ") + oath_strerror(rc));
  return std::string(out, digits);
}

std::optional<std::int64_t> totp_match(ByteSpan secret, std::string_view code,
                                       std::int64_t unix_seconds, unsigned digits) {
  if (!ensure_oath() || secret.empty() || code.size() != digits) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const std::string text(code);
  int position = 0;
  std::uint64_t counter = 0;
  const int rc = oath_totp_validate4(reinterpret_cast<const char*>(secret.data()), secret.size(),
                                     static_cast<time_t>(unix_seconds), kTotpStepSeconds, 0,
                                     kTotpWindowSteps, &position, &counter, 0, text.c_str());
  if (rc < 0) return std::nullopt;
  return static_cast<std::int64_t>(counter);
}

}  // namespace safehouse::review
