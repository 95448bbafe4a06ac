// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_api.h: the JSON bodies of the staff listener's account API
// (docs/routes.md, "Staff listener"): enrolment and sign-in requests parsed
// into review/accounts.h values, strictly — only the expected members, each
// of its type and size; base64 canonical. Knows nothing of sessions or the
// store. Fuzzed by tests/fuzz/http_staff_api_fuzz.cpp.
#ifndef SAFEHOUSE_HTTP_STAFF_API_H_
#define SAFEHOUSE_HTTP_STAFF_API_H_

#include <string>
#include <string_view>

#include "base/error.h"
#include "review/accounts.h"
#include "store/workflow_records.h"

namespace safehouse::http {

// Bodies larger than this are refused before parsing (413 at the route).
inline constexpr std::size_t kStaffApiMaxBodyBytes = 4096;

// {"token": "<64 hex>"}.
Result<std::string> parse_token_request(std::string_view body);

// {"token", "auth_key" (base64, 32 bytes), "identity_box" (base64),
//  "recipient" ("age1…"), "signing_key" (base64, 32 bytes),
//  "totp_secret" (base32), "totp_code" ("123456")}.
Result<review::EnrolmentRequest> parse_enrol_request(std::string_view body);

// {"name", "auth_key" (base64, 32 bytes), "totp_code"}.
Result<review::LoginRequest> parse_login_request(std::string_view body);

// Bodies that carry an age file (a reply, a sealed assessment): larger.
inline constexpr std::size_t kStaffApiMaxSealedBodyBytes = std::size_t{512} << 10;

// {"from", "to" (status words), "event" (decimal), "signature" (base64, 64
// bytes)}: a reviewer's signed approval of moving a case (the signing key
// is the signed-in reviewer's, the case is the URL's).
struct ApprovalRequest {
  store::CaseStatus from = store::CaseStatus::kReceived;
  store::CaseStatus to = store::CaseStatus::kReceived;
  std::int64_t event_number = 0;
  store::Signature signature{};
  // For a move to duplicate: the case this one repeats ("" otherwise).
  std::optional<store::CaseId> duplicate_of;
};
Result<ApprovalRequest> parse_approval_request(std::string_view body);

// {"age": base64 age file}: a reply the browser encrypted.
Result<Bytes> parse_reply_request(std::string_view body);

// {"reliability" ("A".."F"), "credibility" ("1".."6"), "category" (a name
// or ""), "sealed" (base64 age file: the whole record)}.
struct AssessmentRequest {
  char reliability = 'F';
  int credibility = 6;
  std::string category;
  Bytes sealed;
};
Result<AssessmentRequest> parse_assessment_request(std::string_view body);

// Standard base64 with padding (RFC 4648 §4), canonical; kMalformed else.
Result<Bytes> decode_base64(std::string_view text);
std::string encode_base64(ByteSpan bytes);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_STAFF_API_H_
