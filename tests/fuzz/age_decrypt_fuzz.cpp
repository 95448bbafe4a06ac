// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/age_decrypt_fuzz.cpp: the whole decryption path (header, X25519
// unwrap, MAC, STREAM) on arbitrary bytes, with the identity of the CCTV
// vectors so that mutations of real files get past the MAC now and then.
// Decryption must fail cleanly or succeed; nothing may crash.
#include <cstdlib>

#include "age/age.h"
#include "age/x25519.h"

namespace {

struct NullSink final : safehouse::ByteSink {
  safehouse::Result<void> write(safehouse::ByteSpan) override { return {}; }
  safehouse::Result<void> finish() override { return {}; }
};

// The identity used by the C2SP CCTV age vectors (public test data).
constexpr std::string_view kTestIdentity =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto* identity = [] {
    auto id = safehouse::age::X25519Identity::parse(kTestIdentity);
    if (!id) std::abort();
    return new safehouse::age::X25519Identity(std::move(*id));
  }();
  const safehouse::age::Identity* ids[] = {identity};
  safehouse::SpanSource source({data, size});
  NullSink sink;
  (void)safehouse::age::decrypt(ids, source, sink);
  return 0;
}
