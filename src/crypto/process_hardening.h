// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/process_hardening.h: keeps a process's secrets (the unlocked log
// key, codename-derived keys, plaintext being encrypted) out of core dumps
// and away from other processes of the same user. `safehouse serve` calls it
// first thing; docs/secrets.md lists what remains.
#ifndef SAFEHOUSE_CRYPTO_PROCESS_HARDENING_H_
#define SAFEHOUSE_CRYPTO_PROCESS_HARDENING_H_

#include "base/error.h"

namespace safehouse::crypto {

// Sets RLIMIT_CORE to 0 (soft and hard: no core file, ever) and
// PR_SET_DUMPABLE to 0 (no core dump through a pipe handler such as
// systemd-coredump either, no ptrace attach and no /proc/PID/mem for
// processes of the same user). kIo naming the call that failed.
Result<void> disable_core_dumps();

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_PROCESS_HARDENING_H_
