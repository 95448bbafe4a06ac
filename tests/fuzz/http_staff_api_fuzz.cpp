// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_staff_api_fuzz.cpp: the staff API's JSON bodies
// (http/staff_api.h: accounts, approvals, replies, assessments) and its base64. Accepted input must
// keep the parsers' promises: keys of their exact size, canonical base64 that re-encodes to itself,
// nothing beyond the body limit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/staff_api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool small = input.size() <= http::kStaffApiMaxBodyBytes;
  if (auto bytes = http::decode_base64(input)) {
    if (http::encode_base64(*bytes) != input) std::abort();
  }
  if (auto token = http::parse_token_request(input)) {
    if (!small || token->size() > 1024) std::abort();
  }
  if (auto login = http::parse_login_request(input)) {
    if (!small || login->auth_key.size() != review::kAuthKeyBytes) std::abort();
  }
  if (auto enrol = http::parse_enrol_request(input)) {
    if (!small || enrol->auth_key.size() != review::kAuthKeyBytes) std::abort();
    if (http::encode_base64(enrol->identity_box).size() > 1024) std::abort();
  }
  // The workspace's bodies (http/staff_case_routes.cpp).
  const bool sealed_size = input.size() <= http::kStaffApiMaxSealedBodyBytes;
  if (auto approval = http::parse_approval_request(input)) {
    if (!small || approval->event_number < 1) std::abort();
    // A link only on a move to duplicate, and to a real case number.
    if (approval->duplicate_of &&
        (approval->to != store::CaseStatus::kDuplicate || *approval->duplicate_of < 1)) {
      std::abort();
    }
  }
  if (auto reply = http::parse_reply_request(input)) {
    if (!sealed_size || reply->empty()) std::abort();
  }
  if (auto assessment = http::parse_assessment_request(input)) {
    if (!sealed_size || assessment->reliability < 'A' || assessment->reliability > 'F' ||
        assessment->credibility < 1 || assessment->credibility > 6 || assessment->sealed.empty() ||
        assessment->category.size() > 64) {
      std::abort();
    }
  }
  return 0;
}
