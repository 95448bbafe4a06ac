// SPDX-License-Identifier: AGPL-3.0-or-later
// config/quotas.h: the [quotas] table of config.toml: every budget and limit
// that keeps one client from taking the intake down or filling the disk
// (connections, deadlines, sign-in budget, submissions, bytes, free space).
// 0 means no limit for each of them (benchmarks and load tests lift them so).
// config.cpp parses and writes the table from kQuotaKeys.
#ifndef SAFEHOUSE_CONFIG_QUOTAS_H_
#define SAFEHOUSE_CONFIG_QUOTAS_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace safehouse::config {

struct Quotas {
  std::uint64_t source_connections = 1024;
  std::uint64_t staff_connections = 64;
  std::uint64_t small_body_seconds = 60;
  std::uint64_t min_body_bytes_per_second = 1024;
  std::uint64_t key_derivation_queue = 16;
  std::uint64_t sign_ins_per_minute = 120;
  std::uint64_t sign_in_failures_per_session = 10;
  std::uint64_t submissions_per_session_per_minute = 10;
  std::uint64_t bytes_per_source_per_day = std::uint64_t{8} << 30;  // 8 GiB
  std::uint64_t free_space_reserve_bytes = std::uint64_t{1} << 30;  // 1 GiB
  bool operator==(const Quotas&) const = default;
};

// One key of [quotas]: its name, the comment config.toml carries above it,
// the largest value accepted, and the member it sets.
struct QuotaKey {
  std::string_view name;
  std::string_view comment;
  std::uint64_t max;
  std::uint64_t Quotas::*member;
};

// Every key, in the order config.toml lists them.
std::span<const QuotaKey> quota_keys();

}  // namespace safehouse::config

#endif  // SAFEHOUSE_CONFIG_QUOTAS_H_
