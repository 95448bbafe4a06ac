// SPDX-License-Identifier: AGPL-3.0-or-later
// review/totp.h: time-based one-time passwords (RFC 6238, HOTP of RFC 4226
// over 30-second steps from the Unix epoch), the reviewers' second factor
// at staff sign-in. liboath computes and checks the codes; this file only
// chooses the parameters and turns its return codes into values.
#ifndef SAFEHOUSE_REVIEW_TOTP_H_
#define SAFEHOUSE_REVIEW_TOTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::review {

enum class TotpHash { kSha1, kSha256, kSha512 };

inline constexpr unsigned kTotpStepSeconds = 30;
inline constexpr unsigned kTotpDigits = 6;
// Codes of one step before and after now are accepted too (clock drift).
inline constexpr unsigned kTotpWindowSteps = 1;
// Secrets are 20 random bytes (160 bits, RFC 4226 §4's recommendation), the
// browser makes them; at most this many are accepted.
inline constexpr std::size_t kTotpSecretMinBytes = 16;
inline constexpr std::size_t kTotpSecretMaxBytes = 64;

// The code for `secret` at Unix time `unix_seconds`. kInvalidArgument for
// digits outside 6–8 or an empty secret.
Result<std::string> totp_code(ByteSpan secret, std::int64_t unix_seconds,
                              unsigned digits = kTotpDigits, TotpHash hash = TotpHash::kSha1);

// The time step (unix_seconds / 30) whose code equals `code`, searching
// kTotpWindowSteps either side of `unix_seconds`; nullopt if none does or
// the code is not `digits` decimal digits.
std::optional<std::int64_t> totp_match(ByteSpan secret, std::string_view code,
                                       std::int64_t unix_seconds, unsigned digits = kTotpDigits);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_TOTP_H_
