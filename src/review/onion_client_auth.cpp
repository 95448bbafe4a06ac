// SPDX-License-Identifier: AGPL-3.0-or-later
// review/onion_client_auth.cpp: x25519 key pairs and their tor key-file lines.
#include "review/onion_client_auth.h"

#include <sodium.h>

#include "review/base32.h"

namespace safehouse::review {

ClientAuthKeys generate_client_auth_keys() {
  auto keys = client_auth_keys_from_private(crypto::SecretBytes::random(32));
  return std::move(*keys);  // 32 random bytes always make a key pair
}

Result<ClientAuthKeys> client_auth_keys_from_private(crypto::SecretBytes private_key) {
  if (private_key.size() != crypto_scalarmult_BYTES) {
    return invalid_argument("client auth: the private key is not 32 bytes");
  }
  ClientAuthKeys keys;
  // tor clamps the scalar itself; libsodium clamps too, so both derive the
  // same public key from the unclamped bytes we print.
  crypto_scalarmult_base(keys.public_key.data(), private_key.reveal().data());
  keys.private_key = std::move(private_key);
  return keys;
}

std::string service_auth_line(const ClientAuthKeys& keys) {
  return "descriptor:x25519:" + base32_encode(keys.public_key);
}

crypto::SecretBytes client_auth_line(const ClientAuthKeys& keys, std::string_view onion_address) {
  std::string encoded = base32_encode(keys.private_key.reveal());
  std::string line = std::string(onion_address) + ":descriptor:x25519:" + encoded;
  auto secret = crypto::SecretBytes::copy_of(as_bytes(line));
  crypto::wipe({reinterpret_cast<std::uint8_t*>(encoded.data()), encoded.size()});
  crypto::wipe({reinterpret_cast<std::uint8_t*>(line.data()), line.size()});
  return secret;
}

}  // namespace safehouse::review
