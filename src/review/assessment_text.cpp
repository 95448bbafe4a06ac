// SPDX-License-Identifier: AGPL-3.0-or-later
// review/assessment_text.cpp: age → bounded JSON text → Boost.JSON → lines.
#include "review/assessment_text.h"

#include <boost/json.hpp>

#include "age/age.h"
#include "review/file_names.h"

namespace safehouse::review {
namespace {

namespace json = boost::json;

// A sink that refuses more than kMaxAssessmentRecordBytes.
class BoundedTextSink final : public ByteSink {
 public:
  explicit BoundedTextSink(std::string& out) : out_(out) {}
  Result<void> write(ByteSpan data) override {
    if (out_.size() + data.size() > kMaxAssessmentRecordBytes) {
      return Error(ErrorCode::kTooLarge, "assessment record: larger than " +
                                             std::to_string(kMaxAssessmentRecordBytes) + " bytes");
    }
    out_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  Result<void> finish() override { return {}; }

 private:
  std::string& out_;
};

Error bad(std::string_view why) {
  return malformed("assessment record: " + std::string(why));
}

// A string member, or "" when absent; kMalformed when of another type.
Result<std::string> string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return bad(std::string(key) + " is not a string");
  return std::string(v->as_string());
}

Result<std::string> describe_checks(const json::object& record) {
  const json::value* checks = record.if_contains("checks");
  if (checks == nullptr) return std::string("none recorded");
  if (!checks->is_object()) return bad("checks is not an object");
  std::string out;
  for (const char* name : {"source", "technical", "content"}) {
    const json::value* check = checks->as_object().if_contains(name);
    if (check == nullptr) continue;
    if (!check->is_object()) return bad(std::string("checks.") + name + " is not an object");
    const json::value* done = check->as_object().if_contains("done");
    if (done == nullptr || !done->is_bool()) return bad(std::string("checks.") + name + ".done");
    if (!done->as_bool()) continue;
    if (!out.empty()) out += ", ";
    out += name;
    const json::value* evidence = check->as_object().if_contains("evidence");
    if (evidence == nullptr) continue;
    if (!evidence->is_array()) return bad(std::string("checks.") + name + ".evidence");
    std::string digests;
    for (const json::value& e : evidence->as_array()) {
      if (!e.is_string()) return bad(std::string("checks.") + name + ".evidence");
      if (!digests.empty()) digests += " ";
      digests += printable_text(std::string_view(e.as_string()));
    }
    if (!digests.empty()) out += " (evidence " + digests + ")";
  }
  return out.empty() ? std::string("none done") : out;
}

}  // namespace

Result<std::string> open_assessment_record(ByteSource& sealed,
                                           std::span<const age::Identity* const> identities) {
  std::string text;
  BoundedTextSink sink(text);
  SAFEHOUSE_TRY_VOID(age::decrypt(identities, sealed, sink));
  return text;
}

Result<std::string> describe_assessment_record(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return bad("not JSON (" + ec.message() + ")");
  if (!value.is_object()) return bad("not a JSON object");
  const json::object& record = value.as_object();
  const std::string reviewer = SAFEHOUSE_TRY(string_member(record, "reviewer"));
  const std::string category = SAFEHOUSE_TRY(string_member(record, "category"));
  const std::string notes = SAFEHOUSE_TRY(string_member(record, "notes"));
  const std::string checks = SAFEHOUSE_TRY(describe_checks(record));
  std::string out;
  if (!reviewer.empty()) out += "reviewer: " + printable_text(reviewer) + "\n";
  out +=
      "category: " + (category.empty() ? std::string("(none)") : printable_text(category)) + "\n";
  out += "checks: " + checks + "\n";
  out += "notes: " + (notes.empty() ? std::string("(none)") : printable_text(notes)) + "\n";
  return out;
}

}  // namespace safehouse::review
