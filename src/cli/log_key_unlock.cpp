// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/log_key_unlock.cpp: see cli/log_key_unlock.h.
#include "cli/log_key_unlock.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "cli/passphrase.h"

namespace safehouse::cli {

Result<void> ensure_log_key_unlocked(config::Installation& installation, std::string_view command) {
  if (installation.log_key_unlocked()) return {};
  if (::isatty(STDIN_FILENO) == 0 && std::getenv(kPassphraseEnv) == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(command) +
                     ": the log key is encrypted and no passphrase was given: name a file in "
                     "config.toml (keys.log_key_passphrase_file), set a systemd credential " +
                     std::string(config::kLogKeyCredential) + ", or start " + std::string(command) +
                     " on a terminal (docs/installation.md)");
  }
  crypto::SecretBytes passphrase =
      SAFEHOUSE_TRY(read_passphrase("Log key passphrase: ", Confirm::kNo));
  return installation.unlock_log_key(passphrase);
}

}  // namespace safehouse::cli
