// SPDX-License-Identifier: AGPL-3.0-or-later
// base/error.h: the error value every fallible Safehouse function returns.
// An Error is a code a caller can branch on plus a message a person can act
// on ("header: stanza 2: body is not canonical base64"). Messages never hold
// key material or user content. Exceptions are kept for bugs and exhaustion.
#ifndef SAFEHOUSE_BASE_ERROR_H_
#define SAFEHOUSE_BASE_ERROR_H_

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace safehouse {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something unusable (a bad flag, a bad key string)
  kMalformed,        // input does not parse: wrong syntax, non-canonical encoding
  kIntegrity,        // input parses but fails authentication (a MAC, a tag, a hash)
  kNoMatch,          // expected outcome: no identity or record matches
  kNotFound,         // a named thing does not exist
  kTooLarge,         // input exceeds a named limit
  kUnsupported,      // well-formed but of a version or kind we do not handle
  kConflict,         // the state does not allow this now
  kIo,               // the operating system failed a read, write or sync
  kOutcomeUnknown,   // a commit was cut off (its connection lost): it may or may not have happened
  kUnavailable,      // a resource (disk space, a worker, a connection) is exhausted
  kQuotaExceeded,    // a per-client quota (submissions a minute, bytes a day) is used up
  kInsufficientStorage,  // free disk space is below the reserve kept for what is stored
  kInternal,             // a bug: an invariant did not hold
};

// Returns a stable lower-case name for `code`, for logs and tests.
std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  // Not an aggregate on purpose: boost::system::result<T, Error> must never
  // confuse a T with an Error.
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // result<T, Error>::error() on a success value needs a default; it is never
  // returned as a real error.
  Error() : code_(ErrorCode::kInternal) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message reads "`context`: <message>"; each layer
  // adds its context once, at its boundary.
  Error with_context(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
};

// Called by result<T, Error>::value() when it holds an error: that is a bug
// in the caller, who should have checked.
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

template <typename T>
using Result = boost::system::result<T, Error>;

// Shorthand for the common "return Error(ErrorCode::kMalformed, ...)".
inline Error malformed(std::string message) {
  return Error(ErrorCode::kMalformed, std::move(message));
}
inline Error invalid_argument(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}
inline Error io_error(std::string message) {
  return Error(ErrorCode::kIo, std::move(message));
}

}  // namespace safehouse

// Propagates an error from a Result-returning expression, or yields its value.
// Used as: auto x = SAFEHOUSE_TRY(parse(...));  (a GNU statement expression,
// supported by both g++ and clang).
#define SAFEHOUSE_TRY(expr)                                           \
  ({                                                                  \
    auto safehouse_try_result_ = (expr);                              \
    if (!safehouse_try_result_) return safehouse_try_result_.error(); \
    std::move(*safehouse_try_result_);                                \
  })

// The same for Result<void>.
#define SAFEHOUSE_TRY_VOID(expr)                                      \
  do {                                                                \
    auto safehouse_try_result_ = (expr);                              \
    if (!safehouse_try_result_) return safehouse_try_result_.error(); \
  } while (0)

#endif  // SAFEHOUSE_BASE_ERROR_H_
