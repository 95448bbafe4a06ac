// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/test_main.cpp: GoogleTest main for every unit test executable.
#include <gtest/gtest.h>

#include "crypto/sodium_init.h"

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
