// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/sodium_init.cpp: one-time libsodium initialisation.
#include "crypto/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace safehouse::crypto {

void init_sodium() {
  if (sodium_init() < 0) {
    std::fputs("safehouse: libsodium could not be initialised\n", stderr);
    std::abort();
  }
}

}  // namespace safehouse::crypto
