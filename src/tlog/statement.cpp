// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/statement.cpp: see statement.h. Parsing re-formats and compares, so a
// statement has one spelling.
#include "tlog/statement.h"

#include <algorithm>

#include "tlog/case_entry.h"
#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

constexpr std::string_view kHeader = "safehouse/statement/v1";

PublishedCount publish(std::uint64_t count, std::uint64_t threshold) {
  return count < threshold ? PublishedCount{threshold, true} : PublishedCount{count, false};
}

std::string count_text(const PublishedCount& count) {
  return (count.below ? "<" : "") + std::to_string(count.value);
}

std::optional<PublishedCount> parse_count(std::string_view text) {
  const bool below = text.starts_with('<');
  if (below) text.remove_prefix(1);
  const auto value = parse_decimal(text);
  if (!value) return std::nullopt;
  return PublishedCount{*value, below};
}

Result<void> check(const Statement& s) {
  if (s.origin.empty() || s.origin.find_first_of("\n ") != std::string::npos) {
    return invalid_argument("statement: origin is empty or holds a space or newline");
  }
  if (!is_valid_day(s.first_day) || !is_valid_day(s.last_day) || s.first_day > s.last_day) {
    return invalid_argument("statement: period is not two days YYYY-MM-DD in order");
  }
  if (s.threshold == 0) return invalid_argument("statement: threshold is 0");
  const auto statuses = case_statuses();
  if (s.statuses.size() != statuses.size()) {
    return invalid_argument("statement: needs one line for each of the " +
                            std::to_string(statuses.size()) + " statuses");
  }
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (s.statuses[i].first != statuses[i]) {
      return invalid_argument("statement: status line " + std::to_string(i + 1) + " is not " +
                              std::string(statuses[i]));
    }
  }
  for (std::size_t i = 0; i < s.categories.size(); ++i) {
    if (auto ok = check_category(s.categories[i].first); !ok) {
      return invalid_argument("statement: " + ok.error().message());
    }
    if (i > 0 && s.categories[i - 1].first >= s.categories[i].first) {
      return invalid_argument("statement: categories are not unique and in byte order");
    }
  }
  const auto all = {std::span(s.statuses), std::span(s.categories)};
  for (const auto& list : all) {
    for (const auto& [name, count] : list) {
      if (count.below ? count.value != s.threshold : count.value < s.threshold) {
        return invalid_argument("statement: count of " + name +
                                " breaks the threshold (exact counts are >= it; others are <it)");
      }
    }
  }
  return {};
}

}  // namespace

Result<Statement> make_statement(const Checkpoint& checkpoint, std::string first_day,
                                 std::string last_day, std::uint64_t threshold,
                                 const Counts& statuses, const Counts& categories) {
  Statement s{checkpoint.origin,
              checkpoint.size,
              checkpoint.root,
              std::move(first_day),
              std::move(last_day),
              threshold,
              {},
              {}};
  for (const auto& [name, count] : statuses) {
    if (!is_case_status(name)) return invalid_argument("statement: unknown status " + name);
  }
  for (const auto status : case_statuses()) {
    const auto it = statuses.find(status);
    s.statuses.emplace_back(std::string(status),
                            publish(it == statuses.end() ? 0 : it->second, threshold));
  }
  for (const auto& [name, count] : categories) {  // std::map: byte order
    if (count > 0) s.categories.emplace_back(name, publish(count, threshold));
  }
  SAFEHOUSE_TRY_VOID(check(s));
  return s;
}

Result<std::string> format_statement(const Statement& s) {
  SAFEHOUSE_TRY_VOID(check(s));
  std::string text = std::string(kHeader) + "\nlog " + s.origin + "\ncheckpoint " +
                     std::to_string(s.size) + " " + base64_encode(s.root) + "\nperiod " +
                     s.first_day + " " + s.last_day + "\nthreshold " + std::to_string(s.threshold) +
                     "\n";
  for (const auto& [name, count] : s.statuses) {
    text += "status " + count_text(count) + " " + name + "\n";
  }
  for (const auto& [name, count] : s.categories) {
    text += "category " + count_text(count) + " " + name + "\n";
  }
  return text;
}

Result<Statement> parse_statement(std::string_view text) {
  if (text.empty() || text.back() != '\n') return malformed("statement: does not end in a newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const auto end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 5 || lines[0] != kHeader) {
    return malformed("statement: does not start with " + std::string(kHeader));
  }
  // "key a b" → {a, b}: exactly `parts` space-separated values after `key `.
  const auto values = [](std::string_view line, std::string_view key,
                         std::size_t parts) -> std::optional<std::vector<std::string_view>> {
    if (!line.starts_with(key) || line.substr(key.size(), 1) != " ") return std::nullopt;
    line.remove_prefix(key.size() + 1);
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i + 1 < parts; ++i) {
      const auto space = line.find(' ');
      if (space == std::string_view::npos) return std::nullopt;
      out.push_back(line.substr(0, space));
      line.remove_prefix(space + 1);
    }
    out.push_back(line);
    return out;
  };
  Statement s;
  const auto log = values(lines[1], "log", 1);
  if (!log) return malformed("statement: line 2 is not \"log <origin>\"");
  s.origin = std::string((*log)[0]);
  const auto cp = values(lines[2], "checkpoint", 2);
  const auto size = cp ? parse_decimal((*cp)[0]) : std::nullopt;
  const auto root = cp ? base64_decode((*cp)[1]) : std::nullopt;
  if (!size || !root || root->size() != kHashSize) {
    return malformed("statement: line 3 is not \"checkpoint <size> <base64 root>\"");
  }
  s.size = *size;
  std::copy(root->begin(), root->end(), s.root.begin());
  const auto period = values(lines[3], "period", 2);
  if (!period) return malformed("statement: line 4 is not \"period <first day> <last day>\"");
  s.first_day = std::string((*period)[0]);
  s.last_day = std::string((*period)[1]);
  const auto threshold = values(lines[4], "threshold", 1);
  const auto t = threshold ? parse_decimal((*threshold)[0]) : std::nullopt;
  if (!t) return malformed("statement: line 5 is not \"threshold <count>\"");
  s.threshold = *t;
  for (std::size_t i = 5; i < lines.size(); ++i) {
    const bool is_status = lines[i].starts_with("status ");
    const auto parts = values(lines[i], is_status ? "status" : "category", 2);
    const auto count = parts ? parse_count((*parts)[0]) : std::nullopt;
    if (!count) {
      return malformed("statement: line " + std::to_string(i + 1) +
                       " is not \"status|category <count> <name>\"");
    }
    auto& list = is_status ? s.statuses : s.categories;
    if (is_status && !s.categories.empty()) {
      return malformed("statement: status line " + std::to_string(i + 1) + " after categories");
    }
    list.emplace_back(std::string((*parts)[1]), *count);
  }
  if (auto ok = check(s); !ok) return malformed(ok.error().message());
  if (format_statement(s).value() != text) return malformed("statement: not in canonical form");
  return s;
}

Result<OpenedStatement> open_statement(std::string_view note, const NoteVerifier& log_key,
                                       std::span<const NoteVerifier* const> others) {
  std::vector<const NoteVerifier*> known{&log_key};
  known.insert(known.end(), others.begin(), others.end());
  auto opened = open_note(note, known);
  if (!opened) return opened.error().with_context("statement");
  const bool log_signed = std::any_of(opened->verified.begin(), opened->verified.end(),
                                      [&](const auto& v) { return v.verifier == &log_key; });
  if (!log_signed) {
    return Error(ErrorCode::kNoMatch, "statement: not signed by the log key " + log_key.name());
  }
  Statement statement = SAFEHOUSE_TRY(parse_statement(opened->text));
  return OpenedStatement{std::move(statement), std::move(*opened)};
}

std::vector<std::string> compare_statement(const Statement& statement, const Counts& statuses,
                                           const Counts& categories) {
  std::vector<std::string> mismatches;
  const auto compare = [&](std::string_view kind, const auto& published, const Counts& actual) {
    Counts seen;
    for (const auto& [name, count] : published) {
      const auto it = actual.find(name);
      const std::uint64_t real = it == actual.end() ? 0 : it->second;
      seen[name] = real;
      if (publish(real, statement.threshold) != count) {
        mismatches.push_back(std::string(kind) + " " + name + ": published " + count_text(count) +
                             ", recomputed " + std::to_string(real));
      }
    }
    for (const auto& [name, count] : actual) {
      if (count > 0 && !seen.contains(name)) {
        mismatches.push_back(std::string(kind) + " " + name + ": not published, recomputed " +
                             std::to_string(count));
      }
    }
  };
  compare("status", statement.statuses, statuses);
  compare("category", statement.categories, categories);
  return mismatches;
}

}  // namespace safehouse::tlog
