// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sealing_budget.cpp: a lock-free counter of spare sealing threads.
#include "intake/sealing_budget.h"

#include <thread>
#include <utility>

namespace safehouse::intake {

unsigned SealingBudget::default_spare_threads() {
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 1 ? hardware - 1 : 0;
}

SealingBudget::Grant SealingBudget::acquire() {
  unsigned free = available_.load();
  while (free > 0) {
    if (available_.compare_exchange_weak(free, free - 1)) return Grant(this);
  }
  return Grant();
}

SealingBudget::Grant::Grant(Grant&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)) {}

SealingBudget::Grant& SealingBudget::Grant::operator=(Grant&& other) noexcept {
  std::swap(budget_, other.budget_);
  return *this;
}

SealingBudget::Grant::~Grant() {
  if (budget_ != nullptr) budget_->available_.fetch_add(1);
}

}  // namespace safehouse::intake
