// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/sodium_init.h: libsodium must be initialised once before any use.
// main() and test mains call this; nothing else does (no hidden globals).
#ifndef SAFEHOUSE_CRYPTO_SODIUM_INIT_H_
#define SAFEHOUSE_CRYPTO_SODIUM_INIT_H_

namespace safehouse::crypto {

// Initialises libsodium; aborts the process if it cannot (no usable CSPRNG).
void init_sodium();

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_SODIUM_INIT_H_
