// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/note.cpp: see note.h. The parsing rules follow x/mod's note.Open:
// split at the last blank line, every line after it a signature line, at
// most 100 of them, repeated signatures from one key counted once.
#include "tlog/note.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "base/utf8.h"
#include "crypto/sha256.h"
#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // U+2014 EM DASH, space

// Decodes one UTF-8 code point at `text[at]` (already known valid UTF-8).
char32_t code_point_at(std::string_view text, std::size_t& at) {
  const auto c = static_cast<unsigned char>(text[at]);
  int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
  char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
  ++at;
  while (extra-- > 0) cp = (cp << 6) | (static_cast<unsigned char>(text[at++]) & 0x3f);
  return cp;
}

// Unicode White_Space, as Go's unicode.IsSpace sees it.
bool is_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

std::string hex8(std::uint32_t value) {
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%08x", value);
  return buffer;
}

Result<NoteSignature> parse_signature_line(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return malformed("note: signature line does not start with \"— \"");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return malformed("note: signature line has no signature");
  NoteSignature signature;
  signature.name = std::string(line.substr(0, space));
  if (!is_valid_key_name(signature.name)) return malformed("note: invalid key name in signature");
  auto decoded = base64_decode(line.substr(space + 1));
  if (!decoded || decoded->size() < 5) {
    return malformed("note: signature of " + signature.name +
                     " is not base64 of key ID and signature");
  }
  signature.key_id = (std::uint32_t{(*decoded)[0]} << 24) | (std::uint32_t{(*decoded)[1]} << 16) |
                     (std::uint32_t{(*decoded)[2]} << 8) | std::uint32_t{(*decoded)[3]};
  signature.signature.assign(decoded->begin() + 4, decoded->end());
  return signature;
}

}  // namespace

bool is_valid_key_name(std::string_view name) {
  if (name.empty() || !is_valid_utf8(name)) return false;
  for (std::size_t at = 0; at < name.size();) {
    const char32_t cp = code_point_at(name, at);
    if (cp == '+' || is_space(cp)) return false;
  }
  return true;
}

std::uint32_t note_key_id(std::string_view name, std::uint8_t type, ByteSpan public_key) {
  crypto::Sha256 hasher;
  hasher.update({reinterpret_cast<const std::uint8_t*>(name.data()), name.size()});
  const std::uint8_t separator[2] = {'\n', type};
  hasher.update(separator);
  hasher.update(public_key);
  const auto sum = hasher.finish();
  return (std::uint32_t{sum[0]} << 24) | (std::uint32_t{sum[1]} << 16) |
         (std::uint32_t{sum[2]} << 8) | std::uint32_t{sum[3]};
}

Result<void> check_note_text(std::string_view text) {
  if (text.empty() || text.back() != '\n') return malformed("note: text does not end in a newline");
  if (!is_valid_utf8(text)) return malformed("note: text is not UTF-8");
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n') return malformed("note: text holds a control character");
  }
  if (text.ends_with("\n\n") || text == "\n") return malformed("note: text ends in a blank line");
  return {};
}

Result<std::vector<NoteSignature>> parse_signature_lines(std::string_view lines) {
  if (lines.empty() || lines.back() != '\n') {
    return malformed("note: signature lines do not end in a newline");
  }
  std::vector<NoteSignature> signatures;
  while (!lines.empty()) {
    if (signatures.size() == kMaxNoteSignatures) {
      return malformed("note: more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    const auto end = lines.find('\n');
    signatures.push_back(SAFEHOUSE_TRY(parse_signature_line(lines.substr(0, end))));
    lines.remove_prefix(end + 1);
  }
  return signatures;
}

Result<Note> parse_note(std::string_view message) {
  if (message.size() > kMaxNoteSize) {
    return Error(ErrorCode::kTooLarge, "note: larger than 1 MiB");
  }
  if (!is_valid_utf8(message)) return malformed("note: not UTF-8");
  for (unsigned char c : message) {
    if (c < 0x20 && c != '\n') return malformed("note: holds a control character");
  }
  const auto split = message.rfind("\n\n");
  if (split == std::string_view::npos) return malformed("note: no blank line before signatures");
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  SAFEHOUSE_TRY_VOID(check_note_text(note.text));
  note.signatures = SAFEHOUSE_TRY(parse_signature_lines(message.substr(split + 2)));
  return note;
}

std::string format_signature_line(const NoteSignature& signature) {
  Bytes raw = {static_cast<std::uint8_t>(signature.key_id >> 24),
               static_cast<std::uint8_t>(signature.key_id >> 16),
               static_cast<std::uint8_t>(signature.key_id >> 8),
               static_cast<std::uint8_t>(signature.key_id)};
  raw.insert(raw.end(), signature.signature.begin(), signature.signature.end());
  return std::string(kSignaturePrefix) + signature.name + " " + base64_encode(raw) + "\n";
}

std::string format_note(const Note& note) {
  std::string out = note.text + "\n";
  for (const auto& signature : note.signatures) out += format_signature_line(signature);
  return out;
}

Result<OpenedNote> open_note(std::string_view message, std::span<const NoteVerifier* const> known) {
  Note note = SAFEHOUSE_TRY(parse_note(message));
  OpenedNote opened;
  std::set<std::pair<std::string, std::uint32_t>> seen;
  for (auto& signature : note.signatures) {
    const auto verifier = std::find_if(known.begin(), known.end(), [&](const NoteVerifier* v) {
      return v->name() == signature.name && v->key_id() == signature.key_id;
    });
    if (verifier == known.end()) {
      if (std::find(opened.unverified.begin(), opened.unverified.end(), signature) ==
          opened.unverified.end()) {
        opened.unverified.push_back(std::move(signature));
      }
      continue;
    }
    if (!seen.insert({signature.name, signature.key_id}).second) continue;
    if (!(*verifier)->verify(note.text, signature.signature)) {
      return Error(ErrorCode::kIntegrity, "note: invalid signature for key " + signature.name +
                                              "+" + hex8(signature.key_id));
    }
    opened.verified.push_back({*verifier, std::move(signature)});
  }
  if (opened.verified.empty()) {
    return Error(ErrorCode::kNoMatch, "note: no signature from a known key");
  }
  opened.text = std::move(note.text);
  return opened;
}

Result<std::string> sign_note(std::string_view text, std::span<const NoteSigner* const> signers) {
  SAFEHOUSE_TRY_VOID(check_note_text(text));
  if (signers.empty()) return invalid_argument("note: signing needs at least one key");
  Note note{std::string(text), {}};
  for (const NoteSigner* signer : signers) {
    note.signatures.push_back({signer->name(), signer->key_id(), signer->sign(text)});
  }
  return format_note(note);
}

Result<std::string> add_signatures(std::string_view message,
                                   std::span<const NoteSignature> signatures) {
  Note note = SAFEHOUSE_TRY(parse_note(message));
  for (const auto& signature : signatures) {
    if (!is_valid_key_name(signature.name)) return invalid_argument("note: invalid key name");
    if (std::find(note.signatures.begin(), note.signatures.end(), signature) ==
        note.signatures.end()) {
      note.signatures.push_back(signature);
    }
  }
  if (note.signatures.size() > kMaxNoteSignatures) {
    return invalid_argument("note: more than " + std::to_string(kMaxNoteSignatures) +
                            " signatures");
  }
  return format_note(note);
}

}  // namespace safehouse::tlog
