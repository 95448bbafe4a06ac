// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/log_fill.cpp: fills an installation's transparency log with COUNT
// case-event entries (docs/tlog.md, "Case-event entries": random case ids,
// days in 2026, random statuses, fresh commitments), appended through
// store::LogStore exactly as `log publish` appends them, in batches of
// 4096, each with a checkpoint signed by the installation's log key. For
// the /log/tile/… benchmark (bench/tile_bench.sh, bench/RESULTS.md); no
// case rows are made, so it is for a throwaway installation only.
//
//   SAFEHOUSE_PASSPHRASE=… log_fill DATA_DIR COUNT
#include <sodium.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "config/installation.h"
#include "config/transparency_log.h"
#include "crypto/secret_bytes.h"
#include "store/file_system.h"
#include "store/log_store.h"
#include "tlog/case_entry.h"

namespace {

using namespace safehouse;

Result<void> fill(const std::string& dir, std::uint64_t count) {
  auto installation = SAFEHOUSE_TRY(config::Installation::open(dir, store::FileSystem::posix()));
  if (!installation->log_key_unlocked()) {
    const char* passphrase = std::getenv("SAFEHOUSE_PASSPHRASE");
    if (passphrase == nullptr) return invalid_argument("log_fill: set SAFEHOUSE_PASSPHRASE");
    const std::string_view text(passphrase);
    SAFEHOUSE_TRY_VOID(installation->unlock_log_key(crypto::SecretBytes::copy_of(
        {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})));
  }
  const config::LogKey& key = installation->log_key();
  const tlog::Ed25519Signer signer = config::log_signer(key);
  auto log = SAFEHOUSE_TRY(store::LogStore::open(
      dir, installation->config().storage.database, store::FileSystem::posix()));
  SAFEHOUSE_TRY_VOID(log->create(config::log_origin(key), signer));
  const auto statuses = tlog::case_statuses();
  std::uint64_t done = SAFEHOUSE_TRY(log->head()).checkpoint.size;
  while (done < count) {
    std::vector<Bytes> batch;
    for (std::uint64_t i = 0; i < 4096 && done + i < count; ++i) {
      const std::uint64_t n = done + i;
      tlog::CaseEvent event;
      event.case_id = std::to_string(1 + randombytes_uniform(400000));
      event.event = 1 + n % 7;
      const unsigned day = 1 + randombytes_uniform(28);
      const unsigned month = 1 + randombytes_uniform(12);
      event.day = "2026-" + std::string(month < 10 ? "0" : "") + std::to_string(month) + "-" +
                  std::string(day < 10 ? "0" : "") + std::to_string(day);
      event.status = std::string(statuses[randombytes_uniform(statuses.size())]);
      tlog::CategoryNonce nonce{};
      randombytes_buf(nonce.data(), nonce.size());
      event.commitment = tlog::category_commitment("police", nonce);
      batch.push_back(SAFEHOUSE_TRY(tlog::encode_case_event(event)));
    }
    const store::LogAppended appended = SAFEHOUSE_TRY(log->append(batch, signer));
    done = appended.head.checkpoint.size;
    if (done % (4096 * 25) < 4096 || done == count) std::cerr << "log_fill: " << done << "\n";
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: SAFEHOUSE_PASSPHRASE=... log_fill DATA_DIR COUNT\n";
    return 2;
  }
  if (sodium_init() < 0) return 1;
  auto filled = fill(argv[1], std::strtoull(argv[2], nullptr, 10));
  if (!filled) {
    std::cerr << "log_fill: " << filled.error().message() << "\n";
    return 1;
  }
  return 0;
}
