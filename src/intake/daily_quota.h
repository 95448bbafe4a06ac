// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/daily_quota.h: bytes each source has sent today (UTC day), against
// the per-source daily quota. Kept in memory only (nothing about when a
// source wrote reaches the disk), so a restart starts the count again.
// Memory is bounded: beyond max_tracked sources, the half that sent least is
// forgotten (a flood of new sources cannot grow it, and the sources close to
// their quota are the ones kept).
#ifndef SAFEHOUSE_INTAKE_DAILY_QUOTA_H_
#define SAFEHOUSE_INTAKE_DAILY_QUOTA_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "base/error.h"
#include "store/types.h"

namespace safehouse::intake {

// Thread safety: every member may be called from any thread.
class DailyQuota {
 public:
  static constexpr std::size_t kDefaultMaxTracked = 65536;

  // `bytes_per_day` 0: no limit (nothing is tracked).
  explicit DailyQuota(std::uint64_t bytes_per_day, std::size_t max_tracked = kDefaultMaxTracked);

  // Counts `bytes` more for `source` on `day`; kQuotaExceeded (and nothing
  // counted) if that would pass the quota.
  Result<void> charge(const store::SourceId& source, store::Day day, std::uint64_t bytes);
  // Gives back bytes charged on `day` that were not stored after all.
  void refund(const store::SourceId& source, store::Day day, std::uint64_t bytes);

  std::size_t tracked() const;

 private:
  struct Hash {
    std::size_t operator()(const store::SourceId& id) const;
  };
  void forget_least_locked();

  const std::uint64_t bytes_per_day_;
  const std::size_t max_tracked_;
  mutable std::mutex mutex_;
  store::Day day_ = 0;                                              // guarded by mutex_
  std::unordered_map<store::SourceId, std::uint64_t, Hash> bytes_;  // guarded by mutex_
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_DAILY_QUOTA_H_
