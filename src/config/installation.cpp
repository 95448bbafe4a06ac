// SPDX-License-Identifier: AGPL-3.0-or-later
// config/installation.cpp: `safehouse init` and opening a data directory.
// Files are written through the store's FileSystem so that they get the
// same temp-file, fsync, rename, directory-fsync treatment as blobs.
#include "config/installation.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "age/age.h"
#include "age/scrypt.h"
#include "config/transparency_log.h"
#include "crypto/secret_sink.h"
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
// The log key's passphrase is always generated (150 random bits), so
// stretching adds nothing; the default work factor (2^18) would make serve
// take 256 MiB for a moment at every start.
constexpr int kLogKeyScryptWorkFactor = 10;

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

// Whether `inner` is `outer` or lies below it (both absolute, normalised).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

Result<crypto::SecretBytes> read_passphrase_file(store::FileSystem& files, const fs::path& path) {
  auto bytes = files.read_file(path, 4096);
  if (!bytes) return bytes.error().with_context("log key passphrase " + path.string());
  std::size_t n = bytes->size();
  while (n > 0 && ((*bytes)[n - 1] == '\n' || (*bytes)[n - 1] == '\r')) --n;
  crypto::SecretBytes passphrase(n);
  std::copy(bytes->begin(), bytes->begin() + static_cast<long>(n), passphrase.reveal().begin());
  crypto::wipe(*bytes);
  if (n == 0) return invalid_argument("log key passphrase " + path.string() + ": empty");
  return passphrase;
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

// Writes DIR/keys/log.key.age — encrypted at rest with a generated
// passphrase (result.log_key_passphrase, also written to
// options.log_key_passphrase_file if set), so that a copy of DIR does not
// let anyone sign as the organisation — and DIR/keys/log.vkey.
Result<void> write_log_key(const Layout& layout, const LogKey& log_key, const InitOptions& options,
                           InitResult& result, store::FileSystem& files) {
  crypto::SecretBytes private_text = log_key.private_key_text();
  crypto::SecretBytes line(private_text.size() + 1);
  std::copy(private_text.reveal().begin(), private_text.reveal().end(), line.reveal().begin());
  line.reveal().back() = '\n';
  result.log_key_passphrase = generate_passphrase();
  Bytes sealed_key = SAFEHOUSE_TRY(
      encrypt_with_passphrase(line, result.log_key_passphrase,
                              std::min(options.scrypt_work_factor, kLogKeyScryptWorkFactor)));
  SAFEHOUSE_TRY_VOID(write_file_atomic(files, layout.log_key_file(), sealed_key));
  if (!options.log_key_passphrase_file.empty()) {
    crypto::SecretBytes passphrase_line(result.log_key_passphrase.size() + 1);
    std::copy(result.log_key_passphrase.reveal().begin(), result.log_key_passphrase.reveal().end(),
              passphrase_line.reveal().begin());
    passphrase_line.reveal().back() = '\n';
    SAFEHOUSE_TRY_VOID(
        write_file_atomic(files, options.log_key_passphrase_file, passphrase_line.reveal()));
  }
  return write_text(files, layout.log_verifier_key_file(), log_key.verifier_key() + "\n");
}

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}
Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// A log key in clear text ("PRIVATE+KEY+…"), e.g. the file --join --log-key
// names (made with `safehouse decrypt DIR/keys/log.key.age`).
Result<LogKey> read_log_key(const fs::path& path, store::FileSystem& files) {
  auto key_bytes = files.read_file(path, kMaxSmallFileBytes);
  if (!key_bytes) return key_bytes.error().with_context(path.string());
  auto log_key = LogKey::parse_private(
      std::string_view(reinterpret_cast<const char*>(key_bytes->data()), key_bytes->size()));
  crypto::wipe(*key_bytes);
  if (!log_key) return log_key.error().with_context(path.string());
  return log_key;
}

// DIR/keys/log.vkey: the log key's public half, readable with the key locked.
Result<std::string> read_verifier_key(const Layout& layout, store::FileSystem& files) {
  auto bytes = files.read_file(layout.log_verifier_key_file(), kMaxSmallFileBytes);
  if (!bytes) return bytes.error().with_context(layout.log_verifier_key_file().string());
  std::string verifier(bytes->begin(), bytes->end());
  while (!verifier.empty() && (verifier.back() == '\n' || verifier.back() == '\r')) {
    verifier.pop_back();
  }
  return verifier;
}

// Returns the new log key, which signs the log's first checkpoint.
Result<LogKey> write_keys(const Layout& layout, const InitOptions& options, InitResult& result,
                          store::FileSystem& files) {
  LogKey log_key = LogKey::generate(key_name_for(options.organisation_name));
  SAFEHOUSE_TRY_VOID(write_log_key(layout, log_key, options, result, files));
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
  SAFEHOUSE_TRY_VOID(
      write_text(files, layout.recipients_file(),
                 "# The recipient set: every new item is encrypted to all of these.\n"
                 "# reviewer\n" +
                     result.reviewer_recipient + "\n"));
  return log_key;
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

// keys.log_key_passphrase_file for config.toml: absolute, and never inside
// DIR (that would defeat encrypting the key).
Result<std::string> passphrase_file_setting(const Layout& layout, const InitOptions& options) {
  if (options.log_key_passphrase_file.empty()) return std::string();
  const fs::path file = fs::absolute(options.log_key_passphrase_file).lexically_normal();
  if (is_within(file, fs::absolute(layout.dir).lexically_normal())) {
    return invalid_argument("init: the log key's passphrase file " + file.string() +
                            " must be outside the data directory");
  }
  return file.string();
}

Result<void> populate(const Layout& layout, const InitOptions& options, InitResult& result,
                      store::FileSystem& files) {
  Config config;
  config.organisation_name = options.organisation_name;
  config.keys.log_key_passphrase_file = SAFEHOUSE_TRY(passphrase_file_setting(layout, options));
  // Check the name the way `serve` will read it back.
  SAFEHOUSE_TRY_VOID(parse_config(format_config(config)));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.keys_dir()));
  SAFEHOUSE_TRY_VOID(files.create_directories(layout.reviewers_dir()));
  config.storage.database = options.database;
  const LogKey log_key = SAFEHOUSE_TRY(write_keys(layout, options, result, files));
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
  // The transparency log starts as a signed empty checkpoint
  // (docs/tlog.md), before the config file makes DIR an installation.
  auto log = create_log(layout.dir, options.database, log_key, files);
  if (!log) return log.error().with_context("init");
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
        "init: --join needs --log-key FILE, the first server's log key in clear "
        "(`safehouse decrypt DIR/keys/log.key.age`)");
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
  config.keys.log_key_passphrase_file = SAFEHOUSE_TRY(passphrase_file_setting(layout, options));
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
  SAFEHOUSE_TRY_VOID(write_log_key(layout, log_key, options, result, files));
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
  const std::string verifier_key = SAFEHOUSE_TRY(read_verifier_key(layout, files));
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
    SAFEHOUSE_TRY_VOID(
        put_installation_settings(**store, layout, config.organisation_name, verifier_key, files));
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

Result<std::string> recipient_set_text(store::Store& store, const Layout& layout,
                                       store::FileSystem& files) {
  auto setting = store.get_setting(kRecipientsSetting);
  if (setting) return text_of(*setting);
  if (setting.error().code() != ErrorCode::kNotFound) {
    return setting.error().with_context("database");
  }
  auto bytes = files.read_file(layout.recipients_file(), kMaxSmallFileBytes);
  if (!bytes) return bytes.error().with_context(layout.recipients_file().string());
  return text_of(*bytes);
}

Result<std::vector<age::X25519Recipient>> load_recipient_set(store::Store& store,
                                                             const Layout& layout,
                                                             store::FileSystem& files) {
  const std::string text = SAFEHOUSE_TRY(recipient_set_text(store, layout, files));
  auto set = parse_recipient_set(text);
  if (!set) return set.error().with_context("the recipient set");
  return set;
}

Result<void> write_recipient_copy(const Layout& layout, std::string_view text,
                                  store::FileSystem& files) {
  return write_text(files, layout.recipients_file(), std::string(text));
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
  std::string verifier = SAFEHOUSE_TRY(read_verifier_key(layout, files));

  auto store = store::open_store(dir, config.storage.database, config.storage.blobs, files);
  if (!store) return store.error().with_context("database");
  auto recipients = load_recipient_set(**store, layout, files);
  if (!recipients) return recipients.error();
  std::unique_ptr<Installation> installation(
      new Installation(std::move(layout), std::move(config), std::move(verifier),
                       std::move(*recipients), std::move(*store)));
  // The passphrase, where it can be had without asking.
  std::optional<fs::path> passphrase_file;
  if (!installation->config().keys.log_key_passphrase_file.empty()) {
    passphrase_file = installation->config().keys.log_key_passphrase_file;
  } else if (const char* credentials = std::getenv("CREDENTIALS_DIRECTORY")) {
    fs::path credential = fs::path(credentials) / kLogKeyCredential;
    if (SAFEHOUSE_TRY(files.exists(credential))) passphrase_file = credential;
  }
  if (passphrase_file) {
    crypto::SecretBytes passphrase = SAFEHOUSE_TRY(read_passphrase_file(files, *passphrase_file));
    auto unlocked = installation->unlock_log_key(passphrase);
    if (!unlocked) return unlocked.error().with_context(passphrase_file->string());
  }
  return installation;
}

fs::path demo_log_key_passphrase_file(const fs::path& dir) {
  fs::path absolute = fs::absolute(dir).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();
  return absolute.parent_path() / (absolute.filename().string() + ".log-key-passphrase");
}

Result<void> Installation::unlock_log_key(const crypto::SecretBytes& passphrase) {
  store::FileSystem& files = store::FileSystem::posix();
  auto sealed = files.read_file(layout_.log_key_file(), kMaxSmallFileBytes);
  if (!sealed) return sealed.error().with_context(layout_.log_key_file().string());
  age::ScryptIdentity identity(crypto::SecretBytes::copy_of(passphrase.reveal()));
  const age::Identity* identities[] = {&identity};
  SpanSource in(*sealed);
  crypto::SecretSink sink(kMaxSmallFileBytes, "log key");
  auto decrypted = age::decrypt(identities, in, sink);
  if (!decrypted) {
    const ErrorCode code = decrypted.error().code();
    if (code == ErrorCode::kNoMatch || code == ErrorCode::kIntegrity) {
      return Error(ErrorCode::kNoMatch, "log key: wrong passphrase");
    }
    return decrypted.error().with_context(layout_.log_key_file().string());
  }
  auto key = LogKey::parse_private(sink.text());
  if (!key) return key.error().with_context(layout_.log_key_file().string());
  if (key->verifier_key() != verifier_key_) {
    return Error(ErrorCode::kIntegrity,
                 "log key: does not match " + layout_.log_verifier_key_file().string());
  }
  log_key_ = std::move(*key);
  return {};
}

}  // namespace safehouse::config
