// SPDX-License-Identifier: AGPL-3.0-or-later
// store/verifying_source.h: a ByteSource that checks a blob's size and
// SHA-256 against its BlobRef as it is read — shared by the blob engines so
// that every one of them refuses tampered bytes the same way.
#ifndef SAFEHOUSE_STORE_VERIFYING_SOURCE_H_
#define SAFEHOUSE_STORE_VERIFYING_SOURCE_H_

#include <memory>

#include "base/byte_stream.h"
#include "store/types.h"

namespace safehouse::store {

// Reads `inner` through; fails with kIntegrity (instead of returning its end)
// when its bytes are not exactly `expected`'s size and digest.
std::unique_ptr<ByteSource> make_verifying_source(std::unique_ptr<ByteSource> inner,
                                                  const BlobRef& expected);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_VERIFYING_SOURCE_H_
