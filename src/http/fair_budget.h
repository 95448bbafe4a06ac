// SPDX-License-Identifier: AGPL-3.0-or-later
// http/fair_budget.h: a global budget of expensive attempts (codename
// sign-ins) per minute, handed out in fair order: requests wait in one queue
// per key (the session cookie) and a freed unit goes to the keys in turn, so
// one key with many requests in flight cannot starve another. Knows nothing
// of sockets: the server polls granted() from the request's coroutine.
#ifndef SAFEHOUSE_HTTP_FAIR_BUDGET_H_
#define SAFEHOUSE_HTTP_FAIR_BUDGET_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace safehouse::http {

// Thread safety: every member may be called from any thread.
class FairBudget {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `per_minute` units a minute on average, at most `per_minute` / 10 (at
  // least 1) at once after a quiet spell; 0 means no limit (every
  // enqueue is granted at once). At most `max_waiting` requests wait; a
  // request waits at most `max_wait` (the server then answers 503).
  FairBudget(std::uint64_t per_minute, std::size_t max_waiting,
             std::chrono::steady_clock::duration max_wait,
             Clock clock = &std::chrono::steady_clock::now);

  // Joins the queue of `key`; a ticket, or nullopt when max_waiting
  // requests are already waiting.
  std::optional<std::uint64_t> enqueue(std::string_view key);
  // True once `ticket` has been granted a unit (it then leaves the queue).
  bool granted(std::uint64_t ticket);
  // Leaves the queue without a unit (the request gave up).
  void cancel(std::uint64_t ticket);

  std::chrono::steady_clock::duration max_wait() const { return max_wait_; }
  bool unlimited() const { return per_minute_ == 0; }
  std::size_t waiting() const;

 private:
  void refill_and_grant_locked();

  const std::uint64_t per_minute_;
  const double burst_;
  const std::size_t max_waiting_;
  const std::chrono::steady_clock::duration max_wait_;
  const Clock clock_;
  mutable std::mutex mutex_;
  double tokens_;                                            // guarded by mutex_
  std::chrono::steady_clock::time_point last_refill_;        // guarded by mutex_
  std::uint64_t next_ticket_ = 1;                            // guarded by mutex_
  std::map<std::string, std::deque<std::uint64_t>> queues_;  // guarded by mutex_
  std::deque<std::string> turn_;  // keys with waiters, in serving order; guarded by mutex_
  std::unordered_set<std::uint64_t> granted_;  // guarded by mutex_
  std::size_t waiting_ = 0;                    // guarded by mutex_
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_FAIR_BUDGET_H_
