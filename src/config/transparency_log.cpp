// SPDX-License-Identifier: AGPL-3.0-or-later
// config/transparency_log.cpp: the log key as a note signer, and the log's
// creation (config/transparency_log.h).
#include "config/transparency_log.h"

#include <cstdio>
#include <string_view>

namespace safehouse::config {

std::string log_origin(const LogKey& key) {
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", key.key_hash());
  return key.name() + "/" + hash + "/log";
}

tlog::Ed25519Signer log_signer(const LogKey& key) {
  // Both types read and write the same PRIVATE+KEY string: the one
  // conversion that keeps config/log_key.h free of tlog.
  const crypto::SecretBytes text = key.private_key_text();
  auto parsed = tlog::Ed25519Key::parse_private_key(
      std::string_view(reinterpret_cast<const char*>(text.reveal().data()), text.reveal().size()));
  if (!parsed) throw std::logic_error("log key: " + parsed.error().message());
  return tlog::Ed25519Signer(std::move(*parsed));
}

std::string onion_addresses_text(std::string_view origin,
                                 const std::vector<std::string>& addresses) {
  std::string text = "safehouse/onion-addresses/v1\nlog " + std::string(origin) + "\n";
  for (const std::string& address : addresses) text += "onion " + address + "\n";
  return text;
}

Result<std::string> onion_addresses_note(const LogKey& key,
                                         const std::vector<std::string>& addresses) {
  const tlog::Ed25519Signer signer = log_signer(key);
  const tlog::NoteSigner* signers[] = {&signer};
  return tlog::sign_note(onion_addresses_text(log_origin(key), addresses), signers);
}

Result<store::LogHead> create_log(const std::filesystem::path& dir, const std::string& database,
                                  const LogKey& key, store::FileSystem& fs) {
  auto log = store::LogStore::open(dir, database, fs);
  if (!log) return log.error().with_context("log");
  return (*log)->create(log_origin(key), log_signer(key));
}

}  // namespace safehouse::config
