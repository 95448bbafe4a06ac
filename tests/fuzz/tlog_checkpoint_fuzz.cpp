// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/tlog_checkpoint_fuzz.cpp: checkpoint and statement text, and tlog-witness
// add-checkpoint bodies on arbitrary bytes. A checkpoint that parses formats
// back to the same text (a statement too); a request that parses formats back to its body;
// the witness never cosigns (its trusted key signs nothing here).
#include <cstdlib>
#include <string_view>

#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "tlog/statement.h"
#include "tlog/witness.h"

using namespace safehouse::tlog;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto checkpoint = parse_checkpoint(text);
  if (checkpoint && format_checkpoint(*checkpoint) != text) std::abort();

  auto statement = parse_statement(text);
  if (statement && format_statement(*statement).value() != text) std::abort();

  auto request = parse_add_checkpoint(text);
  if (request && format_add_checkpoint(*request) != text) std::abort();

  static const std::uint8_t seed[32] = {2};
  static const Ed25519Verifier log_key = [] {
    const Ed25519Key key = Ed25519Key::from_seed("example.com/log", seed);
    return Ed25519Verifier(key.name(), key.public_key());
  }();
  static const CosignatureV1Signer witness(Ed25519Key::from_seed("witness", seed),
                                           [] { return std::uint64_t{1}; });
  const NoteSigner* cosigners[] = {&witness};
  const auto reply = witness_add_checkpoint(
      text,
      [](std::string_view) {
        WitnessedLog log;
        log.keys = {&log_key};
        log.size = 3;
        return std::optional<WitnessedLog>(log);
      },
      cosigners);
  if (reply.status == 200 || reply.cosigned) std::abort();
  (void)read_witness_answer(200, text);
  (void)read_witness_answer(409, text);
  return 0;
}
