// SPDX-License-Identifier: AGPL-3.0-or-later
// store/types.cpp: digests, days and the names statuses are stored under.
#include "store/types.h"

#include <array>

#include "crypto/sha256.h"

namespace safehouse::store {

std::string to_hex(const Sha256& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

Result<Sha256> sha256_from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not canonical
  };
  if (hex.size() != 64) return malformed("sha256: want 64 hex characters");
  Sha256 out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return malformed("sha256: not lower-case hex");
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

Sha256 sha256_of(ByteSpan data) {
  return crypto::sha256(data);
}

bool is_valid_day(Day day) {
  int year = day / 10000;
  int month = day / 100 % 100;
  int d = day % 100;
  if (year < 2000 || year > 9999 || month < 1 || month > 12 || d < 1) return false;
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(unsigned(month)),
                                  std::chrono::day(unsigned(d))};
  return ymd.ok();
}

Day day_of(std::chrono::system_clock::time_point t) {
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return static_cast<int>(ymd.year()) * 10000 + static_cast<int>(unsigned(ymd.month())) * 100 +
         static_cast<int>(unsigned(ymd.day()));
}

namespace {
constexpr std::array<std::string_view, 11> kStatusNames = {
    "received",   "triage",       "verifying",
    "needs-info", "corroborated", "verified",
    "duplicate",  "rejected",     "suspected-infiltration",
    "withdrawn",  "purged"};
}  // namespace

std::string_view status_name(CaseStatus status) {
  return kStatusNames.at(static_cast<std::size_t>(status));
}

Result<CaseStatus> status_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<CaseStatus>(i);
  }
  return malformed("case status: unknown name");
}

std::string_view direction_name(Direction direction) {
  return direction == Direction::kSource ? "source" : "reviewer";
}

Result<Direction> direction_from_name(std::string_view name) {
  if (name == "source") return Direction::kSource;
  if (name == "reviewer") return Direction::kReviewer;
  return malformed("item direction: unknown name");
}

}  // namespace safehouse::store
