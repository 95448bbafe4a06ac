// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/process_hardening_test.cpp: after disable_core_dumps() the
// process is not dumpable and may write no core file (checked in a child,
// so the test runner itself stays as it was).
#include "crypto/process_hardening.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace safehouse::crypto {
namespace {

TEST(ProcessHardening, NoCoreDumpAndNotDumpable) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Before: a test process is dumpable (else the check below proves nothing).
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) ::_exit(2);
    if (!disable_core_dumps()) ::_exit(3);
    struct rlimit core {};
    if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0) {
      ::_exit(4);
    }
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: not dumpable before; 3: call failed; 4: core limit; "
                                       "5: still dumpable";
}

}  // namespace
}  // namespace safehouse::crypto
