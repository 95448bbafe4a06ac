// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/witness.cpp: see witness.h.
#include "tlog/witness.h"

#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

WitnessReply refuse(int status, std::string reason) {
  return WitnessReply{status, "text/plain; charset=utf-8", "add-checkpoint: " + reason + "\n",
                      std::nullopt};
}

}  // namespace

Result<AddCheckpointRequest> parse_add_checkpoint(std::string_view body) {
  AddCheckpointRequest request;
  auto end = body.find('\n');
  if (end == std::string_view::npos || !body.starts_with("old ")) {
    return malformed("add-checkpoint: first line is not \"old <size>\"");
  }
  const auto old_size = parse_decimal(body.substr(4, end - 4));
  if (!old_size) return malformed("add-checkpoint: old size is not a decimal");
  request.old_size = *old_size;
  body.remove_prefix(end + 1);
  for (;;) {
    end = body.find('\n');
    if (end == std::string_view::npos) {
      return malformed("add-checkpoint: no blank line before the checkpoint");
    }
    if (end == 0) break;
    if (request.proof.size() == kMaxWitnessProofLines) {
      return malformed("add-checkpoint: more than 63 proof lines");
    }
    const auto hash = base64_decode(body.substr(0, end));
    if (!hash || hash->size() != kHashSize) {
      return malformed("add-checkpoint: proof line " + std::to_string(request.proof.size() + 1) +
                       " is not base64 of 32 bytes");
    }
    request.proof.emplace_back();
    std::copy(hash->begin(), hash->end(), request.proof.back().begin());
    body.remove_prefix(end + 1);
  }
  body.remove_prefix(1);
  if (body.empty()) return malformed("add-checkpoint: no checkpoint");
  request.checkpoint = std::string(body);
  return request;
}

std::string format_add_checkpoint(const AddCheckpointRequest& request) {
  std::string body = "old " + std::to_string(request.old_size) + "\n";
  for (const Hash& h : request.proof) body += base64_encode(h) + "\n";
  return body + "\n" + request.checkpoint;
}

WitnessReply witness_add_checkpoint(
    std::string_view body,
    const std::function<std::optional<WitnessedLog>(std::string_view origin)>& lookup,
    std::span<const NoteSigner* const> cosigners) {
  auto request = parse_add_checkpoint(body);
  if (!request) return refuse(400, request.error().message());
  auto note = parse_note(request->checkpoint);
  if (!note) return refuse(400, note.error().message());
  const std::string_view origin = std::string_view(note->text).substr(0, note->text.find('\n'));
  const auto log = lookup(origin);
  if (!log) return refuse(404, "unknown origin");
  auto opened = open_note(request->checkpoint, log->keys);
  if (!opened) return refuse(403, "no valid signature from a key trusted for this origin");
  auto checkpoint = parse_checkpoint(opened->text);
  if (!checkpoint) return refuse(400, checkpoint.error().message());
  if (request->old_size > checkpoint->size)
    return refuse(400, "old size is above the checkpoint's");
  if (request->old_size != log->size) {
    return WitnessReply{409, std::string(kTlogSizeContentType), std::to_string(log->size) + "\n",
                        std::nullopt};
  }
  const Hash old_root = log->size == 0 ? empty_root() : log->root;
  if (request->old_size == checkpoint->size) {
    if (checkpoint->root != old_root) {
      return WitnessReply{409, std::string(kTlogSizeContentType), std::to_string(log->size) + "\n",
                          std::nullopt};
    }
    if (!request->proof.empty()) return refuse(422, "a proof between equal sizes must be empty");
  } else if (request->old_size == 0) {
    if (!request->proof.empty()) return refuse(422, "a proof from size 0 must be empty");
  } else {
    auto consistent = verify_consistency(request->old_size, checkpoint->size, request->proof,
                                         old_root, checkpoint->root);
    if (!consistent) return refuse(422, consistent.error().message());
  }
  if (checkpoint->size == 0 && checkpoint->root != empty_root()) {
    return refuse(422, "a checkpoint of size 0 must have the empty tree's root");
  }
  WitnessReply reply{200, "text/plain; charset=utf-8", {}, std::move(*checkpoint)};
  for (const NoteSigner* cosigner : cosigners) {
    reply.body +=
        format_signature_line({cosigner->name(), cosigner->key_id(), cosigner->sign(opened->text)});
  }
  return reply;
}

Result<WitnessAnswer> read_witness_answer(int status, std::string_view body) {
  using Kind = WitnessAnswer::Kind;
  WitnessAnswer answer;
  switch (status) {
    case 200: {
      auto lines = parse_signature_lines(body);
      if (!lines) return lines.error().with_context("witness answer");
      answer.kind = Kind::kCosigned;
      answer.cosignatures = std::move(*lines);
      return answer;
    }
    case 409: {
      const auto size =
          body.ends_with('\n') ? parse_decimal(body.substr(0, body.size() - 1)) : std::nullopt;
      if (!size) return malformed("witness answer: 409 body is not \"<size>\\n\"");
      answer.kind = Kind::kConflict;
      answer.witness_size = *size;
      return answer;
    }
    case 400:
      answer.kind = Kind::kBadRequest;
      return answer;
    case 403:
      answer.kind = Kind::kNotSigned;
      return answer;
    case 404:
      answer.kind = Kind::kUnknownOrigin;
      return answer;
    case 422:
      answer.kind = Kind::kRejected;
      return answer;
    default:
      return Error(ErrorCode::kUnsupported,
                   "witness answer: unexpected HTTP status " + std::to_string(status));
  }
}

}  // namespace safehouse::tlog
