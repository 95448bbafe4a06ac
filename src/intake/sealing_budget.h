// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sealing_budget.h: spare cores for encrypting large files. A file item
// may seal its age chunks on one extra thread while a spare core is free, so
// a lone large upload uses both cores of a small server (the request's worker
// hashes and writes while the extra thread seals: 1 GiB in ~1.9 s instead of
// ~2.3 s, bench/RESULTS.md), and many uploads at once do not oversubscribe
// the machine: beyond the spare cores, items seal on their own thread only.
#ifndef SAFEHOUSE_INTAKE_SEALING_BUDGET_H_
#define SAFEHOUSE_INTAKE_SEALING_BUDGET_H_

#include <atomic>

namespace safehouse::intake {

// Thread-safe.
class SealingBudget {
 public:
  // `spare_threads`: extra sealing threads allowed at once across all items.
  explicit SealingBudget(unsigned spare_threads) : available_(spare_threads) {}
  // One less than the machine's hardware threads (at least 0).
  static unsigned default_spare_threads();

  // Holds a share of the budget until destroyed. Movable, not copyable.
  class Grant {
   public:
    Grant() = default;
    Grant(Grant&& other) noexcept;
    Grant& operator=(Grant&& other) noexcept;
    Grant(const Grant&) = delete;
    Grant& operator=(const Grant&) = delete;
    ~Grant();

    // Sealing threads the item may use, its own included: 1 or 2.
    unsigned threads() const { return budget_ != nullptr ? 2 : 1; }

   private:
    friend class SealingBudget;
    explicit Grant(SealingBudget* budget) : budget_(budget) {}
    SealingBudget* budget_ = nullptr;  // set while an extra thread is held
  };

  // An extra thread if one is free, otherwise a grant of one thread.
  Grant acquire();
  unsigned available() const { return available_.load(); }

 private:
  std::atomic<unsigned> available_;
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_SEALING_BUDGET_H_
