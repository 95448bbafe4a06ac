// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/staff_browser.h: what web/src/staff_keys.js does, written
// again with libsodium for the C++ tests of the staff accounts and routes:
// Argon2id → HKDF (authentication and unlocking keys) and the identity box.
#ifndef SAFEHOUSE_TESTS_REVIEW_STAFF_BROWSER_H_
#define SAFEHOUSE_TESTS_REVIEW_STAFF_BROWSER_H_

#include <gtest/gtest.h>
#include <sodium.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/byte_stream.h"
#include "crypto/hkdf.h"
#include "crypto/sha256.h"

namespace safehouse::review::testing {

// What web/src/staff.js does (docs/reviewing.md, "Staff accounts").
struct Browser {
  static Bytes salt(std::string_view installation, std::string_view name) {
    std::string text =
        "safehouse/staff/argon2id/v1\n" + std::string(installation) + "\n" + std::string(name);
    const auto digest = crypto::sha256(as_bytes(text));
    return Bytes(digest.begin(), digest.begin() + 16);
  }
  // Argon2id (m = 19 MiB, t = 2, p = 1) → HKDF → (authentication, unlocking).
  static std::pair<Bytes, Bytes> stretch(std::string_view passphrase, std::string_view installation,
                                         std::string_view name) {
    const Bytes s = salt(installation, name);
    Bytes master(32);
    EXPECT_EQ(crypto_pwhash(master.data(), master.size(), passphrase.data(), passphrase.size(),
                            s.data(), 2, 19456 * 1024, crypto_pwhash_ALG_ARGON2ID13),
              0);
    auto auth = crypto::hkdf_sha256(master, {}, "safehouse/staff/auth/v1", 32);
    auto unlock = crypto::hkdf_sha256(master, {}, "safehouse/staff/unlock/v1", 32);
    return {Bytes(auth.reveal().begin(), auth.reveal().end()),
            Bytes(unlock.reveal().begin(), unlock.reveal().end())};
  }
  static Bytes box(const Bytes& unlock, std::string_view name, ByteSpan identity) {
    const std::string ad = "safehouse/staff/identity/v1\n" + std::string(name);
    Bytes out(24 + identity.size() + 16);
    randombytes_buf(out.data(), 24);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 24, &written, identity.data(),
                                               identity.size(),
                                               reinterpret_cast<const unsigned char*>(ad.data()),
                                               ad.size(), nullptr, out.data(), unlock.data());
    return out;
  }
  static std::optional<std::string> open(const Bytes& unlock, std::string_view name,
                                         const Bytes& box) {
    const std::string ad = "safehouse/staff/identity/v1\n" + std::string(name);
    std::string out(box.size() - 24 - 16, '\0');
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, box.data() + 24,
            box.size() - 24, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
            box.data(), unlock.data()) != 0) {
      return std::nullopt;
    }
    return out;
  }
};

}  // namespace safehouse::review::testing

#endif  // SAFEHOUSE_TESTS_REVIEW_STAFF_BROWSER_H_
