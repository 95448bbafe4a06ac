// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/daily_quota.cpp: the per-source byte counts of the current day.
#include "intake/daily_quota.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace safehouse::intake {

std::size_t DailyQuota::Hash::operator()(const store::SourceId& id) const {
  // Source ids are uniformly random (derived through a KDF): any 8 bytes do.
  std::size_t value;
  std::memcpy(&value, id.data(), sizeof(value));
  return value;
}

DailyQuota::DailyQuota(std::uint64_t bytes_per_day, std::size_t max_tracked)
    : bytes_per_day_(bytes_per_day), max_tracked_(std::max<std::size_t>(max_tracked, 2)) {}

void DailyQuota::forget_least_locked() {
  std::vector<std::uint64_t> counts;
  counts.reserve(bytes_.size());
  for (const auto& [source, bytes] : bytes_) counts.push_back(bytes);
  auto middle = counts.begin() + static_cast<std::ptrdiff_t>(counts.size() / 2);
  std::nth_element(counts.begin(), middle, counts.end());
  const std::uint64_t median = *middle;
  std::erase_if(bytes_, [&](const auto& entry) { return entry.second <= median; });
}

Result<void> DailyQuota::charge(const store::SourceId& source, store::Day day,
                                std::uint64_t bytes) {
  if (bytes_per_day_ == 0) return {};
  std::lock_guard lock(mutex_);
  if (day != day_) {
    bytes_.clear();
    day_ = day;
  }
  auto it = bytes_.find(source);
  const std::uint64_t used = it == bytes_.end() ? 0 : it->second;
  if (bytes > bytes_per_day_ || used > bytes_per_day_ - bytes) {
    return Error(ErrorCode::kQuotaExceeded,
                 "quota: more than " + std::to_string(bytes_per_day_) + " bytes today");
  }
  if (it == bytes_.end()) {
    if (bytes_.size() >= max_tracked_) forget_least_locked();
    it = bytes_.emplace(source, 0).first;
  }
  it->second += bytes;
  return {};
}

void DailyQuota::refund(const store::SourceId& source, store::Day day, std::uint64_t bytes) {
  if (bytes_per_day_ == 0) return;
  std::lock_guard lock(mutex_);
  if (day != day_) return;
  auto it = bytes_.find(source);
  if (it == bytes_.end()) return;
  it->second -= std::min(it->second, bytes);
}

std::size_t DailyQuota::tracked() const {
  std::lock_guard lock(mutex_);
  return bytes_.size();
}

}  // namespace safehouse::intake
