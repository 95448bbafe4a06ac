// SPDX-License-Identifier: AGPL-3.0-or-later
// base/error.cpp: names of error codes and the bug path of Result::value().
#include "base/error.h"

#include <stdexcept>

namespace safehouse {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kIntegrity:
      return "integrity";
    case ErrorCode::kNoMatch:
      return "no match";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kTooLarge:
      return "too large";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kIo:
      return "i/o";
    case ErrorCode::kOutcomeUnknown:
      return "outcome unknown";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kQuotaExceeded:
      return "quota exceeded";
    case ErrorCode::kInsufficientStorage:
      return "insufficient storage";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += message_;
  return Error(code_, std::move(message));
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::logic_error("unchecked error: " + error.message());
}

}  // namespace safehouse
