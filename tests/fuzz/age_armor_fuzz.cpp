// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/age_armor_fuzz.cpp: the armor decoder on arbitrary bytes. What
// decodes must re-armor and decode to the same bytes, and nothing may crash.
#include <array>
#include <cstdlib>

#include "age/armor.h"

namespace {

safehouse::Result<safehouse::Bytes> dearmor(safehouse::ByteSpan in) {
  safehouse::SpanSource source(in);
  safehouse::age::ArmorReader reader(source);
  safehouse::Bytes out;
  std::array<std::uint8_t, 777> buf{};
  for (;;) {
    std::size_t n = SAFEHOUSE_TRY(reader.read(buf));
    if (n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = dearmor({data, size});
  if (!decoded) return 0;
  safehouse::Bytes armored;
  safehouse::VectorSink sink(armored);
  auto writer = safehouse::age::armor_writer(sink);
  if (!writer->write(*decoded) || !writer->finish()) std::abort();
  auto again = dearmor(armored);
  if (!again || *again != *decoded) std::abort();
  return 0;
}
