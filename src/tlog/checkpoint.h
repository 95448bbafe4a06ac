// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/checkpoint.h: C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint),
// the text of a signed note naming a tree:
//   <origin>\n<size in decimal>\n<base64 root>\n[<extension line>\n]...
#ifndef SAFEHOUSE_TLOG_CHECKPOINT_H_
#define SAFEHOUSE_TLOG_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

namespace safehouse::tlog {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // non-empty lines, opaque to us
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Parses a note's text; kMalformed naming the line that is wrong.
Result<Checkpoint> parse_checkpoint(std::string_view text);
// The text (requires a valid origin and extension lines: non-empty, no '\n').
std::string format_checkpoint(const Checkpoint& checkpoint);

struct OpenedCheckpoint {
  Checkpoint checkpoint;
  OpenedNote note;
};
// Opens a signed checkpoint: the note must carry a valid signature from
// `log_key` (other known keys, such as witnesses', are checked too) and its
// origin must be `origin`. kNoMatch if the log did not sign it.
Result<OpenedCheckpoint> open_checkpoint(std::string_view note, std::string_view origin,
                                         const NoteVerifier& log_key,
                                         std::span<const NoteVerifier* const> others = {});

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_CHECKPOINT_H_
