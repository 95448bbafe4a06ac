// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/assessment_text_test.cpp: an assessment record for the
// command line (review/assessment_text.h): decrypted from age, described
// field by field with terminal controls neutralised; JSON that is not such
// a record, and a record too large, are refused naming what is wrong.
#include "review/assessment_text.h"

#include <gtest/gtest.h>

#include <string>

#include "age/age.h"
#include "age/x25519.h"

namespace safehouse::review {
namespace {

TEST(AssessmentText, DescribesTheWorkspacesRecord) {
  const std::string record =
      R"({"version":1,"case":3,"reviewer":"alice","reliability":"B","credibility":"2",)"
      R"("category":"police","checks":{"source":{"done":true,"evidence":["ab12","cd34"]},)"
      R"("technical":{"done":false,"evidence":["ef56"]},"content":{"done":true,"evidence":[]}},)"
      R"("notes":"met twice \u001b[31m"})";
  auto text = describe_assessment_record(record);
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text,
            "reviewer: alice\ncategory: police\nchecks: source (evidence ab12 cd34), content\n"
            "notes: met twice \xEF\xBF\xBD[31m\n");
  auto empty = describe_assessment_record(R"({"checks":{}})");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "category: (none)\nchecks: none done\nnotes: (none)\n");
}

TEST(AssessmentText, MalformedRecordsAreRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"notes":5})", "notes is not a string"},
      {R"({"checks":[]})", "checks is not an object"},
      {R"({"checks":{"source":true}})", "checks.source is not an object"},
      {R"({"checks":{"source":{"done":"yes"}}})", "checks.source.done"},
      {R"({"checks":{"content":{"done":true,"evidence":[1]}}})", "checks.content.evidence"},
      {R"({"category":{"x":1}})", "category is not a string"},
  };
  for (const auto& [json, why] : cases) {
    auto text = describe_assessment_record(json);
    ASSERT_FALSE(text) << json;
    EXPECT_EQ(text.error().code(), ErrorCode::kMalformed) << json;
    EXPECT_NE(text.error().message().find(why), std::string::npos)
        << text.error().message() << " lacks " << why;
  }
}

TEST(AssessmentText, OpensOnlyWithAMatchingIdentityAndWithinTheLimit) {
  const auto identity = age::X25519Identity::generate();
  const auto recipient = identity.recipient();
  auto seal = [&](const std::string& plaintext) {
    Bytes out;
    VectorSink sink(out);
    const age::Recipient* r = &recipient;
    auto encryptor = age::encrypt(std::span(&r, 1), sink).value();
    EXPECT_TRUE(encryptor->write(as_bytes(plaintext)));
    EXPECT_TRUE(encryptor->finish());
    return out;
  };
  const Bytes sealed = seal(R"({"notes":"n"})");
  const age::Identity* ours = &identity;
  SpanSource in(sealed);
  auto opened = open_assessment_record(in, std::span(&ours, 1));
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(*opened, R"({"notes":"n"})");
  const auto other = age::X25519Identity::generate();
  const age::Identity* theirs = &other;
  SpanSource again(sealed);
  auto refused = open_assessment_record(again, std::span(&theirs, 1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kNoMatch);
  const Bytes huge = seal(std::string(kMaxAssessmentRecordBytes + 1, ' '));
  SpanSource big(huge);
  auto too_large = open_assessment_record(big, std::span(&ours, 1));
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code(), ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace safehouse::review
