// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/log_key_unlock.h: the one way a command that signs with the log key
// (`serve`, `statement sign`) gets it unlocked when Installation::open could
// not: the passphrase from the terminal or SAFEHOUSE_PASSPHRASE, else a
// clear error naming the ways to give it (docs/installation.md).
#ifndef SAFEHOUSE_CLI_LOG_KEY_UNLOCK_H_
#define SAFEHOUSE_CLI_LOG_KEY_UNLOCK_H_

#include <string_view>

#include "base/error.h"
#include "config/installation.h"

namespace safehouse::cli {

// Unlocks installation's log key unless it is already; `command` names the
// caller in the error ("serve").
Result<void> ensure_log_key_unlocked(config::Installation& installation, std::string_view command);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_LOG_KEY_UNLOCK_H_
