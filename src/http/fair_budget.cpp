// SPDX-License-Identifier: AGPL-3.0-or-later
// http/fair_budget.cpp: a token bucket whose tokens are handed to waiting
// keys round-robin (deficit-free fair queueing: every unit costs the same).
#include "http/fair_budget.h"

#include <algorithm>

namespace safehouse::http {

FairBudget::FairBudget(std::uint64_t per_minute, std::size_t max_waiting,
                       std::chrono::steady_clock::duration max_wait, Clock clock)
    : per_minute_(per_minute),
      burst_(std::max<double>(1.0, static_cast<double>(per_minute) / 10.0)),
      max_waiting_(max_waiting),
      max_wait_(max_wait),
      clock_(std::move(clock)),
      tokens_(burst_),
      last_refill_(clock_()) {}

void FairBudget::refill_and_grant_locked() {
  const auto now = clock_();
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - last_refill_).count();
  last_refill_ = now;
  tokens_ = std::min(burst_, tokens_ + minutes * static_cast<double>(per_minute_));
  // One unit to the key whose turn it is, then that key goes to the back.
  while (tokens_ >= 1.0 && !turn_.empty()) {
    std::string key = std::move(turn_.front());
    turn_.pop_front();
    auto it = queues_.find(key);
    granted_.insert(it->second.front());
    it->second.pop_front();
    --waiting_;
    tokens_ -= 1.0;
    if (it->second.empty()) {
      queues_.erase(it);
    } else {
      turn_.push_back(std::move(key));
    }
  }
}

std::optional<std::uint64_t> FairBudget::enqueue(std::string_view key) {
  std::lock_guard lock(mutex_);
  const std::uint64_t ticket = next_ticket_++;
  if (per_minute_ == 0) {
    granted_.insert(ticket);
    return ticket;
  }
  if (waiting_ >= max_waiting_) return std::nullopt;
  auto [it, fresh] = queues_.try_emplace(std::string(key));
  it->second.push_back(ticket);
  if (fresh) turn_.push_back(it->first);
  ++waiting_;
  refill_and_grant_locked();
  return ticket;
}

bool FairBudget::granted(std::uint64_t ticket) {
  std::lock_guard lock(mutex_);
  if (per_minute_ != 0) refill_and_grant_locked();
  return granted_.erase(ticket) > 0;
}

void FairBudget::cancel(std::uint64_t ticket) {
  std::lock_guard lock(mutex_);
  if (granted_.erase(ticket) > 0) return;
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    auto& queue = it->second;
    auto found = std::find(queue.begin(), queue.end(), ticket);
    if (found == queue.end()) continue;
    queue.erase(found);
    --waiting_;
    if (queue.empty()) {
      std::erase(turn_, it->first);
      queues_.erase(it);
    }
    return;
  }
}

std::size_t FairBudget::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace safehouse::http
