// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/case_entry.h: the log entry for one case event (docs/design.md §9)
// and the hiding commitment to the case's category. An entry is text, so an
// observer can read the log with nothing but a hex dump:
//
//   safehouse/case-event/v1
//   case <case id>
//   event <event number>
//   day <YYYY-MM-DD>
//   status <status>
//   category <base64 SHA-256("safehouse/category/v1\n" || category || "\n" || nonce)>
//
// The category stays hidden from the public; an accredited observer gets the
// opening (category and the 32-byte random nonce), sealed to its age key,
// and checks it against the entry. docs/tlog.md describes both.
#ifndef SAFEHOUSE_TLOG_CASE_ENTRY_H_
#define SAFEHOUSE_TLOG_CASE_ENTRY_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "tlog/merkle.h"

namespace safehouse::tlog {

inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kMaxCaseIdSize = 64;
inline constexpr std::size_t kMaxCategorySize = 128;
using CategoryNonce = std::array<std::uint8_t, kNonceSize>;

// The statuses of docs/design.md §7, as entries spell them.
std::span<const std::string_view> case_statuses();
bool is_case_status(std::string_view status);
// A calendar day written YYYY-MM-DD (proleptic Gregorian).
bool is_valid_day(std::string_view day);

struct CaseEvent {
  std::string case_id;      // 1..64 of [A-Za-z0-9_-]
  std::uint64_t event = 0;  // the event's number within its case
  std::string day;          // YYYY-MM-DD (UTC); never a time of day
  std::string status;       // one of case_statuses()
  Hash commitment{};        // category_commitment(category, nonce)
  friend bool operator==(const CaseEvent&, const CaseEvent&) = default;
};

// Category text: 1..128 bytes of UTF-8 without control characters.
Result<void> check_category(std::string_view category);
Hash category_commitment(std::string_view category, const CategoryNonce& nonce);

Result<Bytes> encode_case_event(const CaseEvent& event);  // checks every field
Result<CaseEvent> parse_case_event(ByteSpan entry);       // strict: canonical text only

// What an observer is given to open an entry's commitment (version 2):
//   safehouse/opening/v2\ncase <id>\nevent <n>\ncategory <category>\nnonce <base64>\n
//   audit-consent yes|no\n
// The last line says whether the case's source consented, at first
// contact, to an accredited observer reading the case for a sampled audit;
// it is never in the public entry. Version 1 (the same without that line)
// is still read, as "no".
struct CategoryOpening {
  std::string case_id;
  std::uint64_t event = 0;
  std::string category;
  CategoryNonce nonce{};
  bool audit_consent = false;
  friend bool operator==(const CategoryOpening&, const CategoryOpening&) = default;
};
inline constexpr unsigned kOpeningVersion = 2;  // what encode_opening writes
// A fresh opening with a random nonce, and the commitment to put in the entry.
CategoryOpening make_opening(std::string case_id, std::uint64_t event, std::string category,
                             bool audit_consent = false);
// `version` 1 or 2; version 1 cannot say yes to an audit (kInvalidArgument).
Result<std::string> encode_opening(const CategoryOpening& opening,
                                   unsigned version = kOpeningVersion);
// Either version, strict (canonical text only); `version` (if given) is set
// to the one read.
Result<CategoryOpening> parse_opening(std::string_view text, unsigned* version = nullptr);
// kNoMatch if the opening is for another case or event; kIntegrity if it
// does not open the entry's commitment.
Result<void> verify_opening(const CaseEvent& event, const CategoryOpening& opening);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_CASE_ENTRY_H_
