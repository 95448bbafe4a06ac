// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/sealing_budget_test.cpp: extra sealing threads are handed out
// only while the budget lasts, come back when a grant ends, and follow a
// moved grant.
#include "intake/sealing_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace safehouse::intake {
namespace {

TEST(SealingBudget, GrantsExtraThreadsOnlyWhileTheyLast) {
  SealingBudget budget(2);
  auto first = budget.acquire();
  auto second = budget.acquire();
  auto third = budget.acquire();
  EXPECT_EQ(first.threads(), 2u);
  EXPECT_EQ(second.threads(), 2u);
  EXPECT_EQ(third.threads(), 1u);
  EXPECT_EQ(budget.available(), 0u);
  { auto released = std::move(first); }
  EXPECT_EQ(budget.available(), 1u);
  EXPECT_EQ(budget.acquire().threads(), 2u);  // and back again at once
  EXPECT_EQ(budget.available(), 1u);
}

TEST(SealingBudget, NoSpareThreadsMeansOneThreadEach) {
  SealingBudget budget(0);
  EXPECT_EQ(budget.acquire().threads(), 1u);
  SealingBudget::Grant none;
  EXPECT_EQ(none.threads(), 1u);
}

TEST(SealingBudget, MovedGrantReleasesOnce) {
  SealingBudget budget(1);
  SealingBudget::Grant held = budget.acquire();
  SealingBudget::Grant moved(std::move(held));
  SealingBudget::Grant assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.threads(), 2u);
  EXPECT_EQ(budget.available(), 0u);
  assigned = SealingBudget::Grant();
  EXPECT_EQ(budget.available(), 1u);
}

TEST(SealingBudget, ConcurrentAcquiresNeverOverspend) {
  SealingBudget budget(3);
  std::vector<std::thread> threads;
  std::atomic<unsigned> extra{0};
  std::atomic<unsigned> most{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto grant = budget.acquire();
        if (grant.threads() == 2) {
          unsigned now = ++extra;
          unsigned seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          --extra;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(most.load(), 3u);
  EXPECT_EQ(budget.available(), 3u);
}

}  // namespace
}  // namespace safehouse::intake
