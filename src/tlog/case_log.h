// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/case_log.h: what the organisation and an observer both compute from
// the case events in the log (docs/tlog.md, "Case events in the log"):
//   - a statement's period, from the spellings `--period` accepts;
//   - the figures of a period: every case with an event whose day is in
//     the period, counted once, by the status — and the category — of its
//     last event in the period (the highest event number);
//   - the openings file sealed to an observer:
//       safehouse/openings/v2
//       log <origin>
//       size <log size the file was made at>
//       <opening>…     each the 6 lines of a version-2 opening (case_entry.h),
//                      with the case's audit consent
//     Version 1 (openings of 5 lines, no consent) is still read: its cases
//     count as not consenting.
#ifndef SAFEHOUSE_TLOG_CASE_LOG_H_
#define SAFEHOUSE_TLOG_CASE_LOG_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "tlog/case_entry.h"
#include "tlog/statement.h"

namespace safehouse::tlog {

// The category of a case no reviewer has filed yet, as its entries commit to.
inline constexpr std::string_view kUncategorised = "uncategorised";

struct Period {
  std::string first_day, last_day;  // YYYY-MM-DD, first <= last
  friend bool operator==(const Period&, const Period&) = default;
};
// "2026" (a year), "2026-11" (a month), "2026-Q4" (a quarter),
// "2026-11-05" (a day) or "2026-01-01..2026-03-31"; kInvalidArgument
// otherwise.
Result<Period> parse_period(std::string_view text);

// One case event as the figures see it; `category` is empty when unknown
// (an observer without the opening).
struct CountedEvent {
  std::string case_id;
  std::uint64_t event = 0;
  std::string day;
  std::string status;
  std::string category;
};
struct PeriodCounts {
  Counts statuses;
  Counts categories;
  std::uint64_t cases = 0;
  std::uint64_t unknown_categories = 0;  // cases counted whose category is unknown
};
PeriodCounts count_period(std::span<const CountedEvent> events, const Period& period);

struct OpeningsFile {
  unsigned version = kOpeningVersion;  // 1 or 2, of the file and its openings
  std::string origin;
  std::uint64_t size = 0;
  std::vector<CategoryOpening> openings;
};
inline constexpr std::size_t kMaxOpeningsFileBytes = std::size_t{1} << 30;
Result<std::string> format_openings_file(const OpeningsFile& file);
// Strict: kMalformed naming the line; the text formats back identically.
// Reads version 1 and 2 (`version` says which).
Result<OpeningsFile> parse_openings_file(std::string_view text);
// The distinct case ids whose openings say the source consented to a
// sampled audit, ascending as numbers.
std::vector<std::string> consented_cases(const OpeningsFile& file);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_CASE_LOG_H_
