// SPDX-License-Identifier: AGPL-3.0-or-later
// review/onion_client_auth.h: tor v3 onion-service client authorisation
// keys (tor's rend-spec-v3, "client authorization"): an x25519 key pair, the
// service-side `descriptor:x25519:<public>` line for
// HiddenServiceDir/authorized_clients/*.auth and the client-side
// `<onion>:descriptor:x25519:<private>` line for ClientOnionAuthDir/*.auth_private.
// Knows nothing of torrc files or the data directory.
#ifndef SAFEHOUSE_REVIEW_ONION_CLIENT_AUTH_H_
#define SAFEHOUSE_REVIEW_ONION_CLIENT_AUTH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace safehouse::review {

struct ClientAuthKeys {
  std::array<std::uint8_t, 32> public_key{};
  crypto::SecretBytes private_key;  // 32 bytes
};

// A fresh key pair (libsodium's CSPRNG; public = X25519(private, 9)).
ClientAuthKeys generate_client_auth_keys();
// The same public key derived from a given private key (tests, recovery).
// kInvalidArgument unless 32 bytes.
Result<ClientAuthKeys> client_auth_keys_from_private(crypto::SecretBytes private_key);

// "descriptor:x25519:<BASE32 public key, no padding>" (the .auth file's line).
std::string service_auth_line(const ClientAuthKeys& keys);
// "<onion>:descriptor:x25519:<BASE32 private key>" (the .auth_private line);
// `onion_address` without ".onion". Locked memory: it is a secret.
crypto::SecretBytes client_auth_line(const ClientAuthKeys& keys, std::string_view onion_address);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_ONION_CLIENT_AUTH_H_
