// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/fuzz_init.cpp: what every program's main() does before any
// input, done once for every fuzz target (linked into each by
// safehouse_fuzz()). Without it a harness runs code that main() never
// would: sodium_malloc before sodium_init aborts, which is how two fuzz
// passes (http_form, tlog_note) failed on inputs the server handles.
#include "crypto/sodium_init.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  safehouse::crypto::init_sodium();
  return 0;
}
