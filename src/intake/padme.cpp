// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/padme.cpp: Padmé rounding with integer logarithms (no floating
// point, so every platform computes the same bucket).
#include "intake/padme.h"

#include <bit>
#include <cassert>

namespace safehouse::intake {

namespace {

// floor(log2 x) for x >= 1.
unsigned floor_log2(std::uint64_t x) {
  return 63U - static_cast<unsigned>(std::countl_zero(x));
}

}  // namespace

std::uint64_t padme(std::uint64_t length) {
  assert(length <= kPadmeMaxLength);
  if (length <= 2) return length;
  const unsigned e = floor_log2(length);
  const unsigned s = floor_log2(e) + 1;
  const unsigned last_bits = e - s;  // e >= 1 and s <= e here, so never negative
  const std::uint64_t mask = (std::uint64_t{1} << last_bits) - 1;
  return (length + mask) & ~mask;
}

}  // namespace safehouse::intake
