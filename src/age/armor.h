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
  Result<void> fill();
  Result<bool> read_line(std::string& line);
  Result<void> check_trailer();

  ByteSource& in_;
  std::array<std::uint8_t, 4096> raw_{};
  std::size_t raw_pos_ = 0;
  std::size_t raw_len_ = 0;
  bool raw_eof_ = false;
  Bytes decoded_;
  std::size_t decoded_pos_ = 0;
  bool started_ = false;
  bool done_ = false;
  bool short_line_seen_ = false;
  std::size_t total_read_ = 0;
  std::string line_;
  Result<void> sticky_{};
};

// True when `first_bytes` starts with the armor's begin marker (leading
// whitespace is not allowed by the spec, so none is skipped).
bool looks_armored(ByteSpan first_bytes);

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_ARMOR_H_
