// SPDX-License-Identifier: AGPL-3.0-or-later
// review/bundle_text.cpp: the bundle's text formats (review/bundle.h): file
// names, the manifest and the case file, written and strictly parsed. Pure
// text: no descriptor, no store; review/bundle.cpp reads and writes the
// files.
#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

#include "review/bundle.h"

namespace safehouse::review {
namespace {

// v1: events and items only (what readers before assessments and copies
// know); v2 adds assessment and copy lines. A case without either is
// written as v1.
constexpr std::string_view kCaseFileHeader = "safehouse bundle case v1";
constexpr std::string_view kCaseFileHeaderV2 = "safehouse bundle case v2";
// Splits text into lines, each of which must end with '\n'.
Result<std::vector<std::string_view>> split_lines(std::string_view text, std::string_view what) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      return malformed(std::string(what) + ": line " + std::to_string(lines.size() + 1) +
                       " does not end with a newline");
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(' ', start);
    words.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return words;
    start = end + 1;
  }
}

// A canonical decimal: no sign, no leading zero, within [min, max].
std::optional<std::int64_t> parse_number(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return {};
  for (char c : text) {
    if (c < '0' || c > '9') return {};
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return {};
  }
  return value;
}

std::optional<store::Day> parse_day(std::string_view text) {
  if (text.size() != 8) return {};
  auto value = parse_number(text, 10000101, 99991231);
  if (!value) return {};
  const std::int64_t month = *value / 100 % 100;
  const std::int64_t day = *value % 100;
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  return static_cast<store::Day>(*value);
}

bool is_alias(std::string_view alias) {
  if (alias.empty() || alias.size() > 64) return false;
  return std::all_of(alias.begin(), alias.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}
}  // namespace

bool is_bundle_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxBundleNameBytes) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return ok(c) || c == '.' || c == '-'; });
}

std::string bundle_item_name(store::ItemId item_id) {
  return "item-" + std::to_string(item_id) + ".age";
}

std::string bundle_case_name(store::CaseId case_id) {
  return "case-" + std::to_string(case_id) + ".txt";
}

std::string bundle_assessment_name(store::CaseId case_id, std::int64_t version) {
  return "assessment-" + std::to_string(case_id) + "-" + std::to_string(version) + ".age";
}

std::string bundle_copy_name(std::int64_t copy_id) {
  return "copy-" + std::to_string(copy_id) + ".age";
}

std::string format_manifest(std::span<const ManifestEntry> entries) {
  std::string out;
  for (const auto& entry : entries) out += store::to_hex(entry.sha256) + "  " + entry.name + "\n";
  return out;
}

Result<std::vector<ManifestEntry>> parse_manifest(std::string_view text) {
  if (text.size() > kMaxManifestBytes) {
    return Error(ErrorCode::kTooLarge,
                 "manifest: larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  }
  const auto lines = SAFEHOUSE_TRY(split_lines(text, "manifest"));
  if (lines.empty()) return malformed("manifest: empty");
  std::vector<ManifestEntry> entries;
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string where = "manifest: line " + std::to_string(i + 1);
    const std::string_view line = lines[i];
    if (line.size() < 67 || line.substr(64, 2) != "  ") {
      return malformed(where + ": not \"<sha256 hex>  <name>\"");
    }
    auto digest = store::sha256_from_hex(line.substr(0, 64));
    if (!digest) return malformed(where + ": the SHA-256 is not 64 lower-case hex digits");
    const std::string_view name = line.substr(66);
    if (!is_bundle_file_name(name)) return malformed(where + ": not a bundle file name");
    if (name == kBundleManifestName) return malformed(where + ": lists the manifest itself");
    if (!names.insert(std::string(name)).second) {
      return malformed(where + ": " + std::string(name) + " is listed twice");
    }
    entries.push_back(ManifestEntry{std::string(name), *digest});
  }
  return entries;
}

bool BundleCase::operator==(const BundleCase& other) const {
  auto same_record = [](const store::CaseRecord& a, const store::CaseRecord& b) {
    return a.case_id == b.case_id && a.source_id == b.source_id && a.status == b.status &&
           a.created_day == b.created_day && a.last_event_day == b.last_event_day &&
           a.item_count == b.item_count;
  };
  auto same_event = [](const store::CaseEventRecord& a, const store::CaseEventRecord& b) {
    return a.case_id == b.case_id && a.event_number == b.event_number && a.day == b.day &&
           a.status == b.status;
  };
  auto same_item = [](const store::ItemRecord& a, const store::ItemRecord& b) {
    return a.item_id == b.item_id && a.case_id == b.case_id && a.direction == b.direction &&
           a.sha256 == b.sha256 && a.ciphertext_size == b.ciphertext_size && a.day == b.day;
  };
  auto same_copy = [](const store::PublicationCopyRecord& a,
                      const store::PublicationCopyRecord& b) {
    return a.copy_id == b.copy_id && a.case_id == b.case_id && a.item_id == b.item_id &&
           a.body == b.body && a.day == b.day;
  };
  return same_record(record, other.record) && alias == other.alias &&
         std::equal(events.begin(), events.end(), other.events.begin(), other.events.end(),
                    same_event) &&
         std::equal(items.begin(), items.end(), other.items.begin(), other.items.end(),
                    same_item) &&
         assessments == other.assessments &&
         std::equal(copies.begin(), copies.end(), other.copies.begin(), other.copies.end(),
                    same_copy);
}

std::string format_case_file(const BundleCase& c) {
  std::string out;
  const bool v2 = !c.assessments.empty() || !c.copies.empty();
  out += std::string(v2 ? kCaseFileHeaderV2 : kCaseFileHeader) + "\n";
  out += "case " + std::to_string(c.record.case_id) + "\n";
  out += "alias " + c.alias + "\n";
  out += "status " + std::string(store::status_name(c.record.status)) + "\n";
  out += "created " + std::to_string(c.record.created_day) + "\n";
  out += "last-event " + std::to_string(c.record.last_event_day) + "\n";
  for (const auto& event : c.events) {
    out += "event " + std::to_string(event.event_number) + " " + std::to_string(event.day) + " " +
           std::string(store::status_name(event.status)) + "\n";
  }
  for (const auto& item : c.items) {
    out += "item " + std::to_string(item.item_id) + " " +
           std::string(store::direction_name(item.direction)) + " " + std::to_string(item.day) +
           " " + store::to_hex(item.sha256) + " " + std::to_string(item.ciphertext_size) + "\n";
  }
  for (const auto& a : c.assessments) {
    out += "assessment " + std::to_string(a.version) + " " + std::to_string(a.day) + " " +
           std::string(1, a.reliability) + std::to_string(a.credibility) + " " +
           store::to_hex(a.sha256) + " " + std::to_string(a.size) + "\n";
  }
  for (const auto& copy : c.copies) {
    out += "copy " + std::to_string(copy.copy_id) + " " + std::to_string(copy.item_id) + " " +
           std::to_string(copy.day) + " " + store::to_hex(copy.body.sha256) + " " +
           std::to_string(copy.body.size) + "\n";
  }
  return out;
}

Result<BundleCase> parse_case_file(std::string_view text) {
  if (text.size() > kMaxCaseFileBytes) {
    return Error(ErrorCode::kTooLarge,
                 "case file: larger than " + std::to_string(kMaxCaseFileBytes) + " bytes");
  }
  const auto lines = SAFEHOUSE_TRY(split_lines(text, "case file"));
  std::size_t at = 0;
  auto bad = [&](std::string_view why) {
    return malformed("case file: line " + std::to_string(at + 1) + ": " + std::string(why));
  };
  // "KEY VALUE" with exactly one value word.
  auto field = [&](std::string_view key) -> std::optional<std::string_view> {
    if (at >= lines.size()) return {};
    const auto words = split_words(lines[at]);
    if (words.size() != 2 || words[0] != key) return {};
    return words[1];
  };
  if (lines.empty() || (lines[0] != kCaseFileHeader && lines[0] != kCaseFileHeaderV2)) {
    return malformed("case file: line 1: not \"" + std::string(kCaseFileHeader) + "\" or \"" +
                     std::string(kCaseFileHeaderV2) + "\"");
  }
  const bool v2 = lines[0] == kCaseFileHeaderV2;
  at = 1;
  BundleCase c;
  auto id = field("case");
  auto case_id = id ? parse_number(*id, 1, INT64_MAX) : std::nullopt;
  if (!case_id) return bad("want \"case <id>\"");
  c.record.case_id = *case_id;
  ++at;
  auto alias = field("alias");
  if (!alias || !is_alias(*alias)) return bad("want \"alias <a-z and ->\"");
  c.alias = std::string(*alias);
  ++at;
  auto status_word = field("status");
  auto status = store::status_from_name(status_word ? *status_word : std::string_view());
  if (!status_word || !status) return bad("want \"status <status word>\"");
  c.record.status = *status;
  ++at;
  auto created_word = field("created");
  auto created = created_word ? parse_day(*created_word) : std::nullopt;
  if (!created) return bad("want \"created <YYYYMMDD>\"");
  c.record.created_day = *created;
  ++at;
  auto last_word = field("last-event");
  auto last = last_word ? parse_day(*last_word) : std::nullopt;
  if (!last) return bad("want \"last-event <YYYYMMDD>\"");
  c.record.last_event_day = *last;
  ++at;
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words[0] != "event") break;
    if (words.size() != 4) return bad("want \"event <number> <YYYYMMDD> <status word>\"");
    store::CaseEventRecord event;
    event.case_id = c.record.case_id;
    auto number = parse_number(words[1], 1, INT64_MAX);
    auto day = parse_day(words[2]);
    auto event_status = store::status_from_name(words[3]);
    if (!number || !day || !event_status) {
      return bad("want \"event <number> <YYYYMMDD> <status word>\"");
    }
    if (*number != static_cast<std::int64_t>(c.events.size()) + 1) {
      return bad("events must be numbered 1, 2, … in order");
    }
    event.event_number = *number;
    event.day = *day;
    event.status = *event_status;
    c.events.push_back(event);
  }
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (v2 && (words[0] == "assessment" || words[0] == "copy")) break;
    if (words.size() != 6 || words[0] != "item") {
      return bad("want \"item <id> <source|reviewer> <YYYYMMDD> <sha256> <size>\"");
    }
    store::ItemRecord item;
    item.case_id = c.record.case_id;
    auto item_id = parse_number(words[1], 1, INT64_MAX);
    auto direction = store::direction_from_name(words[2]);
    auto day = parse_day(words[3]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    if (!item_id || !direction || !day || !digest || !size) {
      return bad("want \"item <id> <source|reviewer> <YYYYMMDD> <sha256> <size>\"");
    }
    if (!c.items.empty() && *item_id <= c.items.back().item_id) {
      return bad("items must be in ascending id order");
    }
    item.item_id = *item_id;
    item.direction = *direction;
    item.day = *day;
    item.sha256 = *digest;
    item.ciphertext_size = static_cast<std::uint64_t>(*size);
    c.items.push_back(item);
  }
  const char* want_assessment =
      "want \"assessment <version> <YYYYMMDD> <A-F><1-6> <sha256> <size>\"";
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words[0] == "copy") break;
    if (words.size() != 6 || words[0] != "assessment") return bad(want_assessment);
    auto version = parse_number(words[1], 1, INT64_MAX);
    auto day = parse_day(words[2]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    const std::string_view grade = words[3];
    if (!version || !day || !digest || !size || grade.size() != 2 || grade[0] < 'A' ||
        grade[0] > 'F' || grade[1] < '1' || grade[1] > '6') {
      return bad(want_assessment);
    }
    if (*version != static_cast<std::int64_t>(c.assessments.size()) + 1) {
      return bad("assessment versions must be numbered 1, 2, … in order");
    }
    c.assessments.push_back(
        {*version, *day, grade[0], grade[1] - '0', *digest, static_cast<std::uint64_t>(*size)});
  }
  const char* want_copy = "want \"copy <id> <item id> <YYYYMMDD> <sha256> <size>\"";
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words.size() != 6 || words[0] != "copy") return bad(want_copy);
    auto copy_id = parse_number(words[1], 1, INT64_MAX);
    auto item_id = parse_number(words[2], 1, INT64_MAX);
    auto day = parse_day(words[3]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    if (!copy_id || !item_id || !day || !digest || !size) return bad(want_copy);
    if (!c.copies.empty() && *copy_id <= c.copies.back().copy_id) {
      return bad("copies must be in ascending id order");
    }
    const bool of_this_case = std::any_of(
        c.items.begin(), c.items.end(), [&](const auto& item) { return item.item_id == *item_id; });
    if (!of_this_case) return bad("a copy of an item the case does not list");
    store::PublicationCopyRecord copy;
    copy.copy_id = *copy_id;
    copy.case_id = c.record.case_id;
    copy.item_id = *item_id;
    copy.day = *day;
    copy.body = {*digest, static_cast<std::uint64_t>(*size)};
    c.copies.push_back(copy);
  }
  // One spelling per case: v2 only when v1 cannot say it.
  if (v2 && c.assessments.empty() && c.copies.empty()) {
    return malformed("case file: line 1: v2, but it lists no assessment or copy (that is v1)");
  }
  c.record.item_count = static_cast<std::int64_t>(c.items.size());
  return c;
}

}  // namespace safehouse::review
