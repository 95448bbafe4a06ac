// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/frame.h: the plaintext document inside every item's age file
// (docs/formats.md, "Item frame"):
//   [u32 BE header length][JSON header][content][zero padding][u64 BE content length]
// with the whole document padded to a Padmé bucket. The length goes last
// because a streamed upload learns it only at the end. Writer and decoder are
// ByteSinks so they sit directly before the age encryptor / after the age
// decryptor; neither knows age, HTTP or storage.
#ifndef SAFEHOUSE_INTAKE_FRAME_H_
#define SAFEHOUSE_INTAKE_FRAME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::intake {

inline constexpr int kFrameVersion = 1;
// Limits the decoder enforces before parsing (bytes).
inline constexpr std::uint32_t kMaxFrameHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxFrameFieldBytes = 1024;
// Bytes around the content: the header length prefix and the trailer.
inline constexpr std::size_t kFramePrefixBytes = 4;
inline constexpr std::size_t kFrameTrailerBytes = 8;

enum class ItemKind { kMessage, kFile, kReply };

std::string_view item_kind_name(ItemKind kind);

// What the source claims about themselves at first contact. Free text from
// the form; only reviewers ever read it.
struct Claims {
  std::string branch;  // army, police, intelligence, other, or empty
  std::string unit;
  std::string rank;
  std::string region;
  bool operator==(const Claims&) const = default;
};

struct FrameHeader {
  int version = kFrameVersion;
  ItemKind kind = ItemKind::kMessage;
  std::string file_name;         // files only; as the browser sent it
  std::string media_type;        // e.g. "text/plain; charset=utf-8"
  std::string language;          // "en" or "fa": the language the source used
  std::optional<Claims> claims;  // first contact only (on its message item)
  bool operator==(const FrameHeader&) const = default;
};

// The JSON header text for `header` (no length prefix). Fails with
// kInvalidArgument when a field is not UTF-8 or longer than the limits, so
// that whatever is written is also accepted by parse_frame_header().
Result<std::string> serialize_frame_header(const FrameHeader& header);
// Wipes the claims' text in place (they stay the same length, zero bytes).
void wipe_claims(Claims& claims);
// Parses and validates the JSON header text. Unknown keys, wrong types,
// an unknown version or kind are kMalformed / kUnsupported.
Result<FrameHeader> parse_frame_header(std::string_view json);

// Writes a frame to `out`: the header at create(), content through write(),
// then padding and the trailer at finish(), which also calls out.finish().
// Buffers nothing but the header. Requires: `out` outlives the writer.
class FrameWriter final : public ByteSink {
 public:
  static Result<std::unique_ptr<FrameWriter>> create(const FrameHeader& header, ByteSink& out);

  Result<void> write(ByteSpan content) override;
  Result<void> finish() override;

  std::uint64_t content_bytes() const { return content_bytes_; }
  // The whole document's size; final after finish().
  std::uint64_t document_bytes() const;

 private:
  FrameWriter(ByteSink& out, std::uint64_t header_bytes) : out_(out), header_bytes_(header_bytes) {}
  Result<void> fail(Error error);

  ByteSink& out_;
  std::uint64_t header_bytes_;  // prefix + JSON
  std::uint64_t content_bytes_ = 0;
  std::uint64_t padding_bytes_ = 0;
  bool finished_ = false;
  std::optional<Error> error_;
};

// Decodes a frame streamed through write(): parses the header, passes the
// content to `content_out` and checks padding and trailer at finish(), which
// calls content_out.finish(). Constant memory: runs of zero bytes are
// counted, not buffered, until it is known whether they are content or
// padding. On error some content may already be in `content_out`: the caller
// discards it. Requires: `content_out` outlives the decoder.
class FrameDecoder final : public ByteSink {
 public:
  explicit FrameDecoder(ByteSink& content_out) : out_(content_out) {}
  ~FrameDecoder() override;

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

  // Set once the header has arrived.
  const std::optional<FrameHeader>& header() const { return header_; }
  // Valid after a successful finish().
  std::uint64_t content_bytes() const { return emitted_; }

 private:
  Result<void> take_header(ByteSpan& data);
  Result<void> release(ByteSpan body);
  Result<void> flush_zeros(std::uint64_t count);
  Result<void> fail(Error error);

  ByteSink& out_;
  Bytes prefix_;  // the 4 length bytes, then the JSON header
  std::uint32_t header_bytes_ = 0;
  std::optional<FrameHeader> header_;
  // The last <= 8 bytes seen: maybe the trailer.
  std::array<std::uint8_t, kFrameTrailerBytes> tail_{};
  std::size_t tail_size_ = 0;
  std::uint64_t emitted_ = 0;        // body bytes passed on as content
  std::uint64_t pending_zeros_ = 0;  // body zero bytes held back
  bool finished_ = false;
  std::optional<Error> error_;
};

// A decoded document held in memory (small items, tests, the fuzz target).
struct Frame {
  FrameHeader header;
  Bytes content;  // plaintext: the caller wipes it when done
};
Result<Frame> parse_frame(ByteSpan document);

// Encodes a whole frame in memory (tests and small replies).
Result<Bytes> encode_frame(const FrameHeader& header, ByteSpan content);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_FRAME_H_
