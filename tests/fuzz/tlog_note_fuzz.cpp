// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/tlog_note_fuzz.cpp: signed notes, signature lines and verifier
// keys on arbitrary bytes. Nothing may crash; a note that parses must format
// back to the same bytes; no note may open with a key that did not sign it.
#include <cstdlib>
#include <string_view>

#include "tlog/note.h"
#include "tlog/note_key.h"

using namespace safehouse::tlog;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_verifier_key(text);
  (void)parse_signature_lines(text);
  (void)Ed25519Key::parse_private_key(text);

  auto note = parse_note(text);
  if (!note) {
    if (note.error().message().empty()) std::abort();
    return 0;
  }
  if (format_note(*note) != text) std::abort();
  // A fixed key (deterministic seed) that signs nothing the fuzzer makes:
  // its name and ID may appear, but its signature can never verify.
  static const Ed25519Verifier verifier = [] {
    const std::uint8_t seed[32] = {1};
    const Ed25519Key key = Ed25519Key::from_seed("fuzz", seed);
    return Ed25519Verifier(key.name(), key.public_key());
  }();
  const NoteVerifier* known[] = {&verifier};
  if (open_note(text, known)) std::abort();
  return 0;
}
