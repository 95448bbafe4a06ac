// SPDX-License-Identifier: AGPL-3.0-or-later
// config/installation.h: an installation's data directory (docs/installation.md):
// creating one (`safehouse init`) and opening one (`safehouse serve`, the
// review commands). Joins the config file, the log key, the recipient set,
// the reviewer identity file and the store; knows nothing of HTTP or intake.
#ifndef SAFEHOUSE_CONFIG_INSTALLATION_H_
#define SAFEHOUSE_CONFIG_INSTALLATION_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "age/scrypt.h"
#include "age/x25519.h"
#include "base/error.h"
#include "config/config.h"
#include "config/log_key.h"
#include "crypto/secret_bytes.h"
#include "store/copy_store.h"
#include "store/file_system.h"
#include "store/store.h"

namespace safehouse::config {

// Where things live inside the data directory DIR.
struct Layout {
  std::filesystem::path dir;
  std::filesystem::path config_file() const { return dir / kConfigFileName; }
  std::filesystem::path keys_dir() const { return dir / "keys"; }
  // The log key, age-encrypted with a passphrase (scrypt): never in clear.
  std::filesystem::path log_key_file() const { return keys_dir() / "log.key.age"; }
  std::filesystem::path log_verifier_key_file() const { return keys_dir() / "log.vkey"; }
  std::filesystem::path recipients_file() const { return keys_dir() / "recipients.txt"; }
  std::filesystem::path reviewers_dir() const { return dir / "reviewers"; }
  std::filesystem::path reviewer_file(std::string_view name) const {
    return reviewers_dir() / (std::string(name) + ".age");
  }
  std::filesystem::path demo_identity_file() const { return dir / "demo-reviewer.key"; }
};

struct InitOptions {
  std::string organisation_name = "Safehouse";
  // Also write the reviewer identity in plain text to DIR/demo-reviewer.key.
  bool demo = false;
  // scrypt work factor of the reviewer identity file (tests lower it); the
  // log key's generated passphrase uses at most 2^10.
  int scrypt_work_factor = age::kScryptDefaultWorkFactor;
  // Where to write the log key's passphrase (mode 0600), named in
  // config.toml so that `serve` unlocks the key without a prompt. Must be
  // outside DIR (kInvalidArgument otherwise). Empty: the passphrase is only
  // returned (InitResult), to be shown once.
  std::filesystem::path log_key_passphrase_file;
  // "" for SQLite in DIR, or a postgresql:// URL (docs/storage.md).
  std::string database;
  // Join the installation already in `database` (a second server) instead
  // of creating one: the organisation name, the recipient set and the log
  // verifier key come from the database; the log signing key, which is
  // never stored there, from `log_key_file` (a copy of the first server's
  // log key in clear, from `safehouse decrypt DIR/keys/log.key.age`). No
  // reviewer identity is made; the key is encrypted here with a new passphrase.
  bool join = false;
  std::filesystem::path log_key_file;
};

// Where `init --demo` keeps the log key's passphrase: next to DIR, never
// inside it (DIR "data" → "data.log-key-passphrase").
std::filesystem::path demo_log_key_passphrase_file(const std::filesystem::path& dir);

// The file name, in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=), that
// `serve` reads the log key's passphrase from.
inline constexpr const char* kLogKeyCredential = "safehouse-log-key";

// Settings every installation keeps in its database, so that a second
// server can join it (`init --join`).
inline constexpr const char* kOrganisationSetting = "installation/organisation";
inline constexpr const char* kRecipientsSetting = "installation/recipients";
inline constexpr const char* kVerifierKeySetting = "installation/log_verifier_key";

struct InitResult {
  Layout layout;
  bool joined = false;             // InitOptions::join: nothing new was made
  std::string verifier_key;        // the log key's, to publish
  std::string reviewer_recipient;  // age1...
  // The passphrase of reviewers/reviewer.age: shown once, never stored.
  crypto::SecretBytes reviewer_passphrase;
  // The passphrase of keys/log.key.age: `serve` needs it at every start.
  crypto::SecretBytes log_key_passphrase;
};

// Creates an installation in `dir`, which must not exist or be empty
// (kConflict "init: DIR is not empty" otherwise, so an installation is never
// overwritten), or joins one (InitOptions::join). A PostgreSQL database
// that already holds an installation is refused without --join (kConflict). On failure, removes
// what it created. Every file is written to a temporary name, fsynced and renamed; secrets are mode
// 0600 in 0700 directories.
Result<InitResult> create_installation(const std::filesystem::path& dir, const InitOptions& options,
                                       store::FileSystem& fs);

// `safehouse migrate`: moves the records of the SQLite installation in `dir`
// to the empty PostgreSQL database `url` and proves the copy
// (store/copy_store.h), stores the settings a joining server needs, then
// points DIR/config.toml at the database. DIR/safehouse.sqlite3 is left as
// it was, as a backup. kConflict if DIR already uses PostgreSQL. The server
// must be stopped while this runs.
Result<store::CopyReport> migrate_to_postgres(const std::filesystem::path& dir,
                                              const std::string& url, store::FileSystem& fs);

// A random passphrase: 6 groups of 5 characters from a 32-letter alphabet
// (150 bits), e.g. "k3mzq-...". Used for reviewer identity files.
crypto::SecretBytes generate_passphrase();

// An opened installation: config, keys and store, ready to serve.
// Thread safety: const members may be called from any thread; the store is
// thread-safe itself.
class Installation {
 public:
  // kNotFound when DIR holds no installation (the message says to run init);
  // other errors name the file that is wrong. Unlocks the log key when its
  // passphrase is at hand without asking: the file config.toml names
  // (keys.log_key_passphrase_file), else $CREDENTIALS_DIRECTORY/
  // safehouse-log-key; a wrong passphrase there is an error. Otherwise the
  // key stays locked (the review commands do not need it).
  static Result<std::unique_ptr<Installation>> open(const std::filesystem::path& dir,
                                                    store::FileSystem& fs);

  const Layout& layout() const { return layout_; }
  const Config& config() const { return config_; }
  Config& mutable_config() { return config_; }  // command-line overrides
  // The log key's verifier key (keys/log.vkey), locked or not.
  const std::string& verifier_key() const { return verifier_key_; }
  bool log_key_unlocked() const { return log_key_.has_value(); }
  // Decrypts keys/log.key.age. kNoMatch for a wrong passphrase; kIntegrity
  // if the key does not match keys/log.vkey.
  Result<void> unlock_log_key(const crypto::SecretBytes& passphrase);
  // Requires: log_key_unlocked().
  const LogKey& log_key() const { return *log_key_; }
  // The recipient set every new item was encrypted to when DIR was opened
  // (load_recipient_set() reads it afresh).
  const std::vector<age::X25519Recipient>& recipients() const { return recipients_; }
  std::vector<std::string> recipient_strings() const;
  store::Store& store() const { return *store_; }

 private:
  Installation(Layout layout, Config config, std::string verifier_key,
               std::vector<age::X25519Recipient> recipients, std::unique_ptr<store::Store> store)
      : layout_(std::move(layout)),
        config_(std::move(config)),
        verifier_key_(std::move(verifier_key)),
        recipients_(std::move(recipients)),
        store_(std::move(store)) {}

  Layout layout_;
  Config config_;
  std::string verifier_key_;
  std::optional<LogKey> log_key_;
  std::vector<age::X25519Recipient> recipients_;
  std::unique_ptr<store::Store> store_;
};

// The recipient set's text as kept in the database (kRecipientsSetting,
// which `safehouse recipients add|remove` changes, review/recipients.h);
// for a database that holds none yet, keys/recipients.txt.
Result<std::string> recipient_set_text(store::Store& store, const Layout& layout,
                                       store::FileSystem& fs);
// recipient_set_text(), parsed: what new items are encrypted to now.
Result<std::vector<age::X25519Recipient>> load_recipient_set(store::Store& store,
                                                             const Layout& layout,
                                                             store::FileSystem& fs);
// Rewrites keys/recipients.txt (atomically) as a copy of the set.
Result<void> write_recipient_copy(const Layout& layout, std::string_view text,
                                  store::FileSystem& fs);

// Reads an age recipients file (age1... lines, '#' comments); errors name
// the line number. At least one recipient is required.
Result<std::vector<age::X25519Recipient>> parse_recipient_set(std::string_view text);

}  // namespace safehouse::config

#endif  // SAFEHOUSE_CONFIG_INSTALLATION_H_
