// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/checkpoint.cpp: see checkpoint.h.
#include "tlog/checkpoint.h"

#include <algorithm>

#include "tlog/encoding.h"

namespace safehouse::tlog {

Result<Checkpoint> parse_checkpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return malformed("checkpoint: text does not end in a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const auto end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) return malformed("checkpoint: fewer than 3 lines");
  Checkpoint checkpoint;
  if (lines[0].empty()) return malformed("checkpoint: empty origin line");
  checkpoint.origin = std::string(lines[0]);
  const auto size = parse_decimal(lines[1]);
  if (!size) return malformed("checkpoint: size line is not a decimal without leading zeroes");
  checkpoint.size = *size;
  const auto root = base64_decode(lines[2]);
  if (!root || root->size() != kHashSize) {
    return malformed("checkpoint: root line is not base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), checkpoint.root.begin());
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return malformed("checkpoint: empty extension line");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

std::string format_checkpoint(const Checkpoint& checkpoint) {
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     base64_encode(checkpoint.root) + "\n";
  for (const auto& line : checkpoint.extensions) text += line + "\n";
  return text;
}

Result<OpenedCheckpoint> open_checkpoint(std::string_view note, std::string_view origin,
                                         const NoteVerifier& log_key,
                                         std::span<const NoteVerifier* const> others) {
  std::vector<const NoteVerifier*> known{&log_key};
  known.insert(known.end(), others.begin(), others.end());
  auto opened = open_note(note, known);
  if (!opened) return opened.error().with_context("checkpoint");
  const bool log_signed = std::any_of(opened->verified.begin(), opened->verified.end(),
                                      [&](const auto& v) { return v.verifier == &log_key; });
  if (!log_signed) {
    return Error(ErrorCode::kNoMatch, "checkpoint: not signed by the log key " + log_key.name());
  }
  Checkpoint checkpoint = SAFEHOUSE_TRY(parse_checkpoint(opened->text));
  if (checkpoint.origin != origin) {
    return Error(ErrorCode::kNoMatch, "checkpoint: origin is not " + std::string(origin));
  }
  return OpenedCheckpoint{std::move(checkpoint), std::move(*opened)};
}

}  // namespace safehouse::tlog
