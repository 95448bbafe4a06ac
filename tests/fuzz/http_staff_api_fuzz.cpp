// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_staff_api_fuzz.cpp: the staff account API's JSON bodies
// (http/staff_api.h) and its base64. Accepted input must keep the parsers'
// promises: keys of their exact size, canonical base64 that re-encodes to
// itself, nothing beyond the body limit.
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
  return 0;
}
