// SPDX-License-Identifier: AGPL-3.0-or-later
// config/installation.cpp: `safehouse init` and opening a data directory.
// Files are written through the store's FileSystem so that they get the
// same temp-file, fsync, rename, directory-fsync treatment as blobs.
#include "config/installation.h"

#include <sodium.h>

#include <system_error>

#include "age/age.h"
#include "store/open_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/types.h"

namespace safehouse::config {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSmallFileBytes = 64 * 1024;
constexpr std::string_view kPassphraseAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
constexpr int kPassphraseGroups = 6;
constexpr int kPassphraseGroupLength = 5;

Result<void> write_file_atomic(store::FileSystem& files, const fs::path& path, ByteSpan data) {
  const fs::path temp = path.string() + ".tmp";
  auto file = files.create_file(temp);
  if (!file) return file.error().with_context("init: " + temp.string());
  auto written = (*file)->append(data);
  if (written) written = (*file)->sync();
  if (written) written = (*file)->close();
  if (written) written = files.rename(temp, path);
  if (written) written = files.sync_directory(path.parent_path());
  if (!written) {
    (void)files.remove(temp);
    return written.error().with_context("init: " + path.string());
  }
  return {};
}

Result<void> write_text(store::FileSystem& files, const fs::path& path, std::string_view text) {
  return write_file_atomic(files, path, as_bytes(text));
}

// DIR must not hold anything: an installation is never overwritten.
Result<bool> check_empty(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return false;
  if (!fs::is_directory(dir, ec)) {
    return Error(ErrorCode::kConflict, "init: " + dir.string() + " exists and is not a directory");
  }
  if (!fs::is_empty(dir, ec) || ec) {
    return Error(ErrorCode::kConflict,
                 "init: " + dir.string() + " is not empty (an installation is never overwritten)");
  }
  return true;
}

// The identity file text: age-keygen's layout without its "# created:" time
// (identifying metadata).
crypto::SecretBytes identity_file_text(const age::X25519Identity& identity) {
  const std::string head =
      "# Safehouse reviewer identity\n# public key: " + identity.recipient().to_string() + "\n";
  const crypto::SecretBytes key = identity.to_string();
  crypto::SecretBytes text(head.size() + key.size() + 1);
  auto out = text.reveal();
  std::copy(head.begin(), head.end(), out.begin());
  std::copy(key.reveal().begin(), key.reveal().end(), out.begin() + static_cast<long>(head.size()));
  out.back() = '\n';
  return text;
}

Result<Bytes> encrypt_with_passphrase(const crypto::SecretBytes& plaintext,
                                      const crypto::SecretBytes& passphrase, int work_factor) {
  age::ScryptRecipient recipient(crypto::SecretBytes::copy_of(passphrase.reveal()), work_factor);
  const age::Recipient* recipients[] = {&recipient};
  Bytes ciphertext;
  VectorSink sink(ciphertext);
  auto encryptor = SAFEHOUSE_TRY(age::encrypt(recipients, sink));
  SAFEHOUSE_TRY_VOID(encryptor->write(plaintext.reveal()));
  SAFEHOUSE_TRY_VOID(encryptor->finish());
  return ciphertext;
}

// Writes DIR/keys/log.key and log.vkey for `log_key`.
Result<void> write_log_key(const Layout& layout, const LogKey& log_key, store::FileSystem& files) {
  crypto::SecretBytes private_text = log_key.private_key_text();
  crypto::SecretBytes line(private_text.size() + 1);
  std::copy(private_text.reveal().begin(), private_text.reveal().end(), line.reveal().begin());
  line.reveal().back() = '\n';
  SAFEHOUSE_TRY_VOID(write_file_atomic(files, layout.log_key_file(), line.reveal()));
  return write_text(files, layout.log_verifier_key_file(), log_key.verifier_key() + "\n");
}

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}
Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Result<LogKey> read_log_key(const fs::path& path, store::FileSystem& files) {
  auto key_bytes = files.read_file(path, kMaxSmallFileBytes);
  if (!key_bytes) return key_bytes.error().with_context(path.string());
  auto log_key = LogKey::parse_private(
      std::string_view(reinterpret_cast<const char*>(key_bytes->data()), key_bytes->size()));
  crypto::wipe(*key_bytes);
  if (!log_key) return log_key.error().with_context(path.string());
  return log_key;
}

Result<void> write_keys(const Layout& layout, const InitOptions& options, InitResult& result,
                        store::FileSystem& files) {
  LogKey log_key = LogKey::generate(key_name_for(options.organisation_name));
  SAFEHOUSE_TRY_VOID(write_log_key(layout, log_key, files));
  result.verifier_key = log_key.verifier_key();

  age::X25519Identity reviewer = age::X25519Identity::generate();
  result.reviewer_recipient = reviewer.recipient().to_string();
  result.reviewer_passphrase = generate_passphrase();
  const crypto::SecretBytes identity_text = identity_file_text(reviewer);
  Bytes sealed = SAFEHOUSE_TRY(encrypt_with_passphrase(identity_text, result.reviewer_passphrase,
                                                       options.scrypt_work_factor));
  SAFEHOUSE_TRY_VOID(write_file_atomic(files, layout.reviewer_file("reviewer"), sealed));
  if (options.demo) {
    SAFEHOUSE_TRY_VOID(
        write_file_atomic(files, layout.demo_identity_file(), identity_text.reveal()));
  }
  return write_text(files, layout.recipients_file(),
                    "# The recipient set: every new item is encrypted to all of these.\n"
                    "# reviewer\n" +
                        result.reviewer_recipient + "\n");
}

// Stores what a joining server needs, and nothing secret.
Result<void> put_installation_settings(store::Store& store, const Layout& layout,
                                       const std::string& organisation,
                                       const std::string& verifier_key, store::FileSystem& files) {
  auto recipients = files.read_file(layout.recipients_file(), kMaxSmallFileBytes);
  if (!recipients) return recipients.error().with_context(layout.recipients_file().string());
  store::WriteBatch settings;
  settings.put_setting(kOrganisationSetting, bytes_of(organisation));
  settings.put_setting(kRecipientsSetting, std::move(*recipients));
  settings.put_setting(kVerifierKeySetting, bytes_of(verifier_key));
  auto committed = store.commit(std::move(settings));
  if (!committed) return committed.error().with_context("database");
  return {};
}

Result<void> populate(const Layout& layout, const InitOptions& options, InitResult& result,
                      store::FileSystem& files) {
  Config config;
  config.organisation_name = options.organisation_name;
  // Check the name the way `serve` will read it back.
  SAFEHOUSE_TRY_VOID(parse_config(format_config(config)));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.keys_dir()));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.reviewers_dir()));
  config.storage.database = options.database;
  SAFEHOUSE_TRY_VOID(write_keys(layout, options, result, files));
  {
    auto store = store::open_store(layout.dir, options.database, "", files);
    if (!store) return store.error().with_context("init: database");
    if ((*store)->get_setting(kVerifierKeySetting)) {
      return Error(ErrorCode::kConflict,
                   "init: the database already holds an installation (a further server joins "
                   "it with --join; an installation is never overwritten)");
    }
    auto put = put_installation_settings(**store, layout, options.organisation_name,
                                         result.verifier_key, files);
    if (!put) return put.error().with_context("init");
  }
  // The config file last: its presence is what makes DIR an installation.
  return write_text(files, layout.config_file(), format_config(config));
}

// A further server for the installation in options.database.
Result<void> join(const Layout& layout, const InitOptions& options, InitResult& result,
                  store::FileSystem& files) {
  if (options.database.empty()) {
    return invalid_argument("init: --join needs --database postgresql://… (SQLite is one server)");
  }
  if (options.log_key_file.empty()) {
    return invalid_argument(
        "init: --join needs --log-key FILE, a copy of the first server's DIR/keys/log.key");
  }
  LogKey log_key = SAFEHOUSE_TRY(read_log_key(options.log_key_file, files));
  auto store = store::open_store(layout.dir, options.database, "", files);
  if (!store) return store.error().with_context("init: database");
  auto setting = [&](const char* key) -> Result<std::string> {
    auto value = (*store)->get_setting(key);
    if (!value && value.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound,
                   "init: the database holds no installation to join (run `safehouse init "
                   "--database …` without --join for the first server)");
    }
    if (!value) return value.error().with_context("init: database");
    return text_of(*value);
  };
  Config config;
  config.organisation_name = SAFEHOUSE_TRY(setting(kOrganisationSetting));
  config.storage.database = options.database;
  const std::string recipients = SAFEHOUSE_TRY(setting(kRecipientsSetting));
  result.verifier_key = SAFEHOUSE_TRY(setting(kVerifierKeySetting));
  if (log_key.verifier_key() != result.verifier_key) {
    return Error(ErrorCode::kIntegrity, "init: " + options.log_key_file.string() +
                                            " is not the log key of the installation in the "
                                            "database");
  }
  SAFEHOUSE_TRY_VOID(parse_recipient_set(recipients));
  SAFEHOUSE_TRY_VOID(parse_config(format_config(config)));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.keys_dir()));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.reviewers_dir()));
  SAFEHOUSE_TRY_VOID(write_log_key(layout, log_key, files));
  SAFEHOUSE_TRY_VOID(write_text(files, layout.recipients_file(), recipients));
  result.joined = true;
  return write_text(files, layout.config_file(), format_config(config));
}

}  // namespace

crypto::SecretBytes generate_passphrase() {
  constexpr std::size_t size = kPassphraseGroups * (kPassphraseGroupLength + 1) - 1;
  crypto::SecretBytes passphrase(size);
  auto out = passphrase.reveal();
  std::size_t at = 0;
  for (int group = 0; group < kPassphraseGroups; ++group) {
    if (group > 0) out[at++] = '-';
    for (int i = 0; i < kPassphraseGroupLength; ++i) {
      out[at++] = static_cast<std::uint8_t>(kPassphraseAlphabet[randombytes_uniform(
          static_cast<std::uint32_t>(kPassphraseAlphabet.size()))]);
    }
  }
  return passphrase;
}

Result<InitResult> create_installation(const fs::path& dir, const InitOptions& options,
                                       store::FileSystem& files) {
  const bool existed = SAFEHOUSE_TRY(check_empty(dir));
  InitResult result;
  result.layout.dir = dir;
  auto made = files.create_directories(dir);
  std::error_code ec;
  if (made) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (made && ec) made = io_error("init: cannot set the mode of " + dir.string() + " to 0700");
  if (made) {
    made = options.join ? join(result.layout, options, result, files)
                        : populate(result.layout, options, result, files);
  }
  if (!made) {
    // Leave nothing half-made behind: a partial directory would be refused
    // by the next `init` and not be usable by `serve`.
    if (existed) {
      for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    } else {
      fs::remove_all(dir, ec);
    }
    return made.error();
  }
  return result;
}

Result<store::CopyReport> migrate_to_postgres(const fs::path& dir, const std::string& url,
                                              store::FileSystem& files) {
  Layout layout{dir};
  Config config = SAFEHOUSE_TRY(load_config(dir));
  if (!config.storage.database.empty()) {
    return Error(ErrorCode::kConflict, "migrate: " + dir.string() + " already uses " +
                                           store::redact_postgres_url(config.storage.database));
  }
  if (!store::is_postgres_url(url))
    return invalid_argument("migrate: --to is not a postgresql:// URL");
  LogKey log_key = SAFEHOUSE_TRY(read_log_key(layout.log_key_file(), files));
  // The blobs stay in DIR/blobs, in the file engine that wrote them.
  const store::BlobEngine file_engine =
      config.storage.blobs.empty() ? store::SqliteOptions().blob_engine
                                   : SAFEHOUSE_TRY(store::parse_blob_engine(config.storage.blobs));
  store::CopyReport report =
      SAFEHOUSE_TRY(store::copy_sqlite_to_postgres(dir, url, file_engine, files));
  config.storage.blobs = std::string(store::blob_engine_name(file_engine));
  {
    auto store = store::open_store(dir, url, config.storage.blobs, files);
    if (!store) return store.error().with_context("migrate");
    SAFEHOUSE_TRY_VOID(put_installation_settings(**store, layout, config.organisation_name,
                                                 log_key.verifier_key(), files));
  }
  // Last, once everything is proven: from now on DIR uses the database.
  config.storage.database = url;
  SAFEHOUSE_TRY_VOID(write_text(files, layout.config_file(), format_config(config)));
  return report;
}

Result<std::vector<age::X25519Recipient>> parse_recipient_set(std::string_view text) {
  std::vector<age::X25519Recipient> recipients;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto recipient = age::X25519Recipient::parse(line);
    if (!recipient) {
      return malformed("recipients: line " + std::to_string(line_number) +
                       ": not an age1... recipient");
    }
    recipients.push_back(*recipient);
  }
  if (recipients.empty()) return malformed("recipients: no recipient in the file");
  return recipients;
}

std::vector<std::string> Installation::recipient_strings() const {
  std::vector<std::string> out;
  for (const auto& recipient : recipients_) out.push_back(recipient.to_string());
  return out;
}

Result<std::unique_ptr<Installation>> Installation::open(const fs::path& dir,
                                                         store::FileSystem& files) {
  Layout layout{dir};
  Config config = SAFEHOUSE_TRY(load_config(dir));
  auto log_key = read_log_key(layout.log_key_file(), files);
  if (!log_key) return log_key.error();

  auto recipients_bytes = files.read_file(layout.recipients_file(), kMaxSmallFileBytes);
  if (!recipients_bytes) {
    return recipients_bytes.error().with_context(layout.recipients_file().string());
  }
  auto recipients = parse_recipient_set(std::string_view(
      reinterpret_cast<const char*>(recipients_bytes->data()), recipients_bytes->size()));
  if (!recipients) return recipients.error().with_context(layout.recipients_file().string());

  auto store = store::open_store(dir, config.storage.database, config.storage.blobs, files);
  if (!store) return store.error().with_context("database");
  return std::unique_ptr<Installation>(new Installation(std::move(layout), std::move(config),
                                                        std::move(*log_key), std::move(*recipients),
                                                        std::move(*store)));
}

}  // namespace safehouse::config
