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

// Decrypt-side identity for files without -i: on a file whose stanza is
// "scrypt" it reads the passphrase (once) and unwraps with it; on any other
// file it answers kNoMatch without asking.
class PassphrasePromptIdentity final : public age::Identity {
 public:
  Result<crypto::SecretBytes> unwrap(std::span<const age::Stanza> stanzas) const override;
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_PASSPHRASE_H_
