// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/intake_frame_fuzz.cpp: the item frame decoder on arbitrary
// plaintext (what a reviewer decodes after age). It must never crash, must
// give the same answer however the bytes are chunked, and whatever it
// accepts must survive a re-encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "intake/frame.h"

using namespace safehouse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteSpan input(data, size);
  auto whole = intake::parse_frame(input);

  // The same bytes in chunks of 1..16 (chosen by the first byte).
  const std::size_t step = size == 0 ? 1 : (data[0] % 16) + 1;
  Bytes content;
  VectorSink sink(content);
  intake::FrameDecoder decoder(sink);
  Result<void> chunked;
  for (std::size_t i = 0; i < size && chunked; i += step) {
    chunked = decoder.write(input.subspan(i, std::min(step, size - i)));
  }
  if (chunked) chunked = decoder.finish();
  if (bool(whole) != bool(chunked)) std::abort();
  if (!whole) return 0;
  if (content != whole->content || !(*decoder.header() == whole->header)) std::abort();

  auto again = intake::encode_frame(whole->header, whole->content);
  if (!again) std::abort();
  auto reparsed = intake::parse_frame(*again);
  if (!reparsed || !(reparsed->header == whole->header) || reparsed->content != whole->content) {
    std::abort();
  }
  return 0;
}
