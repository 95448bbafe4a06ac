// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/source_api_json_test.cpp: the JavaScript client API's JSON
// bodies (http/source_api_json.h): well-formed sign-in and submission
// bodies, and malformed ones of every kind — not JSON, wrong types, missing
// members, bad hex, non-canonical or oversized base64, too many or too
// large items, a first contact with a member missing — each refused.
#include "http/source_api_json.h"

#include <gtest/gtest.h>

#include <string>

#include "intake/sealed_items.h"

namespace safehouse::http {
namespace {

std::string b64(std::size_t n, std::uint8_t fill = 7) {
  return source_api_to_base64(Bytes(n, fill));
}

const std::string kId(64, 'a');

std::string sign_in(const std::string& id, const std::string& signature) {
  return R"({"source_id":")" + id + R"(","signature":")" + signature + R"("})";
}

std::string first_contact(const std::string& fields, const std::string& items = "[]") {
  return R"({"first_contact":{)" + fields + R"(},"items":)" + items + "}";
}

std::string good_fields() {
  return R"("source_id":")" + kId + R"(","reply_recipient":"age1xyz","signing_key":")" + b64(32) +
         R"(","signature":")" + b64(64) + R"(")";
}

TEST(SourceApiJson, SignInBody) {
  auto body = parse_sign_in_body(sign_in(kId, b64(64, 9)));
  ASSERT_TRUE(body);
  EXPECT_EQ(body->source_id[0], 0xaa);
  EXPECT_EQ(body->signature[63], 9);
  // Upper-case hex is the same id; unknown members are ignored.
  EXPECT_TRUE(parse_sign_in_body(sign_in(std::string(64, 'A'), b64(64))));
  EXPECT_TRUE(parse_sign_in_body(R"({"x":1,"source_id":")" + kId + R"(","signature":")" + b64(64) +
                                 R"("})"));
}

TEST(SourceApiJson, MalformedSignInBodies) {
  for (const std::string& body : {
           std::string(),
           std::string("{"),
           std::string("[]"),
           std::string("null"),
           std::string(R"("text")"),
           std::string(R"({"source_id":")") + kId + R"("})",                    // no signature
           std::string(R"({"signature":")") + b64(64) + R"("})",                // no id
           std::string(R"({"source_id":1,"signature":")") + b64(64) + R"("})",  // id not a string
           sign_in(kId.substr(1), b64(64)),                                     // 63 hex digits
           sign_in(kId + "aa", b64(64)),                                        // 33 bytes
           sign_in(std::string(63, 'a') + "g", b64(64)),                        // not hex
           sign_in(kId, b64(63)),                                               // short signature
           sign_in(kId, b64(65)),                                               // long signature
           sign_in(kId, b64(64).substr(0, 86)),                                 // padding dropped
           sign_in(kId, b64(64) + "="),                                         // extra padding
           sign_in(kId, " " + b64(64)),                                         // white space
           sign_in(kId, std::string(84, 'A') + "_-A="),                         // URL-safe alphabet
           sign_in(kId, std::string(85, 'A') + "B=="),  // non-zero trailing bits
           sign_in(kId, std::string(88, '=')),
           std::string(R"({"source_id":")") + kId + R"(","signature":")" + b64(64) + R"(")",
       }) {
    EXPECT_FALSE(parse_sign_in_body(body)) << body;
  }
}

TEST(SourceApiJson, FollowUpBody) {
  auto body = parse_submission_body(R"({"items":[")" + b64(100) + R"(",")" + b64(0) + R"("]})");
  ASSERT_TRUE(body);
  ASSERT_EQ(body->items.size(), 2u);
  EXPECT_EQ(body->items[0], Bytes(100, 7));
  EXPECT_TRUE(body->items[1].empty());
  EXPECT_EQ(body->first_contact_state, SubmissionBody::FirstContact::kAbsent);
  // A first_contact that is not an object counts as absent (the route: 403
  // unless signed in), as before this parser existed.
  auto odd = parse_submission_body(R"({"items":[],"first_contact":"yes"})");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->first_contact_state, SubmissionBody::FirstContact::kAbsent);
}

TEST(SourceApiJson, FirstContactBody) {
  auto body = parse_submission_body(first_contact(good_fields(), R"([")" + b64(10) + R"("])"));
  ASSERT_TRUE(body);
  ASSERT_EQ(body->first_contact_state, SubmissionBody::FirstContact::kPresent);
  ASSERT_TRUE(body->first_contact);
  EXPECT_EQ(body->first_contact->reply_recipient, "age1xyz");
  EXPECT_EQ(body->first_contact->signing_key[0], 7);
  EXPECT_EQ(body->items.size(), 1u);
}

// The audit consent: true when ticked; false or absent, no consent; any
// other value makes the first contact malformed (the route's 400).
TEST(SourceApiJson, FirstContactAuditConsent) {
  auto absent = parse_submission_body(first_contact(good_fields()));
  ASSERT_TRUE(absent && absent->first_contact);
  EXPECT_FALSE(absent->first_contact->audit_consent);
  auto yes = parse_submission_body(first_contact(good_fields() + R"(,"audit_consent":true)"));
  ASSERT_TRUE(yes && yes->first_contact);
  EXPECT_TRUE(yes->first_contact->audit_consent);
  auto no = parse_submission_body(first_contact(good_fields() + R"(,"audit_consent":false)"));
  ASSERT_TRUE(no && no->first_contact);
  EXPECT_FALSE(no->first_contact->audit_consent);
  for (const std::string& value : {"\"yes\"", "1", "0", "null", "\"true\"", "[]", "{}"}) {
    auto body = parse_submission_body(first_contact(good_fields() + ",\"audit_consent\":" + value));
    ASSERT_TRUE(body) << value;
    EXPECT_EQ(body->first_contact_state, SubmissionBody::FirstContact::kMalformed) << value;
    EXPECT_FALSE(body->first_contact) << value;
  }
}

TEST(SourceApiJson, MalformedFirstContactIsNotAbsent) {
  const std::string sig = R"("signature":")" + b64(64) + R"(")";
  const std::string key = R"("signing_key":")" + b64(32) + R"(")";
  const std::string id = R"("source_id":")" + kId + R"(")";
  const std::string rec = R"("reply_recipient":"age1xyz")";
  for (const std::string& fields : {
           std::string(),
           id + "," + key + "," + sig,   // no reply_recipient
           rec + "," + key + "," + sig,  // no source_id
           id + "," + rec + "," + sig,   // no signing_key
           id + "," + rec + "," + key,   // no signature
           id + "," + R"("reply_recipient":7,)" + key + "," + sig,
           id + "," + rec + R"(,"signing_key":")" + b64(31) + R"(",)" + sig,
           id + "," + rec + "," + key + R"(,"signature":")" + b64(32) + R"(")",
           R"("source_id":"zz",)" + rec + "," + key + "," + sig,
       }) {
    auto body = parse_submission_body(first_contact(fields));
    ASSERT_TRUE(body) << fields;
    EXPECT_EQ(body->first_contact_state, SubmissionBody::FirstContact::kMalformed) << fields;
    EXPECT_FALSE(body->first_contact) << fields;
  }
}

TEST(SourceApiJson, MalformedSubmissionBodies) {
  std::string too_many = R"({"items":[)";
  for (std::size_t i = 0; i <= intake::kMaxSealedItems; ++i) {
    too_many += (i ? "," : "") + std::string(R"(")") + b64(1) + R"(")";
  }
  too_many += "]}";
  for (const std::string& body : {
           std::string(), std::string("[]"),
           std::string("{}"),                // no items
           std::string(R"({"items":"x"})"),  // not an array
           std::string(R"({"items":[1]})"),  // not strings
           std::string(R"({"items":[null]})"), std::string(R"({"items":["not base64!"]})"),
           std::string(R"({"items":["AB=="]})"),                                // non-canonical
           R"({"items":[")" + b64(intake::kMaxSealedItemBytes + 1) + R"("]})",  // too large
           too_many, first_contact(good_fields(), R"("x")"),  // good first contact, bad items
           std::string(R"({"items":[]})") + "x",              // trailing garbage
       }) {
    EXPECT_FALSE(parse_submission_body(body)) << body.substr(0, 200);
  }
  // At the limits exactly: accepted.
  std::string most = R"({"items":[)";
  for (std::size_t i = 0; i < intake::kMaxSealedItems; ++i) {
    most += (i ? "," : "") + std::string(R"(")") + b64(1) + R"(")";
  }
  EXPECT_TRUE(parse_submission_body(most + "]}"));
  EXPECT_TRUE(
      parse_submission_body(R"({"items":[")" + b64(intake::kMaxSealedItemBytes) + R"("]})"));
}

TEST(SourceApiJson, Base64IsCanonicalAndBounded) {
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 63u, 64u, 65u}) {
    const Bytes bytes(n, 0xA5);
    auto back = source_api_from_base64(source_api_to_base64(bytes), 64);
    if (n > 64) {
      EXPECT_FALSE(back) << n;
    } else {
      ASSERT_TRUE(back) << n;
      EXPECT_EQ(*back, bytes);
    }
  }
  EXPECT_FALSE(source_api_from_base64("AAA", 10));
  // Found by the fuzzer: libsodium 1.0.18 reads 0xFB as a base64 digit.
  EXPECT_FALSE(source_api_from_base64("AAAA\xfb\xfb\xfb\xfb", 10));
  EXPECT_FALSE(source_api_from_base64("AA\xfb=", 10));
  EXPECT_FALSE(parse_sign_in_body(
      sign_in(kId, b64(64).substr(0, 80) + "\xfb\xfb\xfb\xfb" + b64(64).substr(84))));
  EXPECT_FALSE(source_api_from_base64("AAAA\n", 10));
  // Padding only at the end, only as much as the length needs, over zero bits.
  EXPECT_EQ(*source_api_from_base64("QQ==", 10), Bytes{'A'});
  EXPECT_EQ(*source_api_from_base64("QUI=", 10), (Bytes{'A', 'B'}));
  EXPECT_EQ(*source_api_from_base64("QUJD", 10), (Bytes{'A', 'B', 'C'}));
  for (const char* bad : {"QR==", "QUJ=", "Q===", "====", "QQ=A", "Q=QQ", "QQ==QUJD",
                          "QUJD=", "QUJ", "QU JD", "QUJD\r\n", "-_-_", "QUJ\0"}) {
    EXPECT_FALSE(source_api_from_base64(bad, 10)) << bad;
  }
  EXPECT_FALSE(source_api_from_base64(std::string_view("QUJ\0", 4), 10));
  EXPECT_TRUE(source_api_from_base64("", 10));
  EXPECT_FALSE(source_api_from_base64("QUJD", 2));  // 3 bytes, at most 2 wanted
  // Every byte value round-trips, at every offset against the padding.
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  for (std::size_t skip = 0; skip < 3; ++skip) {
    const Bytes part(all.begin() + skip, all.end());
    EXPECT_EQ(source_api_from_base64(source_api_to_base64(part), 256), part) << skip;
  }
}

TEST(SourceApiJson, AttachBody) {
  const std::string a(32, 'a');
  const std::string b = "0123456789abcdef0123456789abcdef";
  auto one = parse_attach_body(R"({"uploads":[")" + a + R"("]})");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->upload_ids, std::vector<std::string>{a});
  EXPECT_EQ(one->language, "en");
  auto two =
      parse_attach_body(R"({"uploads":[")" + a + R"(",")" + b + R"("],"language":"fa","extra":1})");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->upload_ids, (std::vector<std::string>{a, b}));
  EXPECT_EQ(two->language, "fa");
  std::string most = R"({"uploads":[)";
  for (std::size_t i = 0; i < kMaxAttachUploads; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", i);
    most += (i ? ",\"" : "\"") + std::string(id) + "\"";
  }
  EXPECT_TRUE(parse_attach_body(most + "]}"));
  EXPECT_FALSE(parse_attach_body(most + R"(,"ffffffffffffffffffffffffffffffff"]})"));
}

TEST(SourceApiJson, MalformedAttachBodies) {
  const std::string a(32, 'a');
  for (const std::string& body : std::vector<std::string>{
           "", "null", "[]", "{}", R"({"uploads":[]})", R"({"uploads":"x"})", R"({"uploads":[1]})",
           R"({"uploads":[null]})",
           R"({"uploads":[")" + a + R"(",")" + a + R"("]})",          // the same upload twice
           R"({"uploads":[")" + std::string(32, 'A') + R"("]})",      // upper case
           R"({"uploads":[")" + std::string(31, 'a') + R"("]})",      // short
           R"({"uploads":[")" + std::string(33, 'a') + R"("]})",      // long
           R"({"uploads":[")" + std::string(31, 'a') + R"(g"]})",     // not hex
           R"({"uploads":["../../../../etc/passwd/aaaaaaaaaaaa"]})",  // a path
           R"({"uploads":[")" + a + R"("],"language":"de"})",
           R"({"uploads":[")" + a + R"("],"language":1})",
           R"({"uploads":[")" + a + R"("]})" + "x"}) {
    EXPECT_FALSE(parse_attach_body(body)) << body;
  }
}

}  // namespace
}  // namespace safehouse::http
