// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/source_keys.cpp: Argon2id → 32-byte master → HKDF per key. The
// master and every intermediate live in SecretBytes, wiped when they go.
#include "codename/source_keys.h"

#include <sodium.h>

#include <algorithm>
#include <new>

#include "crypto/hkdf.h"

namespace safehouse::codename {
namespace {

constexpr std::size_t kMasterBytes = 32;

static_assert(kArgon2Salt.size() == crypto_pwhash_SALTBYTES);
static_assert(Codename::kSecretBytes >= crypto_pwhash_PASSWD_MIN);

crypto::SecretBytes stretch(const Codename& codename) {
  crypto::SecretBytes master(kMasterBytes);
  const auto secret = codename.reveal();
  if (crypto_pwhash(master.reveal().data(), master.size(),
                    reinterpret_cast<const char*>(secret.data()), secret.size(),
                    reinterpret_cast<const unsigned char*>(kArgon2Salt.data()), kArgon2OpsLimit,
                    kArgon2MemLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();  // libsodium's only failure here is running out of memory
  }
  return master;
}

// HKDF with no salt: the Argon2id output is already uniform and the salt
// above already separates Safehouse from other uses.
crypto::SecretBytes expand(const crypto::SecretBytes& master, std::string_view info) {
  return crypto::hkdf_sha256(master.reveal(), {}, info, 32);
}

}  // namespace

SourceKeys derive_source_keys(const Codename& codename) {
  const crypto::SecretBytes master = stretch(codename);

  std::array<std::uint8_t, 32> source_id{};
  const crypto::SecretBytes id_bytes = expand(master, kSourceIdInfo);
  std::copy_n(id_bytes.reveal().begin(), source_id.size(), source_id.begin());

  age::X25519Identity reply_identity =
      age::X25519Identity::from_secret(expand(master, kReplyIdentityInfo));

  const crypto::SecretBytes seed = expand(master, kSigningKeyInfo);
  crypto::SecretBytes signing_secret_key(crypto_sign_SECRETKEYBYTES);
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> signing_public_key{};
  crypto_sign_seed_keypair(signing_public_key.data(), signing_secret_key.reveal().data(),
                           seed.reveal().data());

  return SourceKeys{source_id, std::move(reply_identity), std::move(signing_secret_key),
                    signing_public_key};
}

}  // namespace safehouse::codename
