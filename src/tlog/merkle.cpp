// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/merkle.cpp: see merkle.h. Proof generation is the recursive
// definition of RFC 9162 §2.1.3.1/§2.1.4.1 over ranges [lo, hi) whose
// complete, aligned parts come from a SubtreeSource; verification is the
// iterative form (inner/border decomposition) of transparency-dev/merkle.
#include "tlog/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

namespace safehouse::tlog {

namespace {

Error integrity(std::string message) {
  return Error(ErrorCode::kIntegrity, std::move(message));
}

// The largest power of two strictly below n (n >= 2).
std::uint64_t split_point(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

// The hash of leaves [lo, hi), hi > lo, where the range is one the RFC
// recursion produces: lo is a multiple of the largest power of two <= hi-lo.
Result<Hash> range_hash(std::uint64_t lo, std::uint64_t hi, SubtreeSource& source) {
  const std::uint64_t n = hi - lo;
  if (std::has_single_bit(n) && lo % n == 0) {
    return source.subtree(static_cast<unsigned>(std::countr_zero(n)), lo / n);
  }
  const std::uint64_t k = split_point(n);
  const Hash left = SAFEHOUSE_TRY(range_hash(lo, lo + k, source));
  const Hash right = SAFEHOUSE_TRY(range_hash(lo + k, hi, source));
  return node_hash(left, right);
}

// PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, appended to `out` leaf end first.
Result<void> path(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, SubtreeSource& source,
                  std::vector<Hash>& out) {
  const std::uint64_t n = hi - lo;
  if (n == 1) return {};
  const std::uint64_t k = split_point(n);
  if (m < k) {
    SAFEHOUSE_TRY_VOID(path(m, lo, lo + k, source, out));
    out.push_back(SAFEHOUSE_TRY(range_hash(lo + k, hi, source)));
  } else {
    SAFEHOUSE_TRY_VOID(path(m - k, lo + k, hi, source, out));
    out.push_back(SAFEHOUSE_TRY(range_hash(lo, lo + k, source)));
  }
  return {};
}

// SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1.
Result<void> subproof(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool complete,
                      SubtreeSource& source, std::vector<Hash>& out) {
  const std::uint64_t n = hi - lo;
  if (m == n) {
    if (!complete) out.push_back(SAFEHOUSE_TRY(range_hash(lo, hi, source)));
    return {};
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    SAFEHOUSE_TRY_VOID(subproof(m, lo, lo + k, complete, source, out));
    out.push_back(SAFEHOUSE_TRY(range_hash(lo + k, hi, source)));
  } else {
    SAFEHOUSE_TRY_VOID(subproof(m - k, lo + k, hi, false, source, out));
    out.push_back(SAFEHOUSE_TRY(range_hash(lo, lo + k, source)));
  }
  return {};
}

// Splits an inclusion proof for `index` in a tree of `size` into the part
// below the point where the paths to index and to size-1 meet (inner) and
// the part above it (border).
struct Decomposition {
  unsigned inner;
  unsigned border;
};
Decomposition decompose(std::uint64_t index, std::uint64_t size) {
  const unsigned inner = static_cast<unsigned>(std::bit_width(index ^ (size - 1)));
  // inner is 64 when the paths part at the root of a tree above 2^63 leaves.
  const unsigned border = inner >= 64 ? 0 : static_cast<unsigned>(std::popcount(index >> inner));
  return {inner, border};
}

Hash chain_inner(Hash seed, std::span<const Hash> proof, std::uint64_t index) {
  for (std::size_t i = 0; i < proof.size(); ++i) {
    seed = ((index >> i) & 1) == 0 ? node_hash(seed, proof[i]) : node_hash(proof[i], seed);
  }
  return seed;
}

Hash chain_inner_right(Hash seed, std::span<const Hash> proof, std::uint64_t index) {
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (((index >> i) & 1) == 1) seed = node_hash(proof[i], seed);
  }
  return seed;
}

Hash chain_border_right(Hash seed, std::span<const Hash> proof) {
  for (const Hash& h : proof) seed = node_hash(h, seed);
  return seed;
}

// One hasher per thread, reused: a log hashes millions of 65-byte nodes, and
// a fresh libcrypto context per hash would cost more than the hash itself.
// finish() leaves it reset.
crypto::Sha256& thread_hasher() {
  thread_local crypto::Sha256 hasher;
  return hasher;
}

bool same(ByteSpan a, ByteSpan b) {
  return std::ranges::equal(a, b);
}

}  // namespace

Hash leaf_hash(ByteSpan entry) {
  crypto::Sha256& hasher = thread_hasher();
  const std::uint8_t prefix = 0x00;
  hasher.update({&prefix, 1});
  hasher.update(entry);
  return hasher.finish();
}

Hash node_hash(const Hash& left, const Hash& right) {
  std::uint8_t buffer[1 + 2 * kHashSize];
  buffer[0] = 0x01;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 1 + kHashSize);
  crypto::Sha256& hasher = thread_hasher();
  hasher.update(buffer);
  return hasher.finish();
}

Hash empty_root() {
  return crypto::sha256({});
}

Hash root_of(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return empty_root();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const std::size_t k = split_point(leaf_hashes.size());
  return node_hash(root_of(leaf_hashes.first(k)), root_of(leaf_hashes.subspan(k)));
}

Result<Hash> tree_root(std::uint64_t size, SubtreeSource& source) {
  if (size == 0) return empty_root();
  return range_hash(0, size, source);
}

Result<std::vector<Hash>> prove_inclusion(std::uint64_t index, std::uint64_t size,
                                          SubtreeSource& source) {
  if (index >= size) {
    return invalid_argument("inclusion proof: index " + std::to_string(index) +
                            " is not below tree size " + std::to_string(size));
  }
  std::vector<Hash> proof;
  SAFEHOUSE_TRY_VOID(path(index, 0, size, source, proof));
  return proof;
}

Result<std::vector<Hash>> prove_consistency(std::uint64_t size1, std::uint64_t size2,
                                            SubtreeSource& source) {
  if (size1 == 0 || size1 > size2) {
    return invalid_argument("consistency proof: sizes " + std::to_string(size1) + " and " +
                            std::to_string(size2) + " need 0 < size1 <= size2");
  }
  std::vector<Hash> proof;
  if (size1 == size2) return proof;
  SAFEHOUSE_TRY_VOID(subproof(size1, 0, size2, true, source, proof));
  return proof;
}

Result<Hash> root_from_inclusion(std::uint64_t index, std::uint64_t size, ByteSpan leaf_hash,
                                 std::span<const Hash> proof) {
  if (index >= size) {
    return malformed("inclusion proof: index " + std::to_string(index) +
                     " is not below tree size " + std::to_string(size));
  }
  if (leaf_hash.size() != kHashSize) {
    return malformed("inclusion proof: leaf hash is " + std::to_string(leaf_hash.size()) +
                     " bytes, not 32");
  }
  const auto [inner, border] = decompose(index, size);
  if (proof.size() != inner + border) {
    return malformed("inclusion proof: " + std::to_string(proof.size()) + " hashes, expected " +
                     std::to_string(inner + border));
  }
  Hash seed;
  std::copy(leaf_hash.begin(), leaf_hash.end(), seed.begin());
  seed = chain_inner(seed, proof.first(inner), index);
  return chain_border_right(seed, proof.subspan(inner));
}

Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, ByteSpan leaf_hash,
                              std::span<const Hash> proof, ByteSpan root) {
  const Hash computed = SAFEHOUSE_TRY(root_from_inclusion(index, size, leaf_hash, proof));
  if (!same(computed, root)) {
    return integrity("inclusion proof: leaf " + std::to_string(index) +
                     " does not lead to the root of tree size " + std::to_string(size));
  }
  return {};
}

Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                std::span<const Hash> proof, ByteSpan root1, ByteSpan root2) {
  const std::string sizes = std::to_string(size1) + " to " + std::to_string(size2);
  if (size1 == 0) return malformed("consistency proof: from size 0 is not a proof");
  if (size2 < size1) return malformed("consistency proof: " + sizes + " shrinks the tree");
  if (size1 == size2) {
    if (!proof.empty()) return malformed("consistency proof: equal sizes need an empty proof");
    if (!same(root1, root2)) return integrity("consistency proof: same size, different roots");
    return {};
  }
  if (proof.empty()) return malformed("consistency proof: " + sizes + " is empty");
  auto [inner, border] = decompose(size1 - 1, size2);
  const unsigned shift = static_cast<unsigned>(std::countr_zero(size1));
  inner -= shift;  // shift < inner because size1 < size2
  // The proof starts with the hash of the subtree of 2^shift leaves that
  // ends at size1, unless size1 is exactly that subtree (then it is root1).
  Hash seed{};
  std::size_t start = 1;
  if (size1 == (std::uint64_t{1} << shift)) {
    if (root1.size() != kHashSize) {
      return integrity("consistency proof: " + sizes + " does not match the old root");
    }
    std::copy(root1.begin(), root1.end(), seed.begin());
    start = 0;
  } else {
    seed = proof[0];
  }
  if (proof.size() != start + inner + border) {
    return malformed("consistency proof: " + std::to_string(proof.size()) + " hashes, expected " +
                     std::to_string(start + inner + border));
  }
  const auto rest = proof.subspan(start);
  const std::uint64_t mask = (size1 - 1) >> shift;
  Hash hash1 = chain_inner_right(seed, rest.first(inner), mask);
  hash1 = chain_border_right(hash1, rest.subspan(inner));
  if (!same(hash1, root1)) {
    return integrity("consistency proof: " + sizes + " does not match the old root");
  }
  Hash hash2 = chain_inner(seed, rest.first(inner), mask);
  hash2 = chain_border_right(hash2, rest.subspan(inner));
  if (!same(hash2, root2)) {
    return integrity("consistency proof: " + sizes + " does not match the new root");
  }
  return {};
}

}  // namespace safehouse::tlog
