// SPDX-License-Identifier: AGPL-3.0-or-later
// config/config.h: an installation's settings, kept in DIR/config.toml
// (docs/installation.md): organisation name and default language, listen
// addresses, session idle time, size limits, the database, quotas
// (config/quotas.h). Parsed strictly (unknown keys are errors: a typo must
// not silently fall back to a default). Knows nothing of keys or storage.
#ifndef SAFEHOUSE_CONFIG_CONFIG_H_
#define SAFEHOUSE_CONFIG_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "config/quotas.h"
#include "store/blob_store.h"

namespace safehouse::config {

inline constexpr const char* kConfigFileName = "config.toml";

// An IP literal and port, as written "127.0.0.1:8080" or "[::1]:8080".
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const;
  bool operator==(const ListenAddress&) const = default;
};
// kInvalidArgument with a message naming what is wrong. Host names are
// refused: a listener binds an address, never a name resolved at start-up.
Result<ListenAddress> parse_listen_address(std::string_view text);

struct Limits {
  // Largest request body of one submission (all its parts), bytes.
  std::uint64_t max_upload_bytes = std::uint64_t{2} << 30;  // 2 GiB
  // Largest text message (the form's message field), bytes.
  std::uint64_t max_message_bytes = 1 << 20;  // 1 MiB
  bool operator==(const Limits&) const = default;
};

// Where the records and the blobs live (docs/storage.md).
struct Storage {
  // "" (the default): SQLite in the data directory, for one server.
  // "postgresql://…": that PostgreSQL database, shared by several servers.
  std::string database;
  // Where large ciphertexts go: "" for the engine's default (PostgreSQL:
  // "postgresql", in the database; SQLite: the file engine's default),
  // "postgresql" (only with a PostgreSQL database), or a file engine of
  // DIR/blobs ("directory", "pack"; store/blob_store.h) — with several
  // servers, on one shared mount.
  std::string blobs;
  bool operator==(const Storage&) const = default;
};

struct KeySettings {
  // A file (outside the data directory) holding the log key's passphrase,
  // e.g. written by `init --demo`; "" for none (then $CREDENTIALS_DIRECTORY
  // or a prompt; docs/installation.md).
  std::string log_key_passphrase_file;
  bool operator==(const KeySettings&) const = default;
};

// What the transparency log publishes (docs/tlog.md, "Case events in the
// log"): the taxonomy reviewers categorise cases by (`safehouse review
// categorise`), and the publication threshold of statements' counts.
struct LogSettings {
  std::vector<std::string> categories{"army", "guard", "police", "intelligence", "other"};
  std::uint64_t threshold = 10;  // counts below it are published as "<threshold"
  bool operator==(const LogSettings&) const = default;
};

// A tlog-witness that `serve` asks to cosign each new checkpoint (a
// [[witness]] table; docs/tlog.md, "Witnesses").
struct WitnessSettings {
  std::string name;  // for messages: "name: 1 to 64 of A-Z a-z 0-9 . _ -"
  std::string url;   // http://HOST[:PORT][/PREFIX]; requests go to URL/add-checkpoint
  std::string key;   // its cosignature/v1 (type 0x04) verifier key
  bool operator==(const WitnessSettings&) const = default;
};

// The installation's genuine onion addresses ([onion] addresses), published
// as a note signed with the log key (docs/tlog.md, "Onion addresses").
struct OnionSettings {
  std::vector<std::string> addresses;  // "<56 base32 characters>.onion", lower case
  bool operator==(const OnionSettings&) const = default;
};

// A v3 onion address as [onion] addresses takes it: 56 of a-z 2-7 then ".onion".
bool is_onion_address(std::string_view text);

struct Config {
  std::string organisation_name = "Safehouse";
  // The language `GET /` leads to when the browser asks for neither: "en" or
  // "fa" (the URL codes of web/language.h).
  std::string default_language = "en";
  Storage storage;
  ListenAddress source_listen{"127.0.0.1", 8080};
  ListenAddress staff_listen{"127.0.0.1", 8081};
  int session_idle_minutes = 15;
  Limits limits;
  KeySettings keys;
  Quotas quotas;
  LogSettings log;
  std::vector<WitnessSettings> witnesses;
  OnionSettings onion;
  bool operator==(const Config&) const = default;
};

// Parses config.toml text. Errors read "config: <what>" and name the key or
// the line, e.g. "config: line 3: expected '='", "config: source.listen: port
// is not a number".
Result<Config> parse_config(std::string_view text);
// The TOML text for `config`, with comments explaining each setting.
std::string format_config(const Config& config);
// Reads DIR/config.toml. kNotFound: "config: no DIR/config.toml (run
// `safehouse init --data DIR` first)".
Result<Config> load_config(const std::filesystem::path& data_dir);

}  // namespace safehouse::config

#endif  // SAFEHOUSE_CONFIG_CONFIG_H_
