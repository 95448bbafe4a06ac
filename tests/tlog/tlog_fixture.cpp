// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/tlog_fixture.cpp: writes a log for the Go verifier to check
// (tlog_go_verifier.sh). Usage: tlog_fixture OUT OLD_SIZE NEW_SIZE
//   OUT/log/           the log as tlog-tiles (DirTileStore) with its signed checkpoint
//   OUT/vkey           the log's verifier key
//   OUT/checkpoint.old the signed checkpoint at OLD_SIZE
//   OUT/proofs.txt     proofs our TileLog made, for the peer to check:
//                      "inclusion <index> <size> <base64 hash>..." and
//                      "consistency <size1> <size2> <base64 hash>..."
// Entries are case-event entries (case_entry.h) with random commitments.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "crypto/sodium_init.h"
#include "tlog/case_entry.h"
#include "tlog/checkpoint.h"
#include "tlog/dir_tile_store.h"
#include "tlog/encoding.h"
#include "tlog/note_key.h"
#include "tlog/tile_log.h"

using namespace safehouse;
using namespace safehouse::tlog;

namespace {

constexpr std::string_view kOrigin = "safehouse.test/tlog-fixture";

[[noreturn]] void fail(const std::string& what, const Error& error) {
  std::fprintf(stderr, "tlog_fixture: %s: %s\n", what.c_str(), error.message().c_str());
  std::exit(1);
}

template <typename T>
T check(Result<T> result, const std::string& what) {
  if (!result) fail(what, result.error());
  return std::move(*result);
}
void check(Result<void> result, const std::string& what) {
  if (!result) fail(what, result.error());
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "tlog_fixture: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string proof_line(const std::string& head, const std::vector<Hash>& proof) {
  std::string line = head;
  for (const Hash& h : proof) line += " " + base64_encode(h);
  return line + "\n";
}

void append_events(TileLog& log, std::uint64_t to) {
  std::vector<Bytes> batch;
  for (std::uint64_t i = log.size(); i < to; ++i) {
    const auto status = case_statuses()[i % case_statuses().size()];
    const auto opening =
        make_opening("c-" + std::to_string(i / 3), i % 3, "category " + std::to_string(i % 5));
    const CaseEvent event{opening.case_id, opening.event, "2026-12-04", std::string(status),
                          category_commitment(opening.category, opening.nonce)};
    batch.push_back(check(encode_case_event(event), "entry"));
  }
  check(log.append(batch), "append");
}

std::string signed_checkpoint(TileLog& log, const Ed25519Signer& signer) {
  const Checkpoint checkpoint{std::string(kOrigin), log.size(), check(log.root(), "root"), {}};
  const NoteSigner* signers[] = {&signer};
  return check(sign_note(format_checkpoint(checkpoint), signers), "sign");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tlog_fixture OUT OLD_SIZE NEW_SIZE\n");
    return 2;
  }
  crypto::init_sodium();
  const std::filesystem::path out = argv[1];
  const auto old_size = parse_decimal(argv[2]);
  const auto new_size = parse_decimal(argv[3]);
  if (!old_size || !new_size || *old_size == 0 || *old_size > *new_size) {
    std::fprintf(stderr, "tlog_fixture: need 0 < OLD_SIZE <= NEW_SIZE\n");
    return 2;
  }
  auto store =
      check(DirTileStore::open(
                out / "log", DirTileStore::Options{.durability = DirTileStore::Durability::kNone}),
            "store");
  const Ed25519Signer signer(Ed25519Key::generate(std::string(kOrigin)));
  write_file(out / "vkey", signer.verifier_key() + "\n");

  auto log = check(TileLog::open(store, 0), "open");
  append_events(log, *old_size);
  const Hash old_root = check(log.root(), "root");
  write_file(out / "checkpoint.old", signed_checkpoint(log, signer));
  append_events(log, *new_size);
  check(log.forget_partials(*old_size), "forget");
  const std::string checkpoint = signed_checkpoint(log, signer);
  check(store.write(kCheckpointPath, Bytes(checkpoint.begin(), checkpoint.end())), "checkpoint");

  // Reopen from the directory alone, as a server would, and prove from it.
  auto reopened = check(TileLog::open(store, *new_size, check(log.root(), "root")), "reopen");
  if (check(reopened.root_at(*old_size), "old root") != old_root) {
    std::fprintf(stderr, "tlog_fixture: old root changed\n");
    return 1;
  }
  std::string proofs;
  const std::uint64_t n = *new_size, m = *old_size;
  for (std::uint64_t i : {std::uint64_t{0}, m / 2, m - 1, m, n / 2, n - 1}) {
    if (i >= n) continue;
    proofs += proof_line("inclusion " + std::to_string(i) + " " + std::to_string(n),
                         check(reopened.prove_inclusion(i, n), "inclusion"));
    if (i < m) {
      proofs += proof_line("inclusion " + std::to_string(i) + " " + std::to_string(m),
                           check(reopened.prove_inclusion(i, m), "inclusion"));
    }
  }
  proofs += proof_line("consistency " + std::to_string(m) + " " + std::to_string(n),
                       check(reopened.prove_consistency(m, n), "consistency"));
  write_file(out / "proofs.txt", proofs);
  return 0;
}
