// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/test_main.cpp: GoogleTest main for every unit test executable.
// With SAFEHOUSE_NO_SKIP=1 (scripts/test sets it) a skipped test makes the
// run fail: a missing peer tool must never pass as a skip there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "crypto/sodium_init.h"

namespace {

class SkipCounter : public testing::EmptyTestEventListener {
 public:
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (result.skipped()) ++skipped;
  }
  int skipped = 0;
};

}  // namespace

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  testing::InitGoogleTest(&argc, argv);
  auto* counter = new SkipCounter;  // owned by the listener list
  testing::UnitTest::GetInstance()->listeners().Append(counter);
  const int status = RUN_ALL_TESTS();
  const char* no_skip = std::getenv("SAFEHOUSE_NO_SKIP");
  if (status == 0 && counter->skipped > 0 && no_skip != nullptr && no_skip[0] == '1') {
    std::cerr << "SAFEHOUSE_NO_SKIP=1: " << counter->skipped << " test(s) skipped: a failure\n";
    return 1;
  }
  return status;
}
