// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/age_chunk_cipher_fuzz.cpp: differential fuzzing of the payload
// cipher (libcrypto, age/chunk_cipher.h) against libsodium
// (tests/age/sodium_reference.h). Input: 32-byte key, 12-byte nonce, then
// bytes that are sealed by both (same output required), opened by both as
// if they were ciphertext (same verdict, same plaintext), and the sealed
// output opened again (must succeed, with the input back). Aborts on any
// difference.
#include <cstdlib>
#include <cstring>

#include "../age/sodium_reference.h"
#include "age/chunk_cipher.h"

using namespace safehouse;
using namespace safehouse::age::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kAeadKeyBytes + kAeadNonceBytes) return 0;
  const auto key = crypto::SecretBytes::copy_of(ByteSpan(data, kAeadKeyBytes));
  AeadNonce nonce{};
  std::memcpy(nonce.data(), data + kAeadKeyBytes, nonce.size());
  ByteSpan rest(data + kAeadKeyBytes + kAeadNonceBytes, size - kAeadKeyBytes - kAeadNonceBytes);
  if (rest.size() > kChunkBytes + kAeadTagBytes) rest = rest.first(kChunkBytes + kAeadTagBytes);
  ChunkCipher cipher(key);

  // Open `rest` as ciphertext with both.
  Bytes ours(rest.size());
  Bytes theirs(rest.size());
  const bool ours_ok = cipher.open(nonce, rest.data(), rest.size(), ours.data());
  const bool theirs_ok =
      age::testing::sodium_open_chunk(key, nonce, rest.data(), rest.size(), theirs.data());
  if (ours_ok != theirs_ok) std::abort();
  if (ours_ok && std::memcmp(ours.data(), theirs.data(), rest.size() - kAeadTagBytes) != 0) {
    std::abort();
  }

  // Seal `rest` (up to a chunk) with both, then open our output.
  const ByteSpan plain = rest.first(std::min(rest.size(), kChunkBytes));
  Bytes sealed(plain.size() + kAeadTagBytes);
  Bytes expected(plain.size() + kAeadTagBytes);
  cipher.seal(nonce, plain.data(), plain.size(), sealed.data());
  age::testing::sodium_seal_chunk(key, nonce, plain.data(), plain.size(), expected.data());
  if (sealed != expected) std::abort();
  Bytes back(plain.size());
  if (!cipher.open(nonce, sealed.data(), sealed.size(), back.data())) std::abort();
  if (!std::equal(back.begin(), back.end(), plain.begin())) std::abort();
  return 0;
}
