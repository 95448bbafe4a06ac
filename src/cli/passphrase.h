// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/passphrase.h: how the CLI obtains a passphrase: from the environment
// variable SAFEHOUSE_PASSPHRASE (for scripts), else from the terminal
// (/dev/tty, echo off), as age does. Also the identity that asks for it only
// when a file turns out to be passphrase-encrypted.
#ifndef SAFEHOUSE_CLI_PASSPHRASE_H_
#define SAFEHOUSE_CLI_PASSPHRASE_H_

#include <string_view>

#include "age/recipient.h"
#include "crypto/secret_bytes.h"

namespace safehouse::cli {

inline constexpr const char* kPassphraseEnv = "SAFEHOUSE_PASSPHRASE";
// Longer lines are refused rather than silently cut (bytes).
inline constexpr std::size_t kMaxPassphraseBytes = 1024;

enum class Confirm { kNo, kYes };

// Returns the passphrase from $SAFEHOUSE_PASSPHRASE (whose value is then
// wiped from the environment block), or asks on the terminal with `prompt`,
// twice when `confirm` is kYes. An empty passphrase is an error.
Result<crypto::SecretBytes> read_passphrase(std::string_view prompt, Confirm confirm);

// Decrypt-side identity for passphrase-encrypted files ("scrypt" stanza).
// With kAsk (no -i given) it reads the passphrase once and unwraps with it;
// with kRefuse (placed after the -i identities) it turns "no identity
// matched" on a passphrase file into a clear error. On files without an
// scrypt stanza it answers kNoMatch and never asks.
class PassphrasePromptIdentity final : public age::Identity {
 public:
  enum class Mode { kAsk, kRefuse };
  explicit PassphrasePromptIdentity(Mode mode) : mode_(mode) {}
  Result<crypto::SecretBytes> unwrap(std::span<const age::Stanza> stanzas) const override;

 private:
  Mode mode_;
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_PASSPHRASE_H_
