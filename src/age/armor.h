// SPDX-License-Identifier: AGPL-3.0-or-later
// age/armor.h: the ASCII armor of age files (PEM-like, "AGE ENCRYPTED FILE",
// base64 in 64-column lines). Strict as the spec asks. Knows nothing of what
// the armored bytes mean.
#ifndef SAFEHOUSE_AGE_ARMOR_H_
#define SAFEHOUSE_AGE_ARMOR_H_

#include <array>
#include <memory>
#include <string_view>

#include "base/byte_stream.h"

namespace safehouse::age {

inline constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";

// Returns a sink that armors what is written to it into `out`; its finish()
// writes the last line and the end marker, then calls out.finish().
// Requires: `out` outlives the returned sink.
std::unique_ptr<ByteSink> armor_writer(ByteSink& out);

// Decodes an armored age file from `in`. Errors start with "armor: ".
// Requires: `in` outlives the reader.
class ArmorReader : public ByteSource {
 public:
  explicit ArmorReader(ByteSource& in);
  ~ArmorReader() override;
  ArmorReader(const ArmorReader&) = delete;
  ArmorReader& operator=(const ArmorReader&) = delete;
  Result<std::size_t> read(MutableByteSpan data) override;

 private:
  Result<std::string_view> next_line();
  Result<void> start();
  Result<void> decode_line();
  Result<void> drain_trailing();

  enum class State { kStart, kBody, kDone };
  ByteSource& in_;
  Bytes raw_;  // input read ahead, lines not yet consumed from raw_pos_
  std::size_t raw_pos_ = 0;
  bool raw_eof_ = false;
  std::array<std::uint8_t, 48> decoded_{};  // one line's worth of decoded bytes
  std::size_t decoded_len_ = 0;
  std::size_t decoded_pos_ = 0;
  State state_ = State::kStart;
  Result<void> sticky_{};
};

// True when `first_bytes`, after any leading whitespace (which the armor
// allows), start with the BEGIN line.
bool looks_armored(ByteSpan first_bytes);

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_ARMOR_H_
