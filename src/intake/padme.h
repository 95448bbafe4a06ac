// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/padme.h: the Padmé padding function (Nikitin et al., "Reducing
// Metadata Leakage from Encrypted Files and Communication with PURBs", 2019).
// A length is rounded up so that at most O(log log L) bits of it leak, at a
// cost of at most ~12% overhead. Pure arithmetic: knows nothing of frames.
#ifndef SAFEHOUSE_INTAKE_PADME_H_
#define SAFEHOUSE_INTAKE_PADME_H_

#include <cstdint>

namespace safehouse::intake {

// The largest length padme() accepts; larger inputs would overflow the
// rounding (no item is anywhere near 2^62 bytes).
inline constexpr std::uint64_t kPadmeMaxLength = std::uint64_t{1} << 62;

// Returns the Padmé bucket of `length`: the smallest value >= length whose
// low (E - S) bits are zero, where E = floor(log2 length) and
// S = floor(log2 E) + 1. Lengths 0..2 are their own bucket.
// Requires: length <= kPadmeMaxLength.
std::uint64_t padme(std::uint64_t length);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_PADME_H_
