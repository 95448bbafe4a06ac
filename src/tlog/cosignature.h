// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/cosignature.h: C2SP tlog-cosignature, Ed25519 cosignature/v1 (key
// type 0x04). The signature is a big-endian uint64 timestamp followed by an
// Ed25519 signature of
//   "cosignature/v1\ntime <timestamp>\n" || the whole checkpoint text
// The timestamp is when the witness vouched for the checkpoint.
#ifndef SAFEHOUSE_TLOG_COSIGNATURE_H_
#define SAFEHOUSE_TLOG_COSIGNATURE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tlog/note_key.h"

namespace safehouse::tlog {

inline constexpr std::uint64_t kMaxCosignatureTime = (std::uint64_t{1} << 63) - 1;

// The exact bytes a cosigner signs.
std::string cosignature_message(std::uint64_t timestamp, std::string_view checkpoint_text);
// The timestamp of a cosignature/v1 signature (after the key ID); nullopt
// unless it is 72 bytes with a timestamp <= 2^63-1.
std::optional<std::uint64_t> cosignature_time(ByteSpan signature);

class CosignatureV1Verifier final : public NoteVerifier {
 public:
  CosignatureV1Verifier(std::string name, const Ed25519PublicKey& key);
  const std::string& name() const override { return name_; }
  std::uint32_t key_id() const override { return key_id_; }
  bool verify(std::string_view text, ByteSpan signature) const override;
  std::string verifier_key() const;

 private:
  std::string name_;
  Ed25519PublicKey key_;
  std::uint32_t key_id_;
};

class CosignatureV1Signer final : public NoteSigner {
 public:
  // `clock` gives the POSIX time to sign with (tests fix it).
  CosignatureV1Signer(Ed25519Key key, std::function<std::uint64_t()> clock);
  const std::string& name() const override { return key_.name(); }
  std::uint32_t key_id() const override { return key_id_; }
  Bytes sign(std::string_view text) const override;
  std::string verifier_key() const;
  CosignatureV1Verifier verifier() const {
    return CosignatureV1Verifier(key_.name(), key_.public_key());
  }

 private:
  Ed25519Key key_;
  std::function<std::uint64_t()> clock_;
  std::uint32_t key_id_;
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_COSIGNATURE_H_
