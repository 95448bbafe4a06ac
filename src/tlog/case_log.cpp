// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/case_log.cpp: see case_log.h.
#include "tlog/case_log.h"

#include <algorithm>
#include <map>

#include "tlog/encoding.h"

namespace safehouse::tlog {
namespace {

constexpr std::string_view kOpeningsHeaderV1 = "safehouse/openings/v1\n";
constexpr std::string_view kOpeningsHeaderV2 = "safehouse/openings/v2\n";
// Lines of one opening, by version (case_entry.h).
constexpr std::size_t opening_lines(unsigned version) {
  return version == 1 ? 5 : 6;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string two(unsigned value) {
  return std::string(1, static_cast<char>('0' + value / 10)) + static_cast<char>('0' + value % 10);
}

unsigned month_days(unsigned year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Error bad_period(std::string_view text) {
  return invalid_argument("period: \"" + std::string(text) +
                          "\" is not YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or FIRST..LAST");
}

}  // namespace

Result<Period> parse_period(std::string_view text) {
  if (const auto dots = text.find(".."); dots != std::string_view::npos) {
    Period period{std::string(text.substr(0, dots)), std::string(text.substr(dots + 2))};
    if (!is_valid_day(period.first_day) || !is_valid_day(period.last_day)) {
      return bad_period(text);
    }
    if (period.first_day > period.last_day) {
      return invalid_argument("period: " + period.first_day + " is after " + period.last_day);
    }
    return period;
  }
  if (text.size() < 4 || !all_digits(text.substr(0, 4))) return bad_period(text);
  const std::string year(text.substr(0, 4));
  const unsigned year_value = static_cast<unsigned>(std::stoul(year));
  if (year_value < 1) return bad_period(text);
  const std::string_view rest = text.substr(4);
  if (rest.empty()) return Period{year + "-01-01", year + "-12-31"};
  if (rest.size() == 3 && rest[0] == '-' && rest[1] == 'Q' && rest[2] >= '1' && rest[2] <= '4') {
    const unsigned first_month = static_cast<unsigned>(rest[2] - '1') * 3 + 1;
    const unsigned last_month = first_month + 2;
    return Period{year + "-" + two(first_month) + "-01",
                  year + "-" + two(last_month) + "-" + two(month_days(year_value, last_month))};
  }
  if (rest.size() == 3 && rest[0] == '-' && all_digits(rest.substr(1))) {
    const unsigned month = static_cast<unsigned>((rest[1] - '0') * 10 + (rest[2] - '0'));
    if (month < 1 || month > 12) return bad_period(text);
    return Period{year + "-" + two(month) + "-01",
                  year + "-" + two(month) + "-" + two(month_days(year_value, month))};
  }
  if (is_valid_day(text)) return Period{std::string(text), std::string(text)};
  return bad_period(text);
}

PeriodCounts count_period(std::span<const CountedEvent> events, const Period& period) {
  // Each case's last event in the period.
  std::map<std::string, const CountedEvent*, std::less<>> last;
  for (const CountedEvent& event : events) {
    if (event.day < period.first_day || event.day > period.last_day) continue;
    auto [at, inserted] = last.try_emplace(event.case_id, &event);
    if (!inserted && at->second->event < event.event) at->second = &event;
  }
  PeriodCounts counts;
  for (const auto& [id, event] : last) {
    ++counts.cases;
    ++counts.statuses[event->status];
    if (event->category.empty()) {
      ++counts.unknown_categories;
    } else {
      ++counts.categories[event->category];
    }
  }
  return counts;
}

Result<std::string> format_openings_file(const OpeningsFile& file) {
  SAFEHOUSE_TRY_VOID(check_note_text(file.origin + "\n"));
  if (file.origin.empty() || file.origin.find('\n') != std::string::npos) {
    return invalid_argument("openings: bad origin");
  }
  if (file.version != 1 && file.version != 2) return invalid_argument("openings: no such version");
  std::string text(file.version == 1 ? kOpeningsHeaderV1 : kOpeningsHeaderV2);
  text += "log " + file.origin + "\n";
  text += "size " + std::to_string(file.size) + "\n";
  for (const CategoryOpening& opening : file.openings) {
    text += SAFEHOUSE_TRY(encode_opening(opening, file.version));
  }
  return text;
}

Result<OpeningsFile> parse_openings_file(std::string_view text) {
  if (text.size() > kMaxOpeningsFileBytes) {
    return Error(ErrorCode::kTooLarge,
                 "openings: larger than " + std::to_string(kMaxOpeningsFileBytes) + " bytes");
  }
  OpeningsFile file;
  if (text.starts_with(kOpeningsHeaderV2)) {
    file.version = 2;
  } else if (text.starts_with(kOpeningsHeaderV1)) {
    file.version = 1;
  } else {
    return malformed("openings: does not start with safehouse/openings/v2 (or v1)");
  }
  std::string_view rest = text.substr(kOpeningsHeaderV2.size());  // both are as long
  auto line = [&rest](std::string_view key) -> Result<std::string_view> {
    const auto end = rest.find('\n');
    if (end == std::string_view::npos || !rest.starts_with(key) ||
        rest.substr(key.size(), 1) != " ") {
      return malformed("openings: expected line \"" + std::string(key) + " ...\"");
    }
    const std::string_view value = rest.substr(key.size() + 1, end - key.size() - 1);
    rest.remove_prefix(end + 1);
    return value;
  };
  file.origin = std::string(SAFEHOUSE_TRY(line("log")));
  if (file.origin.empty() || !check_note_text(file.origin + "\n")) {
    return malformed("openings: the log's origin is not one line of text");
  }
  const auto size = parse_decimal(SAFEHOUSE_TRY(line("size")));
  if (!size) return malformed("openings: size is not a decimal");
  file.size = *size;
  while (!rest.empty()) {
    // An opening is exactly its header and the lines of its version.
    std::size_t end = 0;
    for (std::size_t i = 0; i < opening_lines(file.version); ++i) {
      end = rest.find('\n', end);
      if (end == std::string_view::npos) {
        return malformed("openings: opening " + std::to_string(file.openings.size() + 1) +
                         " is cut short");
      }
      ++end;
    }
    unsigned version = 0;
    auto opening = parse_opening(rest.substr(0, end), &version);
    if (opening && version != file.version) {
      opening = malformed("not of the file's version " + std::to_string(file.version));
    }
    if (!opening) {
      return opening.error().with_context("openings: opening " +
                                          std::to_string(file.openings.size() + 1));
    }
    file.openings.push_back(std::move(*opening));
    rest.remove_prefix(end);
  }
  auto again = format_openings_file(file);
  if (!again || *again != text) return malformed("openings: not in canonical form");
  return file;
}

std::vector<std::string> consented_cases(const OpeningsFile& file) {
  std::vector<std::string> out;
  for (const CategoryOpening& opening : file.openings) {
    if (opening.audit_consent) out.push_back(opening.case_id);
  }
  // Case ids are decimal numbers here (the installation's); order them so.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace safehouse::tlog
