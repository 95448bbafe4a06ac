// SPDX-License-Identifier: AGPL-3.0-or-later
// config/config.cpp: config.toml through toml++, with every value checked
// and every unknown key refused.
#include "config/config.h"

#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "store/blob_store.h"
#include "tlog/note_key.h"

namespace safehouse::config {

namespace {

constexpr std::int64_t kMaxSessionIdleMinutes = 24 * 60;
constexpr std::size_t kMaxOrganisationNameBytes = 200;

Error config_error(std::string what) {
  return invalid_argument(std::move(what));
}

Result<void> only_keys(const toml::table& table, std::string_view where,
                       std::initializer_list<std::string_view> keys) {
  for (const auto& [key, value] : table) {
    bool known = false;
    for (std::string_view k : keys) known = known || key.str() == k;
    if (!known) {
      return config_error(std::string(where.empty() ? "" : std::string(where) + ".") +
                          std::string(key.str()) + ": unknown setting");
    }
  }
  return {};
}

const toml::table* section(const toml::table& root, std::string_view name) {
  return root[name].as_table();
}

Result<std::int64_t> integer(const toml::table& table, std::string_view where, std::string_view key,
                             std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return fallback;
  const auto* value = node->as_integer();
  const std::string name = std::string(where) + "." + std::string(key);
  if (value == nullptr) return config_error(name + ": not an integer");
  if (value->get() < min || value->get() > max) {
    return config_error(name + ": must be between " + std::to_string(min) + " and " +
                        std::to_string(max));
  }
  return value->get();
}

Result<ListenAddress> listen(const toml::table& root, std::string_view where,
                             ListenAddress fallback) {
  const toml::table* table = section(root, where);
  if (table == nullptr) return fallback;
  SAFEHOUSE_TRY_VOID(only_keys(*table, where, {"listen"}));
  const toml::node* node = table->get("listen");
  if (node == nullptr) return fallback;
  const auto* text = node->as_string();
  if (text == nullptr) return config_error(std::string(where) + ".listen: not a string");
  auto address = parse_listen_address(text->get());
  if (!address) return address.error().with_context(std::string(where) + ".listen");
  return *address;
}

// [log]: categories (1..64 distinct names, each 1..128 bytes of UTF-8
// without control characters, as log entries' openings carry them) and
// threshold (1..1000000).
Result<void> log_settings(const toml::table& table, LogSettings& log) {
  SAFEHOUSE_TRY_VOID(only_keys(table, "log", {"categories", "threshold"}));
  log.threshold = static_cast<std::uint64_t>(SAFEHOUSE_TRY(
      integer(table, "log", "threshold", static_cast<std::int64_t>(log.threshold), 1, 1000000)));
  const toml::node* node = table.get("categories");
  if (node == nullptr) return {};
  const toml::array* array = node->as_array();
  if (array == nullptr) return config_error("log.categories: not an array of strings");
  std::vector<std::string> categories;
  for (const toml::node& item : *array) {
    const auto* text = item.as_string();
    if (text == nullptr) return config_error("log.categories: not an array of strings");
    const std::string& name = text->get();
    bool bad = name.empty() || name.size() > 128;
    for (unsigned char c : name) bad = bad || c < 0x20 || c == 0x7f;
    if (bad) {
      return config_error("log.categories: \"" + name +
                          "\" is not 1..128 bytes without control characters");
    }
    for (const std::string& seen : categories) {
      if (seen == name) return config_error("log.categories: \"" + name + "\" appears twice");
    }
    categories.push_back(name);
  }
  if (categories.empty() || categories.size() > 64) {
    return config_error("log.categories: must name 1 to 64 categories");
  }
  log.categories = std::move(categories);
  return {};
}

Result<void> quota_values(const toml::table& table, Quotas& quotas) {
  for (const auto& [key, value] : table) {
    bool known = false;
    for (const QuotaKey& quota : quota_keys()) known = known || key.str() == quota.name;
    if (!known) return config_error("quotas." + std::string(key.str()) + ": unknown setting");
  }
  for (const QuotaKey& quota : quota_keys()) {
    quotas.*quota.member = static_cast<std::uint64_t>(SAFEHOUSE_TRY(
        integer(table, "quotas", quota.name, static_cast<std::int64_t>(quotas.*quota.member), 0,
                static_cast<std::int64_t>(quota.max))));
  }
  return {};
}

Result<std::string> string_value(const toml::table& table, std::string_view where,
                                 std::string_view key) {
  const toml::node* node = table.get(key);
  const std::string name = std::string(where) + "." + std::string(key);
  if (node == nullptr) return config_error(name + ": missing");
  if (!node->is_string()) return config_error(name + ": not a string");
  return node->as_string()->get();
}

bool is_witness_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// [[witness]] name = "…" url = "http://…" key = "<cosignature/v1 verifier key>"
Result<void> witness_tables(const toml::table& root, std::vector<WitnessSettings>& out) {
  const toml::node* node = root.get("witness");
  if (node == nullptr) return {};
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return config_error("witness: not an array of tables (write [[witness]])");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    const std::string where = "witness[" + std::to_string(i + 1) + "]";
    SAFEHOUSE_TRY_VOID(only_keys(table, where, {"name", "url", "key"}));
    WitnessSettings witness;
    witness.name = SAFEHOUSE_TRY(string_value(table, where, "name"));
    witness.url = SAFEHOUSE_TRY(string_value(table, where, "url"));
    witness.key = SAFEHOUSE_TRY(string_value(table, where, "key"));
    if (!is_witness_name(witness.name)) {
      return config_error(where + ".name: must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    // The client speaks plain HTTP (a local Tor port forward reaches an onion).
    if (!witness.url.starts_with("http://") || witness.url.size() <= 7 ||
        witness.url.find_first_of("?# ") != std::string::npos) {
      return config_error(where + ".url: must be http://HOST[:PORT][/PATH]");
    }
    auto key = tlog::parse_verifier_key_parts(witness.key);
    if (!key) return key.error().with_context(where + ".key");
    if (key->type != tlog::kKeyTypeCosignatureV1) {
      return config_error(where + ".key: not a cosignature/v1 (type 0x04) verifier key");
    }
    for (const WitnessSettings& other : out) {
      if (other.name == witness.name) return config_error(where + ".name: used twice");
      if (other.key == witness.key) return config_error(where + ".key: used twice");
    }
    out.push_back(std::move(witness));
  }
  return {};
}

// [onion] addresses = ["<v3>.onion", …]
Result<void> onion_addresses(const toml::table& table, OnionSettings& onion) {
  SAFEHOUSE_TRY_VOID(only_keys(table, "onion", {"addresses"}));
  const toml::node* node = table.get("addresses");
  if (node == nullptr) return {};
  const toml::array* array = node->as_array();
  if (array == nullptr) return config_error("onion.addresses: not an array");
  for (const toml::node& item : *array) {
    if (!item.is_string()) return config_error("onion.addresses: not an array of strings");
    const std::string& address = item.as_string()->get();
    if (!is_onion_address(address)) {
      return config_error("onion.addresses: '" + address +
                          "' is not a v3 onion address (56 of a-z 2-7, then .onion)");
    }
    for (const std::string& other : onion.addresses) {
      if (other == address) return config_error("onion.addresses: '" + address + "' twice");
    }
    onion.addresses.push_back(address);
  }
  return {};
}

Result<Config> from_table(const toml::table& root) {
  SAFEHOUSE_TRY_VOID(only_keys(root, "",
                               {"organisation", "source", "staff", "session", "limits", "storage",
                                "keys", "quotas", "witness", "onion", "log"}));
  Config config;
  if (const toml::table* org = section(root, "organisation")) {
    SAFEHOUSE_TRY_VOID(only_keys(*org, "organisation", {"name", "default_language"}));
    if (const toml::node* name = org->get("name")) {
      if (!name->is_string()) return config_error("organisation.name: not a string");
      config.organisation_name = name->as_string()->get();
    }
    if (const toml::node* language = org->get("default_language")) {
      if (!language->is_string())
        return config_error("organisation.default_language: not a string");
      config.default_language = language->as_string()->get();
      if (config.default_language != "en" && config.default_language != "fa") {
        return config_error("organisation.default_language: must be \"en\" or \"fa\"");
      }
    }
  }
  if (config.organisation_name.empty() ||
      config.organisation_name.size() > kMaxOrganisationNameBytes) {
    return config_error("organisation.name: must be 1 to 200 bytes");
  }
  config.source_listen = SAFEHOUSE_TRY(listen(root, "source", config.source_listen));
  config.staff_listen = SAFEHOUSE_TRY(listen(root, "staff", config.staff_listen));
  if (const toml::table* session = section(root, "session")) {
    SAFEHOUSE_TRY_VOID(only_keys(*session, "session", {"idle_minutes"}));
    config.session_idle_minutes = static_cast<int>(
        SAFEHOUSE_TRY(integer(*session, "session", "idle_minutes", config.session_idle_minutes, 1,
                              kMaxSessionIdleMinutes)));
  }
  if (const toml::table* limits = section(root, "limits")) {
    SAFEHOUSE_TRY_VOID(only_keys(*limits, "limits", {"max_upload_bytes", "max_message_bytes"}));
    config.limits.max_upload_bytes = static_cast<std::uint64_t>(SAFEHOUSE_TRY(integer(
        *limits, "limits", "max_upload_bytes",
        static_cast<std::int64_t>(config.limits.max_upload_bytes), 1024, std::int64_t{1} << 40)));
    config.limits.max_message_bytes = static_cast<std::uint64_t>(SAFEHOUSE_TRY(integer(
        *limits, "limits", "max_message_bytes",
        static_cast<std::int64_t>(config.limits.max_message_bytes), 1024, std::int64_t{64} << 20)));
  }
  if (const toml::table* quotas = section(root, "quotas")) {
    SAFEHOUSE_TRY_VOID(quota_values(*quotas, config.quotas));
  }
  if (const toml::table* storage = section(root, "storage")) {
    SAFEHOUSE_TRY_VOID(only_keys(*storage, "storage", {"database", "blobs"}));
    if (const toml::node* blobs = storage->get("blobs")) {
      if (!blobs->is_string()) return config_error("storage.blobs: not a string");
      config.storage.blobs = blobs->as_string()->get();
      if (!config.storage.blobs.empty() && config.storage.blobs != "postgresql") {
        auto engine = store::parse_blob_engine(config.storage.blobs);
        if (!engine) return engine.error().with_context("storage.blobs");
      }
    }
    if (const toml::node* database = storage->get("database")) {
      if (!database->is_string()) return config_error("storage.database: not a string");
      config.storage.database = database->as_string()->get();
      const std::string_view url = config.storage.database;
      if (!url.empty() && !url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
        return config_error("storage.database: must be empty (SQLite) or a postgresql:// URL");
      }
    }
    if (config.storage.blobs == "postgresql" && config.storage.database.empty()) {
      return config_error("storage.blobs: \"postgresql\" needs a postgresql:// database");
    }
  }
  if (const toml::table* keys = section(root, "keys")) {
    SAFEHOUSE_TRY_VOID(only_keys(*keys, "keys", {"log_key_passphrase_file"}));
    if (const toml::node* file = keys->get("log_key_passphrase_file")) {
      if (!file->is_string()) return config_error("keys.log_key_passphrase_file: not a string");
      config.keys.log_key_passphrase_file = file->as_string()->get();
    }
  }
  if (const toml::table* log = section(root, "log")) {
    SAFEHOUSE_TRY_VOID(log_settings(*log, config.log));
  }
  SAFEHOUSE_TRY_VOID(witness_tables(root, config.witnesses));
  if (root.contains("onion")) {
    const toml::table* onion = section(root, "onion");
    if (onion == nullptr) return config_error("onion: not a table");
    SAFEHOUSE_TRY_VOID(onion_addresses(*onion, config.onion));
  }
  for (std::string_view name : {"source", "staff", "session", "limits", "organisation", "storage",
                                "keys", "quotas", "log"}) {
    if (root.contains(name) && section(root, name) == nullptr) {
      return config_error(std::string(name) + ": not a table");
    }
  }
  return config;
}

}  // namespace

bool is_onion_address(std::string_view text) {
  constexpr std::string_view kSuffix = ".onion";
  if (text.size() != 56 + kSuffix.size() || !text.ends_with(kSuffix)) return false;
  for (char c : text.substr(0, 56)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return false;
  }
  return true;
}

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalid_argument("expected HOST:PORT");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return invalid_argument("host is not an IP address");
  unsigned port = 0;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() ||
      port > 65535) {
    return invalid_argument("port is not a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<Config> parse_config(std::string_view text) {
  try {
    toml::table root = toml::parse(text);
    auto config = from_table(root);
    if (!config) return config.error().with_context("config");
    return config;
  } catch (const toml::parse_error& e) {
    return invalid_argument("config: line " + std::to_string(e.source().begin.line) + ": " +
                            std::string(e.description()));
  }
}

namespace {

std::string format_log_settings(const LogSettings& settings) {
  toml::array categories;
  for (const std::string& category : settings.categories) categories.push_back(category);
  std::ostringstream log;
  log << "[log]\n# The categories reviewers file cases under (`safehouse review categorise`).\n"
      << "# Each case event in the transparency log carries a hiding commitment to its\n"
      << "# case's category; accredited observers get the openings (docs/tlog.md).\n"
      << toml::table{{"categories", categories}} << "\n"
      << "# Published statements show a count below this as \"<threshold\".\n"
      << "threshold = " << settings.threshold << "\n\n";
  return log.str();
}

}  // namespace

std::string format_config(const Config& config) {
  toml::table org{{"name", config.organisation_name}};
  std::ostringstream out;
  out << "# Safehouse installation settings (docs/installation.md).\n"
      << "# The server reads this file at start; restart it after a change.\n\n"
      << "[organisation]\n# Shown on every source page.\n"
      << org << "\n"
      << "# Where the bare address (/) leads when the browser asks for neither\n"
      << "# language: \"en\" (English) or \"fa\" (Persian). A browser whose\n"
      << "# Accept-Language names English or Persian gets that one.\n"
      << "default_language = \"" << config.default_language << "\"\n\n"
      << "[source]\n# The source listener (put a Tor onion service in front of it).\n"
      << "listen = \"" << config.source_listen.to_string() << "\"\n\n"
      << "[staff]\n# The staff listener: reviewers and /metrics (a separate onion service\n"
      << "# with client authorisation).\n"
      << "listen = \"" << config.staff_listen.to_string() << "\"\n\n"
      << "[session]\n# A source's session ends after this many idle minutes.\n"
      << "idle_minutes = " << config.session_idle_minutes << "\n\n"
      << "[limits]\n# Largest submission (request body, all files together), bytes.\n"
      << "max_upload_bytes = " << config.limits.max_upload_bytes << "\n"
      << "# Largest text message, bytes.\n"
      << "max_message_bytes = " << config.limits.max_message_bytes << "\n\n"
      << "[storage]\n# \"\": SQLite in this directory (one server). "
         "\"postgresql://USER@HOST/DB\":\n"
      << "# that database, shared by several servers (docs/storage.md); keep its\n"
      << "# password in ~/.pgpass rather than here.\n"
      << toml::table{{"database", config.storage.database}} << "\n"
      << "# Large ciphertexts: \"\" (PostgreSQL: in the database; SQLite: DIR/blobs),\n"
      << "# \"postgresql\", or a file engine of DIR/blobs: \"pack\" or \"directory\"\n"
      << "# (with several servers, one shared mount).\n"
      << "# \"\" with SQLite is \"pack\": no file's times date a submission; never\n"
      << "# change it on an installation that holds data.\n"
      << toml::table{{"blobs", config.storage.blobs}} << "\n\n"
      << "[keys]\n# keys/log.key.age is encrypted; serve unlocks it with the passphrase in\n"
      << "# this file (outside the data directory), else in\n"
      << "# $CREDENTIALS_DIRECTORY/safehouse-log-key, else asks on the terminal.\n"
      << toml::table{{"log_key_passphrase_file", config.keys.log_key_passphrase_file}} << "\n\n"
      << format_log_settings(config.log)
      << "[quotas]\n# What one client may take, so that nobody can take the intake down\n"
      << "# or fill the disk. 0 means no limit (for benchmarks and load tests only).\n";
  for (const QuotaKey& quota : quota_keys()) {
    std::string comment(quota.comment);
    for (std::size_t at = 0; (at = comment.find('\n', at)) != std::string::npos; at += 3) {
      comment.replace(at, 1, "\n# ");
    }
    out << "# " << comment << "\n" << quota.name << " = " << config.quotas.*quota.member << "\n";
  }
  toml::array onions;
  for (const std::string& address : config.onion.addresses) onions.push_back(address);
  out << "\n[onion]\n# The source listener's genuine onion addresses (\"<56 characters>.onion\"),\n"
      << "# shown on the landing page and at /log/onion-addresses in a note signed\n"
      << "# with the log key, so that a cloned intake page can be told apart.\n"
      << toml::table{{"addresses", onions}} << "\n";
  out << "\n# Witnesses that cosign each new checkpoint of the log (docs/tlog.md), one\n"
      << "# [[witness]] table each: name, url = \"http://HOST:PORT[/PATH]\" (requests go\n"
      << "# to URL/add-checkpoint) and key, the witness's cosignature/v1 verifier key.\n";
  for (const WitnessSettings& witness : config.witnesses) {
    out << "[[witness]]\n"
        << toml::table{{"name", witness.name}, {"url", witness.url}, {"key", witness.key}} << "\n";
  }
  return out.str();
}

Result<Config> load_config(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / kConfigFileName;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "config: cannot read " + path.string() +
                                           " (run `safehouse init --data " + data_dir.string() +
                                           "` first)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error("config: cannot read " + path.string());
  auto config = parse_config(text.str());
  if (!config) {
    // "config: line 3: ..." becomes "config: DIR/config.toml: line 3: ...".
    return invalid_argument("config: " + path.string() + ": " +
                            config.error().message().substr(std::string_view("config: ").size()));
  }
  return config;
}

}  // namespace safehouse::config
