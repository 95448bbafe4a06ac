// SPDX-License-Identifier: AGPL-3.0-or-later
// config/transparency_log.h: the installation's transparency log as the
// installation sees it (docs/tlog.md, "The installation's log"): its origin
// line, the note signer made from the log key, and creating the log — a
// signed size-0 checkpoint — at `safehouse init`. The log's tiles live in
// the database (store/log_store.h).
#ifndef SAFEHOUSE_CONFIG_TRANSPARENCY_LOG_H_
#define SAFEHOUSE_CONFIG_TRANSPARENCY_LOG_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "config/log_key.h"
#include "store/file_system.h"
#include "store/log_store.h"
#include "tlog/note_key.h"

namespace safehouse::config {

// The origin of the installation's checkpoints: "<key name>/<key hash>/log",
// e.g. "example-org/c74f20a3/log" — fixed at init, unique per log key
// (witnesses tell logs apart by origin), known before any onion address is.
std::string log_origin(const LogKey& key);

// A signer of notes with the log key (the same key, as tlog's type).
tlog::Ed25519Signer log_signer(const LogKey& key);

// The text of the onion-address note (docs/tlog.md, "Onion addresses"):
//   safehouse/onion-addresses/v1\nlog <origin>\nonion <address>\n…
// one line per address in the order of config.toml.
std::string onion_addresses_text(std::string_view origin,
                                 const std::vector<std::string>& addresses);
// That text signed with the log key: what /log/onion-addresses serves.
Result<std::string> onion_addresses_note(const LogKey& key,
                                         const std::vector<std::string>& addresses);

// Creates the log in the database of the installation in `dir` (`database`
// as in config.toml), signed with `key`; an existing log is left as it is.
Result<store::LogHead> create_log(const std::filesystem::path& dir, const std::string& database,
                                  const LogKey& key, store::FileSystem& fs);

}  // namespace safehouse::config

#endif  // SAFEHOUSE_CONFIG_TRANSPARENCY_LOG_H_
