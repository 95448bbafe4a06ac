// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/note.h: C2SP signed notes (https://c2sp.org/signed-note), as
// golang.org/x/mod/sumdb/note reads them:
//
//   <text, ending in a newline>
//   <blank line>
//   — <key name> <base64(4-byte key ID || signature)>     (one or more)
//
// The text is UTF-8 without ASCII control characters other than newline.
// Opening a note checks the signatures of the keys the caller knows and
// ignores the others; a known key whose signature fails rejects the note
// (it was altered, or someone signs in that key's name). Keys themselves
// (Ed25519, cosignature/v1) are in note_key.h and cosignature.h.
#ifndef SAFEHOUSE_TLOG_NOTE_H_
#define SAFEHOUSE_TLOG_NOTE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::tlog {

// x/mod's limit; C2SP asks verifiers to accept at least 16.
inline constexpr std::size_t kMaxNoteSignatures = 100;
// A note is small text; anything bigger is refused before parsing.
inline constexpr std::size_t kMaxNoteSize = 1 << 20;

struct NoteSignature {
  std::string name;
  std::uint32_t key_id = 0;
  Bytes signature;  // after the key ID
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct Note {
  std::string text;  // ends in '\n'
  std::vector<NoteSignature> signatures;
};

// A key name: non-empty UTF-8 without white space or '+'.
bool is_valid_key_name(std::string_view name);
// The key ID: the first 4 bytes of SHA-256(name || "\n" || type || key), big-endian.
std::uint32_t note_key_id(std::string_view name, std::uint8_t type, ByteSpan public_key);

// Syntax only: kMalformed (or kTooLarge) with what is wrong.
Result<Note> parse_note(std::string_view message);
// "— <name> <base64>\n" lines, as a witness's response body holds them.
Result<std::vector<NoteSignature>> parse_signature_lines(std::string_view lines);
std::string format_signature_line(const NoteSignature& signature);
std::string format_note(const Note& note);
// Checks text alone: non-empty, ends in '\n', UTF-8, no control characters
// but '\n', no blank line at its end ("\n\n" would be read as the split).
Result<void> check_note_text(std::string_view text);

class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;
  virtual const std::string& name() const = 0;
  virtual std::uint32_t key_id() const = 0;
  virtual bool verify(std::string_view text, ByteSpan signature) const = 0;
};

class NoteSigner {
 public:
  virtual ~NoteSigner() = default;
  virtual const std::string& name() const = 0;
  virtual std::uint32_t key_id() const = 0;
  virtual Bytes sign(std::string_view text) const = 0;
};

struct VerifiedSignature {
  const NoteVerifier* verifier;
  NoteSignature signature;
};

struct OpenedNote {
  std::string text;
  std::vector<VerifiedSignature> verified;  // one per known key, in note order
  std::vector<NoteSignature> unverified;    // from keys the caller does not know
};

// Parses `message` and checks the signatures of `known` keys. Errors:
// kMalformed; kIntegrity "invalid signature for key <name>+<id>" when a
// known key's signature fails; kNoMatch when no known key signed.
Result<OpenedNote> open_note(std::string_view message, std::span<const NoteVerifier* const> known);

// Signs `text` with every signer: the note, ready to publish.
Result<std::string> sign_note(std::string_view text, std::span<const NoteSigner* const> signers);
// Adds signature lines to an existing note (a cosignature, a witness's
// answer), dropping exact duplicates. The note is parsed, not verified.
Result<std::string> add_signatures(std::string_view message,
                                   std::span<const NoteSignature> signatures);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_NOTE_H_
