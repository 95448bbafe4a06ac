// SPDX-License-Identifier: AGPL-3.0-or-later
// review/audit_share.cpp: see audit_share.h.
#include "review/audit_share.h"

#include <charconv>

#include "age/age.h"
#include "age/x25519.h"
#include "review/bundle.h"
#include "store/log_records.h"
#include "tlog/case_entry.h"
#include "tlog/case_log.h"

namespace safehouse::review {
namespace {

constexpr std::string_view kShareHeader = "safehouse/share/v1";

std::optional<std::int64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) return {};
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return {};
  return value;
}

}  // namespace

std::string share_file_name(store::CaseId case_id) {
  return "share-" + std::to_string(case_id) + ".txt";
}

std::string format_share_file(const ShareFile& file) {
  std::string out(kShareHeader);
  out += "\ncase " + std::to_string(file.case_id) + "\nobserver " + file.observer + "\ncategory " +
         file.category + "\n";
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
  if (lines.empty() || lines[0] != kShareHeader) return bad(0, kShareHeader);
  if (lines.size() < 4) return bad(lines.size(), "category <category>");
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
  if (lines.size() > 4) return bad(4, "the end of the file");
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
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    const std::string category = SAFEHOUSE_TRY(store::case_category(db, case_id));
    share.category = category.empty() ? std::string(tlog::kUncategorised) : category;
    return {};
  }));
  BundleOptions options;
  const std::string text = format_share_file(share);
  options.extra_files.emplace_back(share_file_name(case_id), Bytes(text.begin(), text.end()));
  options.rewrite = [&](ByteSource& stored, ByteSink& out) -> Result<void> {
    return age::rewrap(identities, *recipient, stored, out);
  };
  const store::CaseId ids[] = {case_id};
  const ExportSummary exported = SAFEHOUSE_TRY(export_bundle(store, ids, path, options));
  ShareSummary summary;
  summary.items = exported.items;
  summary.assessments = exported.assessments;
  summary.copies = exported.copies;
  summary.bytes = exported.bytes;
  return summary;
}

}  // namespace safehouse::review
