// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/cosignature.cpp: see cosignature.h.
#include "tlog/cosignature.h"

#include <sodium.h>

namespace safehouse::tlog {

namespace {
constexpr std::size_t kTimeSize = 8;
}

std::string cosignature_message(std::uint64_t timestamp, std::string_view checkpoint_text) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpoint_text);
}

std::optional<std::uint64_t> cosignature_time(ByteSpan signature) {
  if (signature.size() != kTimeSize + crypto_sign_BYTES) return std::nullopt;
  std::uint64_t time = 0;
  for (std::size_t i = 0; i < kTimeSize; ++i) time = (time << 8) | signature[i];
  if (time > kMaxCosignatureTime) return std::nullopt;
  return time;
}

CosignatureV1Verifier::CosignatureV1Verifier(std::string name, const Ed25519PublicKey& key)
    : name_(std::move(name)), key_(key), key_id_(note_key_id(name_, kKeyTypeCosignatureV1, key_)) {}

bool CosignatureV1Verifier::verify(std::string_view text, ByteSpan signature) const {
  const auto time = cosignature_time(signature);
  if (!time) return false;
  const std::string message = cosignature_message(*time, text);
  return crypto_sign_verify_detached(signature.data() + kTimeSize,
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key_.data()) == 0;
}

std::string CosignatureV1Verifier::verifier_key() const {
  return format_verifier_key(name_, kKeyTypeCosignatureV1, key_);
}

CosignatureV1Signer::CosignatureV1Signer(Ed25519Key key, std::function<std::uint64_t()> clock)
    : key_(std::move(key)),
      clock_(std::move(clock)),
      key_id_(note_key_id(key_.name(), kKeyTypeCosignatureV1, key_.public_key())) {}

Bytes CosignatureV1Signer::sign(std::string_view text) const {
  const std::uint64_t time = std::min(clock_(), kMaxCosignatureTime);
  const std::string message = cosignature_message(time, text);
  const auto signature =
      key_.sign({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
  Bytes out(kTimeSize);
  for (std::size_t i = 0; i < kTimeSize; ++i) {
    out[i] = static_cast<std::uint8_t>(time >> (8 * (kTimeSize - 1 - i)));
  }
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

std::string CosignatureV1Signer::verifier_key() const {
  return format_verifier_key(key_.name(), kKeyTypeCosignatureV1, key_.public_key());
}

}  // namespace safehouse::tlog
