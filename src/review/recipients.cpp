// SPDX-License-Identifier: AGPL-3.0-or-later
// review/recipients.cpp: the recipient set in the database and the
// administrator's changes to it, each with its audit entry.
#include "review/recipients.h"

#include <algorithm>

#include "age/x25519.h"
#include "review/audit.h"
#include "store/account_records.h"
#include "store/write_batch.h"

namespace safehouse::review {
namespace {

// A recipient set's text, at most (a few hundred recipients).
constexpr std::size_t kMaxSetBytes = 64 * 1024;

std::string reviewer_label(std::string_view name) {
  return "reviewer " + std::string(name);
}

auto find_recipient(std::vector<RecipientEntry>& entries, std::string_view recipient) {
  return std::find_if(entries.begin(), entries.end(),
                      [&](const RecipientEntry& e) { return e.recipient == recipient; });
}

Result<void> refuse_last(const std::vector<RecipientEntry>& entries, std::string_view who) {
  if (entries.size() > 1) return {};
  return Error(ErrorCode::kConflict,
               "recipients: " + std::string(who) +
                   " is the last recipient; new submissions would be encrypted to no one "
                   "(add another recipient first)");
}

}  // namespace

Result<std::vector<RecipientEntry>> parse_recipient_entries(std::string_view text) {
  if (text.size() > kMaxSetBytes) return malformed("recipients: the set is too large");
  std::vector<RecipientEntry> entries;
  std::string label;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      label.clear();
      continue;
    }
    if (line.front() == '#') {
      line.remove_prefix(1);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      label = std::string(line);
      continue;
    }
    auto recipient = age::X25519Recipient::parse(line);
    if (!recipient) {
      return malformed("recipients: line " + std::to_string(line_number) +
                       ": not an age1... recipient");
    }
    if (find_recipient(entries, line) != entries.end()) {
      return malformed("recipients: line " + std::to_string(line_number) +
                       ": the recipient is listed twice");
    }
    entries.push_back({std::string(line), std::move(label)});
    label.clear();
  }
  if (entries.empty()) return malformed("recipients: no recipient in the set");
  return entries;
}

std::string format_recipient_entries(const std::vector<RecipientEntry>& entries) {
  std::string text = "# The recipient set: every new item is encrypted to all of these.\n";
  for (const RecipientEntry& entry : entries) {
    std::string label = entry.label;
    std::replace(label.begin(), label.end(), '\n', ' ');
    std::replace(label.begin(), label.end(), '\r', ' ');
    if (!label.empty()) text += "# " + label + "\n";
    text += entry.recipient + "\n";
  }
  return text;
}

Result<std::optional<std::vector<RecipientEntry>>> read_recipient_set(store::SqlSession& db) {
  auto row = SAFEHOUSE_TRY(
      db.query_one("SELECT value FROM settings WHERE key = ?", {kRecipientSetSetting}));
  if (!row) return std::optional<std::vector<RecipientEntry>>();
  const ByteSpan value = row->blob(0);
  auto entries = parse_recipient_entries(
      std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
  if (!entries)
    return entries.error().with_context("database setting " + std::string(kRecipientSetSetting));
  return std::optional<std::vector<RecipientEntry>>(std::move(*entries));
}

Result<void> write_recipient_set(store::SqlSession& db,
                                 const std::vector<RecipientEntry>& entries) {
  const std::string text = format_recipient_entries(entries);
  return db.exec(
      "INSERT INTO settings (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {kRecipientSetSetting, as_bytes(text)});
}

Result<void> drop_reviewer_recipient(store::SqlSession& db, const store::ReviewerRecord& reviewer,
                                     std::string_view actor, store::Day day) {
  auto set = SAFEHOUSE_TRY(read_recipient_set(db));
  if (!set) return {};
  auto found = find_recipient(*set, reviewer.recipient);
  if (found == set->end()) return {};
  SAFEHOUSE_TRY_VOID(refuse_last(*set, reviewer.name));
  set->erase(found);
  SAFEHOUSE_TRY_VOID(write_recipient_set(db, *set));
  return append_audit(
      db, {std::string(actor), "recipient-remove", 0, reviewer.name + " " + reviewer.recipient},
      day);
}

Result<void> replace_recipient(store::SqlSession& db, std::string_view reviewer_name,
                               std::string_view old_recipient, std::string_view new_recipient,
                               store::Day day) {
  auto set = SAFEHOUSE_TRY(read_recipient_set(db));
  if (!set || old_recipient == new_recipient) return {};
  auto found = find_recipient(*set, old_recipient);
  if (found == set->end()) return {};
  if (find_recipient(*set, new_recipient) != set->end()) {
    set->erase(found);
  } else {
    found->recipient = std::string(new_recipient);
    found->label = reviewer_label(reviewer_name);
  }
  SAFEHOUSE_TRY_VOID(write_recipient_set(db, *set));
  return append_audit(db,
                      {std::string(reviewer_name), "recipient-replace", 0,
                       std::string(old_recipient) + " -> " + std::string(new_recipient)},
                      day);
}

Result<std::vector<RecipientEntry>> RecipientSetAdmin::current(store::SqlSession& db) {
  auto set = SAFEHOUSE_TRY(read_recipient_set(db));
  if (set) return std::move(*set);
  return parse_recipient_entries(file_text_);
}

Result<std::vector<RecipientListing>> RecipientSetAdmin::list() {
  std::vector<RecipientListing> out;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    out.clear();
    const auto entries = SAFEHOUSE_TRY(current(db));
    const auto reviewers = SAFEHOUSE_TRY(store::list_reviewers(db));
    for (const RecipientEntry& entry : entries) {
      RecipientListing listing{entry, {}, false};
      for (const auto& r : reviewers) {
        if (r.recipient == entry.recipient) {
          listing.reviewer = r.name;
          listing.reviewer_active = r.active();
        }
      }
      out.push_back(std::move(listing));
    }
    return {};
  }));
  return out;
}

Result<std::vector<RecipientEntry>> RecipientSetAdmin::add(std::string_view who,
                                                           std::string_view label,
                                                           std::string_view actor, store::Day day) {
  std::vector<RecipientEntry> result;
  SAFEHOUSE_TRY_VOID(commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    result = SAFEHOUSE_TRY(current(db));
    RecipientEntry entry;
    std::string name;
    if (who.starts_with("age1")) {
      auto parsed = age::X25519Recipient::parse(who);
      if (!parsed) return invalid_argument("recipients add: not an age1... recipient");
      entry = {parsed->to_string(), std::string(label)};
      auto reviewer = SAFEHOUSE_TRY(store::list_reviewers(db));
      for (const auto& r : reviewer) {
        if (r.recipient == entry.recipient) {
          return invalid_argument("recipients add: " + entry.recipient + " is reviewer " + r.name +
                                  "'s key; add them by name");
        }
      }
    } else {
      auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, who));
      if (!reviewer) {
        return Error(ErrorCode::kNotFound,
                     "recipients add: no reviewer named " + std::string(who) +
                         " (see `safehouse reviewer list`; or give an age1... recipient)");
      }
      if (!reviewer->active()) {
        return Error(ErrorCode::kConflict,
                     "recipients add: reviewer " + reviewer->name + " was removed");
      }
      auto account = SAFEHOUSE_TRY(store::find_account(db, reviewer->reviewer_id));
      if (account && account->keys_replaceable) {
        return Error(ErrorCode::kConflict,
                     "recipients add: reviewer " + reviewer->name +
                         " has not enrolled yet: their browser makes their keys at enrolment "
                         "(add them once `safehouse reviewer list` shows them enrolled)");
      }
      name = reviewer->name;
      entry = {reviewer->recipient, label.empty() ? reviewer_label(name) : std::string(label)};
    }
    if (find_recipient(result, entry.recipient) != result.end()) {
      return Error(ErrorCode::kConflict,
                   "recipients add: " + (name.empty() ? entry.recipient : name) +
                       " is already in the recipient set");
    }
    result.push_back(entry);
    SAFEHOUSE_TRY_VOID(write_recipient_set(db, result));
    return append_audit(db,
                        {std::string(actor), "recipient-add", 0,
                         (name.empty() ? "key" : name) + " " + entry.recipient},
                        day);
  }));
  return result;
}

Result<std::vector<RecipientEntry>> RecipientSetAdmin::remove(std::string_view who,
                                                              std::string_view actor,
                                                              store::Day day) {
  std::vector<RecipientEntry> result;
  SAFEHOUSE_TRY_VOID(commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    result = SAFEHOUSE_TRY(current(db));
    std::string recipient(who);
    if (!who.starts_with("age1")) {
      auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, who));
      if (reviewer && find_recipient(result, reviewer->recipient) != result.end()) {
        recipient = reviewer->recipient;
      } else {
        // An entry known only by its label: "reviewer" (`safehouse init`).
        auto labelled = std::find_if(result.begin(), result.end(), [&](const RecipientEntry& e) {
          return e.label == who || e.label == reviewer_label(who);
        });
        if (labelled != result.end()) recipient = labelled->recipient;
      }
    }
    auto found = find_recipient(result, recipient);
    if (found == result.end()) {
      return Error(ErrorCode::kNotFound,
                   "recipients remove: " + std::string(who) + " is not in the recipient set");
    }
    SAFEHOUSE_TRY_VOID(refuse_last(result, who));
    result.erase(found);
    SAFEHOUSE_TRY_VOID(write_recipient_set(db, result));
    return append_audit(
        db, {std::string(actor), "recipient-remove", 0, std::string(who) + " " + recipient}, day);
  }));
  return result;
}

}  // namespace safehouse::review
