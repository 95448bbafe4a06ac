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

Result<store::LogHead> create_log(const std::filesystem::path& dir, const std::string& database,
                                  const LogKey& key, store::FileSystem& fs) {
  auto log = store::LogStore::open(dir, database, fs);
  if (!log) return log.error().with_context("log");
  return (*log)->create(log_origin(key), log_signer(key));
}

}  // namespace safehouse::config
