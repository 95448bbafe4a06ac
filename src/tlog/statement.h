// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/statement.h: a published statement (ARCHITECTURE.md §8): the text of
// a signed note binding figures to a checkpoint of the log.
//
//   safehouse/statement/v1
//   log <origin>
//   checkpoint <size> <base64 root>
//   period <first day> <last day>
//   threshold <t>
//   status <count> <status>        one line per status, in case_statuses() order
//   category <count> <category>    one line per category, in byte order
//
// A count below the threshold is published as "<t" (e.g. "<10"), so small
// groups cannot be singled out. An observer recomputes every count from the
// log and its openings and compares (compare_statement).
#ifndef SAFEHOUSE_TLOG_STATEMENT_H_
#define SAFEHOUSE_TLOG_STATEMENT_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

namespace safehouse::tlog {

inline constexpr std::uint64_t kDefaultThreshold = 10;

// A published count: exact, or only "below the threshold".
struct PublishedCount {
  std::uint64_t value = 0;  // the count; the threshold when below
  bool below = false;
  friend bool operator==(const PublishedCount&, const PublishedCount&) = default;
};

struct Statement {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::string first_day, last_day;  // YYYY-MM-DD, first <= last
  std::uint64_t threshold = kDefaultThreshold;
  std::vector<std::pair<std::string, PublishedCount>> statuses;    // case_statuses() order
  std::vector<std::pair<std::string, PublishedCount>> categories;  // byte order, unique
  friend bool operator==(const Statement&, const Statement&) = default;
};

using Counts = std::map<std::string, std::uint64_t, std::less<>>;

// Builds a statement from exact counts, hiding those below the threshold.
// Every status gets a line (0 if absent); categories with a count of 0 are
// left out. kInvalidArgument for an unknown status, a bad category or day.
Result<Statement> make_statement(const Checkpoint& checkpoint, std::string first_day,
                                 std::string last_day, std::uint64_t threshold,
                                 const Counts& statuses, const Counts& categories);

Result<std::string> format_statement(const Statement& statement);
// Strict: kMalformed naming the line; the text must format back identically.
Result<Statement> parse_statement(std::string_view text);

// Opens a signed statement: signed by the log key (witness or observer
// cosignatures, if known, are verified too).
struct OpenedStatement {
  Statement statement;
  OpenedNote note;
};
Result<OpenedStatement> open_statement(std::string_view note, const NoteVerifier& log_key,
                                       std::span<const NoteVerifier* const> others = {});

// Compares a statement with counts an observer recomputed. Returns one line
// per disagreement ("status triage: published 12, recomputed 13";
// "category police: published <10, recomputed 10"); empty if it matches.
std::vector<std::string> compare_statement(const Statement& statement, const Counts& statuses,
                                           const Counts& categories);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_STATEMENT_H_
