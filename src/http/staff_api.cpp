// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_api.cpp: strict parsing of the staff account API's JSON bodies
// (http/staff_api.h).
#include "http/staff_api.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <set>

#include "review/base32.h"

namespace safehouse::http {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxStringBytes = 1024;

// The body as an object holding exactly `members`, each a string of at most
// kMaxStringBytes.
Result<json::object> parse_object(std::string_view body,
                                  std::initializer_list<std::string_view> members,
                                  std::size_t max_body = kStaffApiMaxBodyBytes,
                                  std::size_t max_string = kMaxStringBytes) {
  if (body.size() > max_body) {
    return Error(ErrorCode::kTooLarge,
                 "request body is larger than " + std::to_string(max_body) + " bytes");
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 2;
  json::value value = json::parse(json::string_view(body.data(), body.size()), ec, {}, options);
  if (ec || !value.is_object()) return malformed("request body is not a JSON object");
  json::object& object = value.as_object();
  if (object.size() != members.size()) {
    return malformed("request body must have exactly the members it needs");
  }
  for (std::string_view name : members) {
    const json::value* member = object.if_contains(json::string_view(name.data(), name.size()));
    if (member == nullptr || !member->is_string()) {
      return malformed("request body: " + std::string(name) + " is missing or not a string");
    }
    if (member->as_string().size() > max_string) {
      return Error(ErrorCode::kTooLarge, "request body: " + std::string(name) + " is too long");
    }
  }
  return std::move(object);
}

std::string text(const json::object& object, std::string_view name) {
  const json::string& s = object.at(json::string_view(name.data(), name.size())).as_string();
  return std::string(s.data(), s.size());
}

Result<Bytes> base64_field(const json::object& object, std::string_view name,
                           std::size_t exact = 0) {
  auto bytes = decode_base64(text(object, name));
  if (!bytes) return bytes.error().with_context(std::string(name));
  if (exact != 0 && bytes->size() != exact) {
    return malformed(std::string(name) + ": must be " + std::to_string(exact) + " bytes");
  }
  return bytes;
}

}  // namespace

Result<Bytes> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return malformed("base64: length is not a multiple of 4");
  if (text.empty()) return Bytes();  // libsodium must not get a null buffer
  Bytes out(text.size() / 4 * 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return malformed("base64: not canonical standard base64");
  }
  out.resize(length);
  // libsodium accepts non-zero padding bits; re-encoding catches them.
  if (encode_base64(out) != text) return malformed("base64: not canonical standard base64");
  return out;
}

std::string encode_base64(ByteSpan bytes) {
  if (bytes.empty()) return {};
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> parse_token_request(std::string_view body) {
  auto object = SAFEHOUSE_TRY(parse_object(body, {"token"}));
  return text(object, "token");
}

Result<review::EnrolmentRequest> parse_enrol_request(std::string_view body) {
  auto object = SAFEHOUSE_TRY(parse_object(body, {"token", "auth_key", "identity_box", "recipient",
                                                  "signing_key", "totp_secret", "totp_code"}));
  review::EnrolmentRequest r;
  r.token = text(object, "token");
  r.auth_key = SAFEHOUSE_TRY(base64_field(object, "auth_key", review::kAuthKeyBytes));
  r.identity_box = SAFEHOUSE_TRY(base64_field(object, "identity_box"));
  r.recipient = text(object, "recipient");
  const Bytes signing = SAFEHOUSE_TRY(base64_field(object, "signing_key", 32));
  std::copy(signing.begin(), signing.end(), r.signing_key.begin());
  auto secret = review::base32_decode(text(object, "totp_secret"));
  if (!secret) return secret.error().with_context("totp_secret");
  r.totp_secret = std::move(*secret);
  r.totp_code = text(object, "totp_code");
  return r;
}

Result<review::LoginRequest> parse_login_request(std::string_view body) {
  auto object = SAFEHOUSE_TRY(parse_object(body, {"name", "auth_key", "totp_code"}));
  review::LoginRequest r;
  r.name = text(object, "name");
  r.auth_key = SAFEHOUSE_TRY(base64_field(object, "auth_key", review::kAuthKeyBytes));
  r.totp_code = text(object, "totp_code");
  return r;
}

namespace {

// A decimal number without sign or leading zeros, 1 to `max`.
Result<std::int64_t> positive_number(std::string_view text, std::int64_t max) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18 || text[0] == '0') return malformed("not a number");
  for (char c : text) {
    if (c < '0' || c > '9') return malformed("not a number");
    value = value * 10 + (c - '0');
  }
  if (value > max) return malformed("number out of range");
  return value;
}

}  // namespace

Result<ApprovalRequest> parse_approval_request(std::string_view body) {
  auto object =
      SAFEHOUSE_TRY(parse_object(body, {"from", "to", "event", "signature", "duplicate_of"}));
  ApprovalRequest r;
  auto from = store::status_from_name(text(object, "from"));
  auto to = store::status_from_name(text(object, "to"));
  if (!from || !to) return malformed("from, to: not a case status");
  r.from = *from;
  r.to = *to;
  auto event = positive_number(text(object, "event"), std::int64_t{1} << 53);
  if (!event) return event.error().with_context("event");
  r.event_number = *event;
  const Bytes signature = SAFEHOUSE_TRY(base64_field(object, "signature", r.signature.size()));
  std::copy(signature.begin(), signature.end(), r.signature.begin());
  const std::string duplicate_of = text(object, "duplicate_of");
  if (!duplicate_of.empty()) {
    if (r.to != store::CaseStatus::kDuplicate) return malformed("duplicate_of: only for duplicate");
    auto of = positive_number(duplicate_of, std::int64_t{1} << 53);
    if (!of) return of.error().with_context("duplicate_of");
    r.duplicate_of = *of;
  }
  return r;
}

Result<Bytes> parse_reply_request(std::string_view body) {
  auto object = SAFEHOUSE_TRY(
      parse_object(body, {"age"}, kStaffApiMaxSealedBodyBytes, kStaffApiMaxSealedBodyBytes));
  auto age = SAFEHOUSE_TRY(base64_field(object, "age"));
  if (age.empty()) return malformed("age: empty");
  return age;
}

Result<AssessmentRequest> parse_assessment_request(std::string_view body) {
  auto object =
      SAFEHOUSE_TRY(parse_object(body, {"reliability", "credibility", "category", "sealed"},
                                 kStaffApiMaxSealedBodyBytes, kStaffApiMaxSealedBodyBytes));
  AssessmentRequest r;
  const std::string reliability = text(object, "reliability");
  if (reliability.size() != 1 || reliability[0] < 'A' || reliability[0] > 'F') {
    return malformed("reliability: one of A to F");
  }
  r.reliability = reliability[0];
  auto credibility = positive_number(text(object, "credibility"), 6);
  if (!credibility) return credibility.error().with_context("credibility: one of 1 to 6");
  r.credibility = static_cast<int>(*credibility);
  r.category = text(object, "category");
  if (r.category.size() > 64) return malformed("category: too long");
  r.sealed = SAFEHOUSE_TRY(base64_field(object, "sealed"));
  if (r.sealed.empty()) return malformed("sealed: empty");
  return r;
}

}  // namespace safehouse::http
