// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/witness.h: C2SP tlog-witness (https://c2sp.org/tlog-witness) without
// the HTTP: the add-checkpoint request body, the witness's decision with the
// spec's status codes, and the client's reading of the answer. An HTTP
// handler (later) passes the body in and writes the reply out; storage of
// the witness's state is the caller's, and must be atomic with the check.
#ifndef SAFEHOUSE_TLOG_WITNESS_H_
#define SAFEHOUSE_TLOG_WITNESS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

namespace safehouse::tlog {

inline constexpr std::size_t kMaxWitnessProofLines = 63;
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";

// POST <prefix>/add-checkpoint body:
//   old <size>\n  <base64 hash>\n ×0..63  \n  <signed checkpoint note>
struct AddCheckpointRequest {
  std::uint64_t old_size = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // the signed note, as sent
};
Result<AddCheckpointRequest> parse_add_checkpoint(std::string_view body);
std::string format_add_checkpoint(const AddCheckpointRequest& request);

// What a witness knows of one log: the keys it trusts for the origin and the
// latest checkpoint it cosigned (size 0 if none).
struct WitnessedLog {
  std::vector<const NoteVerifier*> keys;
  std::uint64_t size = 0;
  Hash root{};  // ignored when size is 0
};

struct WitnessReply {
  int status = 500;                    // 200, 400, 403, 404, 409 or 422
  std::string content_type;            // of body
  std::string body;                    // cosignature lines (200), "<size>\n" (409), or the reason
  std::optional<Checkpoint> cosigned;  // on 200: the caller's new state for the origin
};

// The witness's side of add-checkpoint, in the spec's order: a body that
// does not parse is 400; an unknown origin 404; no valid signature from a
// trusted key 403; old size above the checkpoint's 400; old size not the
// size last cosigned 409 (body: that size); same size but another root 409;
// a consistency proof that fails (or a non-empty one from size 0, or a
// size-0 checkpoint that is not the empty tree) 422; otherwise 200 with
// one cosignature line per signer.
WitnessReply witness_add_checkpoint(
    std::string_view body,
    const std::function<std::optional<WitnessedLog>(std::string_view origin)>& lookup,
    std::span<const NoteSigner* const> cosigners);

// The client's reading of a witness's answer.
struct WitnessAnswer {
  enum class Kind { kCosigned, kUnknownOrigin, kNotSigned, kBadRequest, kConflict, kRejected };
  Kind kind = Kind::kBadRequest;
  std::vector<NoteSignature> cosignatures;  // kCosigned
  std::uint64_t witness_size = 0;           // kConflict: retry from this size
};
// kMalformed for a 200 or 409 body that does not parse, kUnsupported for
// another status.
Result<WitnessAnswer> read_witness_answer(int status, std::string_view body);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_WITNESS_H_
