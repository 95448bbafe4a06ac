// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/case_entry.cpp: see case_entry.h. Parsing re-encodes and compares,
// so every entry has exactly one accepted spelling.
#include "tlog/case_entry.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <vector>

#include "base/utf8.h"
#include "crypto/sha256.h"
#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

constexpr std::string_view kEntryHeader = "safehouse/case-event/v1";
constexpr std::string_view kOpeningHeaderV1 = "safehouse/opening/v1";
constexpr std::string_view kOpeningHeaderV2 = "safehouse/opening/v2";
constexpr std::string_view kCommitmentPrefix = "safehouse/category/v1\n";

constexpr std::array<std::string_view, 11> kStatuses = {
    "received",   "triage",       "verifying",
    "needs-info", "corroborated", "verified",
    "duplicate",  "rejected",     "suspected-infiltration",
    "withdrawn",  "purged"};

Result<void> check_case_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxCaseIdSize ||
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
          std::string_view::npos) {
    return malformed("case event: case id is not 1..64 of A-Z a-z 0-9 _ -");
  }
  return {};
}

bool is_leap(unsigned year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned digits_value(std::string_view digits) {
  unsigned value = 0;
  for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

// Splits "key value\n" lines; the text must be exactly `keys` in order.
Result<std::vector<std::string_view>> fields(std::string_view text, std::string_view header,
                                             std::span<const std::string_view> keys,
                                             std::string_view what) {
  if (!text.starts_with(header) || text.substr(header.size(), 1) != "\n") {
    return malformed(std::string(what) + ": does not start with " + std::string(header));
  }
  text.remove_prefix(header.size() + 1);
  std::vector<std::string_view> values;
  for (const auto key : keys) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) {
      return malformed(std::string(what) + ": missing line \"" + std::string(key) + "\"");
    }
    const auto line = text.substr(0, end);
    if (!line.starts_with(key) || line.substr(key.size(), 1) != " ") {
      return malformed(std::string(what) + ": expected line \"" + std::string(key) + " ...\"");
    }
    values.push_back(line.substr(key.size() + 1));
    text.remove_prefix(end + 1);
  }
  if (!text.empty()) return malformed(std::string(what) + ": text after the last line");
  return values;
}

}  // namespace

std::span<const std::string_view> case_statuses() {
  return kStatuses;
}

bool is_valid_day(std::string_view day) {
  const auto digits = [&](std::size_t at, std::size_t n) {
    return day.substr(at, n).find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (day.size() != 10 || day[4] != '-' || day[7] != '-' || !digits(0, 4) || !digits(5, 2) ||
      !digits(8, 2)) {
    return false;
  }
  const unsigned year = digits_value(day.substr(0, 4));
  const unsigned month = digits_value(day.substr(5, 2));
  const unsigned dom = digits_value(day.substr(8, 2));
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month >= 1 && month <= 12 && dom >= 1 &&
         dom <= kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
}

bool is_case_status(std::string_view status) {
  return std::find(kStatuses.begin(), kStatuses.end(), status) != kStatuses.end();
}

Result<void> check_category(std::string_view category) {
  if (category.empty() || category.size() > kMaxCategorySize || !is_valid_utf8(category)) {
    return malformed("category: not 1..128 bytes of UTF-8");
  }
  for (unsigned char c : category) {
    if (c < 0x20 || c == 0x7f) return malformed("category: holds a control character");
  }
  return {};
}

Hash category_commitment(std::string_view category, const CategoryNonce& nonce) {
  crypto::Sha256 hasher;
  const auto bytes = [](std::string_view s) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  hasher.update(bytes(kCommitmentPrefix));
  hasher.update(bytes(category));
  hasher.update(bytes("\n"));
  hasher.update(nonce);
  return hasher.finish();
}

Result<Bytes> encode_case_event(const CaseEvent& event) {
  SAFEHOUSE_TRY_VOID(check_case_id(event.case_id));
  if (!is_valid_day(event.day))
    return malformed("case event: day is not a calendar day YYYY-MM-DD");
  if (!is_case_status(event.status)) return malformed("case event: unknown status");
  const std::string text = std::string(kEntryHeader) + "\ncase " + event.case_id + "\nevent " +
                           std::to_string(event.event) + "\nday " + event.day + "\nstatus " +
                           event.status + "\ncategory " + base64_encode(event.commitment) + "\n";
  return Bytes(text.begin(), text.end());
}

Result<CaseEvent> parse_case_event(ByteSpan entry) {
  const std::string_view text(reinterpret_cast<const char*>(entry.data()), entry.size());
  static constexpr std::array<std::string_view, 5> kKeys = {"case", "event", "day", "status",
                                                            "category"};
  const auto values = SAFEHOUSE_TRY(fields(text, kEntryHeader, kKeys, "case event"));
  CaseEvent event;
  event.case_id = std::string(values[0]);
  const auto number = parse_decimal(values[1]);
  if (!number) return malformed("case event: event number is not a decimal");
  event.event = *number;
  event.day = std::string(values[2]);
  event.status = std::string(values[3]);
  const auto commitment = base64_decode(values[4]);
  if (!commitment || commitment->size() != kHashSize) {
    return malformed("case event: category commitment is not base64 of 32 bytes");
  }
  std::copy(commitment->begin(), commitment->end(), event.commitment.begin());
  SAFEHOUSE_TRY(encode_case_event(event));  // checks every field
  return event;
}

CategoryOpening make_opening(std::string case_id, std::uint64_t event, std::string category,
                             bool audit_consent) {
  CategoryOpening opening{std::move(case_id), event, std::move(category), {}, audit_consent};
  randombytes_buf(opening.nonce.data(), opening.nonce.size());
  return opening;
}

Result<std::string> encode_opening(const CategoryOpening& opening, unsigned version) {
  SAFEHOUSE_TRY_VOID(check_case_id(opening.case_id));
  SAFEHOUSE_TRY_VOID(check_category(opening.category));
  if (version != 1 && version != 2) return invalid_argument("opening: no such version");
  if (version == 1 && opening.audit_consent) {
    return invalid_argument("opening: version 1 cannot carry an audit consent");
  }
  std::string text = std::string(version == 1 ? kOpeningHeaderV1 : kOpeningHeaderV2) + "\ncase " +
                     opening.case_id + "\nevent " + std::to_string(opening.event) + "\ncategory " +
                     opening.category + "\nnonce " + base64_encode(opening.nonce) + "\n";
  if (version == 2) text += opening.audit_consent ? "audit-consent yes\n" : "audit-consent no\n";
  return text;
}

Result<CategoryOpening> parse_opening(std::string_view text, unsigned* version) {
  static constexpr std::array<std::string_view, 4> kKeysV1 = {"case", "event", "category", "nonce"};
  static constexpr std::array<std::string_view, 5> kKeysV2 = {"case", "event", "category", "nonce",
                                                              "audit-consent"};
  const bool v1 = text.starts_with(kOpeningHeaderV1);
  const auto values = v1 ? SAFEHOUSE_TRY(fields(text, kOpeningHeaderV1, kKeysV1, "opening"))
                         : SAFEHOUSE_TRY(fields(text, kOpeningHeaderV2, kKeysV2, "opening"));
  CategoryOpening opening;
  opening.case_id = std::string(values[0]);
  SAFEHOUSE_TRY_VOID(check_case_id(opening.case_id));
  const auto number = parse_decimal(values[1]);
  if (!number) return malformed("opening: event number is not a decimal");
  opening.event = *number;
  opening.category = std::string(values[2]);
  SAFEHOUSE_TRY_VOID(check_category(opening.category));
  const auto nonce = base64_decode(values[3]);
  if (!nonce || nonce->size() != kNonceSize) return malformed("opening: nonce is not 32 bytes");
  std::copy(nonce->begin(), nonce->end(), opening.nonce.begin());
  if (!v1) {
    if (values[4] == "yes") {
      opening.audit_consent = true;
    } else if (values[4] != "no") {
      return malformed("opening: audit-consent is neither yes nor no");
    }
  }
  if (version) *version = v1 ? 1 : 2;
  return opening;
}

Result<void> verify_opening(const CaseEvent& event, const CategoryOpening& opening) {
  if (event.case_id != opening.case_id || event.event != opening.event) {
    return Error(ErrorCode::kNoMatch, "opening: for case " + opening.case_id + " event " +
                                          std::to_string(opening.event) + ", not this entry");
  }
  const Hash commitment = category_commitment(opening.category, opening.nonce);
  if (sodium_memcmp(commitment.data(), event.commitment.data(), kHashSize) != 0) {
    return Error(ErrorCode::kIntegrity,
                 "opening: category and nonce do not open the entry's commitment");
  }
  return {};
}

}  // namespace safehouse::tlog
