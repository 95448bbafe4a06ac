// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/merkle.h: RFC 6962 / RFC 9162 Merkle tree hashing, and inclusion and
// consistency proofs: generation over any source of complete-subtree hashes
// (TileLog reads them from tiles), and verification.
//
// Hand-written: Debian ships no C or C++ library for RFC 6962 Merkle trees
// (the maintained implementations are Go: transparency-dev/merkle and
// golang.org/x/mod/sumdb/tlog, which our tests use as the independent peer).
// Hashing is SHA-256 from crypto/sha256.h (libcrypto). The verification
// algorithms follow RFC 9162 §2.1.3.2 and §2.1.4.2 in the decomposed form of
// transparency-dev/merkle, whose test vectors we pass (tests/tlog).
#ifndef SAFEHOUSE_TLOG_MERKLE_H_
#define SAFEHOUSE_TLOG_MERKLE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/sha256.h"

namespace safehouse::tlog {

using Hash = crypto::Sha256Digest;
inline constexpr std::size_t kHashSize = 32;

// SHA-256(0x00 || entry): the hash of one log entry (a leaf).
Hash leaf_hash(ByteSpan entry);
// SHA-256(0x01 || left || right): an interior node.
Hash node_hash(const Hash& left, const Hash& right);
// The root of the empty tree, SHA-256("").
Hash empty_root();
// The Merkle tree hash of a list of leaf hashes held in memory.
Hash root_of(std::span<const Hash> leaf_hashes);

// Where proof generation gets its hashes: the hash of the complete subtree
// of 2^level leaves starting at leaf index << level.
class SubtreeSource {
 public:
  virtual ~SubtreeSource() = default;
  virtual Result<Hash> subtree(unsigned level, std::uint64_t index) = 0;
};

// The root of the tree of the first `size` leaves.
Result<Hash> tree_root(std::uint64_t size, SubtreeSource& source);
// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162
// §2.1.3.1), leaf end first. kInvalidArgument unless index < size.
Result<std::vector<Hash>> prove_inclusion(std::uint64_t index, std::uint64_t size,
                                          SubtreeSource& source);
// The consistency proof from size1 to size2 (RFC 9162 §2.1.4.1).
// kInvalidArgument unless 0 < size1 <= size2; empty when size1 == size2.
Result<std::vector<Hash>> prove_consistency(std::uint64_t size1, std::uint64_t size2,
                                            SubtreeSource& source);

// Verification. Roots and the leaf hash are compared byte for byte, so a
// value of the wrong length never matches a computed hash. Errors:
// kMalformed for a proof of the wrong shape or impossible indexes,
// kIntegrity when the proof does not lead to the root.
Result<Hash> root_from_inclusion(std::uint64_t index, std::uint64_t size, ByteSpan leaf_hash,
                                 std::span<const Hash> proof);
Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, ByteSpan leaf_hash,
                              std::span<const Hash> proof, ByteSpan root);
// size1 == 0 is an error (there is nothing to be consistent with; callers
// treat the empty tree specially). size1 == size2 needs an empty proof and
// equal roots.
Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                std::span<const Hash> proof, ByteSpan root1, ByteSpan root2);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_MERKLE_H_
