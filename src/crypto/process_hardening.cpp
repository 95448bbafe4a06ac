// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/process_hardening.cpp: setrlimit and prctl (see the header).
#include "crypto/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace safehouse::crypto {

Result<void> disable_core_dumps() {
  const struct rlimit none { 0, 0 };
  if (::setrlimit(RLIMIT_CORE, &none) != 0) {
    return io_error(std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno));
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return io_error(std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno));
  }
  return {};
}

}  // namespace safehouse::crypto
