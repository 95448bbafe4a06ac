// SPDX-License-Identifier: AGPL-3.0-or-later
// review/audit_share.cpp: see audit_share.h.
#include "review/audit_share.h"

#include <charconv>

#include "age/age.h"
#include "age/x25519.h"
#include "review/bundle.h"
#include "store/staff_records.h"
#include "tlog/case_entry.h"
#include "tlog/case_log.h"

namespace safehouse::review {
namespace {

constexpr std::string_view kShareHeader = "safehouse/share/v1";

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> words;
  for (;;) {
    const std::size_t space = line.find(' ');
    words.push_back(line.substr(0, space));
    if (space == std::string_view::npos) return words;
    line.remove_prefix(space + 1);
  }
}

std::optional<std::int64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) return {};
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return {};
  return value;
}

bool is_grade(std::string_view grade) {
  return grade.size() == 2 && grade[0] >= 'A' && grade[0] <= 'F' && grade[1] >= '1' &&
         grade[1] <= '6';
}

}  // namespace

std::string share_file_name(store::CaseId case_id) {
  return "share-" + std::to_string(case_id) + ".txt";
}

std::string assessment_file_name(store::CaseId case_id, std::int64_t version) {
  return "assessment-" + std::to_string(case_id) + "-" + std::to_string(version) + ".age";
}

std::string format_share_file(const ShareFile& file) {
  std::string out(kShareHeader);
  out += "\ncase " + std::to_string(file.case_id) + "\nobserver " + file.observer + "\ncategory " +
         file.category + "\n";
  for (const ShareAssessment& a : file.assessments) {
    out += "assessment " + std::to_string(a.version) + " " + std::to_string(a.day) + " " + a.grade +
           " " + a.file + "\n";
  }
  return out;
}

Result<ShareFile> parse_share_file(std::string_view text) {
  if (text.size() > kMaxShareFileBytes) return Error(ErrorCode::kTooLarge, "share file: too large");
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      return malformed("share file: line " + std::to_string(lines.size() + 1) +
                       " does not end with a newline");
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  auto bad = [](std::size_t line, std::string_view want) {
    return malformed("share file: line " + std::to_string(line + 1) + ": want \"" +
                     std::string(want) + "\"");
  };
  if (lines.size() < 4 || lines[0] != kShareHeader) {
    return lines.empty() || lines[0] != kShareHeader ? bad(0, kShareHeader)
                                                     : bad(lines.size(), "category <category>");
  }
  ShareFile file;
  auto value = [&](std::size_t at, std::string_view key) -> std::optional<std::string_view> {
    if (!lines[at].starts_with(key) || lines[at].substr(key.size(), 1) != " ") return {};
    return lines[at].substr(key.size() + 1);
  };
  auto id = value(1, "case");
  auto case_id = id ? number(*id) : std::nullopt;
  if (!case_id) return bad(1, "case <id>");
  file.case_id = *case_id;
  auto observer = value(2, "observer");
  if (!observer || observer->empty() || observer->find(' ') != std::string_view::npos) {
    return bad(2, "observer <name>");
  }
  file.observer = std::string(*observer);
  auto category = value(3, "category");
  if (!category || !tlog::check_category(*category)) return bad(3, "category <category>");
  file.category = std::string(*category);
  for (std::size_t at = 4; at < lines.size(); ++at) {
    const auto words = split(lines[at]);
    constexpr std::string_view kWant = "assessment <version> <YYYYMMDD> <grade> <file>";
    if (words.size() != 5 || words[0] != "assessment") return bad(at, kWant);
    auto version = number(words[1]);
    auto day = number(words[2]);
    if (!version || !day || !store::is_valid_day(static_cast<store::Day>(*day)) ||
        !is_grade(words[3]) || words[4] != assessment_file_name(file.case_id, *version) ||
        (!file.assessments.empty() && *version <= file.assessments.back().version)) {
      return bad(at, kWant);
    }
    file.assessments.push_back(ShareAssessment{*version, static_cast<store::Day>(*day),
                                               std::string(words[3]), std::string(words[4])});
  }
  return file;
}

Result<store::ObserverRecord> find_observer(store::Store& store, std::string_view name) {
  std::vector<store::ObserverRecord> observers;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    observers = SAFEHOUSE_TRY(store::list_observers(db));
    return {};
  }));
  for (store::ObserverRecord& observer : observers) {
    if (observer.name == name) return std::move(observer);
  }
  return Error(ErrorCode::kNotFound, "no accredited observer is named " + std::string(name) +
                                         " (see `safehouse observer list`)");
}

Result<store::CaseRecord> shareable_case(store::Store& store, store::CaseId case_id) {
  auto record = store.get_case(case_id);
  if (!record) return record.error().with_context("case " + std::to_string(case_id));
  if (!record->audit_consent) {
    return Error(ErrorCode::kConflict,
                 "case " + std::to_string(case_id) +
                     ": its source did not consent to an audit at first contact; it cannot be "
                     "shared with an observer");
  }
  return record;
}

Result<ShareSummary> share_case(store::Store& store, store::CaseId case_id,
                                std::span<const age::Identity* const> identities,
                                const store::ObserverRecord& observer,
                                const std::filesystem::path& path) {
  SAFEHOUSE_TRY(shareable_case(store, case_id));
  auto recipient = age::X25519Recipient::parse(observer.recipient);
  if (!recipient) return recipient.error().with_context("observer " + observer.name);

  ShareFile share;
  share.case_id = case_id;
  share.observer = observer.name;
  std::vector<store::AssessmentRecord> assessments;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    const std::string category = SAFEHOUSE_TRY(store::case_category(db, case_id));
    share.category = category.empty() ? std::string(tlog::kUncategorised) : category;
    assessments = SAFEHOUSE_TRY(store::list_assessments(db, case_id));
    return {};
  }));

  // The sealed assessments are small: rewrapped in memory, before anything
  // is written, so that one the reviewer cannot open leaves nothing behind.
  BundleOptions options;
  ShareSummary summary;
  for (const store::AssessmentRecord& a : assessments) {
    Bytes rewrapped;
    VectorSink out(rewrapped);
    SpanSource in(a.sealed);
    auto done = age::rewrap(identities, *recipient, in, out);
    if (!done) return done.error().with_context("share: assessment " + std::to_string(a.version));
    const std::string name = assessment_file_name(case_id, a.version);
    share.assessments.push_back(ShareAssessment{
        a.version, a.day, std::string(1, a.reliability) + std::to_string(a.credibility), name});
    options.extra_files.emplace_back(name, std::move(rewrapped));
    ++summary.assessments;
  }
  const std::string text = format_share_file(share);
  options.extra_files.emplace_back(share_file_name(case_id), Bytes(text.begin(), text.end()));
  options.rewrite_item = [&](const store::ItemRecord&, ByteSource& stored,
                             ByteSink& out) -> Result<void> {
    return age::rewrap(identities, *recipient, stored, out);
  };
  const store::CaseId ids[] = {case_id};
  const ExportSummary exported = SAFEHOUSE_TRY(export_bundle(store, ids, path, options));
  summary.items = exported.items;
  summary.bytes = exported.bytes;
  return summary;
}

}  // namespace safehouse::review
