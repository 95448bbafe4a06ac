// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/sha256.h: SHA-256 for bulk data (blob digests, later the
// transparency log), from OpenSSL's libcrypto.
//
// Why not libsodium, which the rest of crypto/ uses: Debian 12's libsodium
// 1.0.18 computes SHA-256 in portable C, about 400 MB/s on our machines,
// which alone capped a 1 GiB upload below the intake goal of 400 MB/s.
// libcrypto (OpenSSL 3.0) uses the CPU's SHA extensions where present
// (about 1.8 GB/s here) and is the other well-kept implementation Debian
// ships. Only SHA-256 comes from it; everything else stays on libsodium.
#ifndef SAFEHOUSE_CRYPTO_SHA256_H_
#define SAFEHOUSE_CRYPTO_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace safehouse::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256. Not thread-safe; movable, not copyable. A moved-from
// hasher may only be destroyed or assigned to.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::uint8_t> data);
  // The digest of everything updated so far. Afterwards the hasher is reset,
  // as if newly made.
  Sha256Digest finish();

 private:
  struct State;
  State* state_;
};

// One-shot digest.
Sha256Digest sha256(std::span<const std::uint8_t> data);

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_SHA256_H_
