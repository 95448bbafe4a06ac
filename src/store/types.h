// SPDX-License-Identifier: AGPL-3.0-or-later
// store/types.h: the values the store keeps — ids, statuses, days, digests
// and the records read back. This is everything the server may know about a
// case (docs/design.md §2, invariants 1 and 2): no times finer than a day, no
// plaintext, no network metadata. Knows nothing of SQL or files.
#ifndef SAFEHOUSE_STORE_TYPES_H_
#define SAFEHOUSE_STORE_TYPES_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::store {

// Everything here is a plain value type: copy freely; like any value, safe
// to read from many threads, not to write while others read.

// SHA-256 of an age ciphertext.
using Sha256 = std::array<std::uint8_t, 32>;
// Lower-case hex of a digest (64 characters).
std::string to_hex(const Sha256& digest);
// Parses 64 hex characters; kMalformed otherwise.
Result<Sha256> sha256_from_hex(std::string_view hex);
// SHA-256 of `data` (crypto::sha256, libcrypto).
Sha256 sha256_of(ByteSpan data);

// A source's stable id: 32 bytes derived from the codename by the caller
// (the store never sees the codename).
using SourceId = std::array<std::uint8_t, 32>;

// A calendar day (UTC) as the integer YYYYMMDD, e.g. 20261125. The only time
// the store keeps.
using Day = std::int32_t;
// True if `day` is a real date between 2000-01-01 and 9999-12-31.
bool is_valid_day(Day day);
// The UTC day of `t`.
Day day_of(std::chrono::system_clock::time_point t);

using CaseId = std::int64_t;
using ItemId = std::int64_t;

// Case statuses (docs/design.md §7). Stored by name.
enum class CaseStatus {
  kReceived,
  kTriage,
  kVerifying,
  kNeedsInfo,
  kCorroborated,
  kVerified,
  kDuplicate,
  kRejected,
  kSuspectedInfiltration,
  kWithdrawn,
  kPurged,
};
// "received", "triage", "verifying", "needs-info", "corroborated",
// "verified", "duplicate", "rejected", "suspected-infiltration",
// "withdrawn", "purged".
std::string_view status_name(CaseStatus status);
Result<CaseStatus> status_from_name(std::string_view name);

// Who wrote an item: the source, or a reviewer replying.
enum class Direction { kSource, kReviewer };
std::string_view direction_name(Direction direction);  // "source" | "reviewer"
Result<Direction> direction_from_name(std::string_view name);

// A blob in the BlobStore: its name is the SHA-256 of its bytes.
struct BlobRef {
  Sha256 sha256{};
  std::uint64_t size = 0;
  friend bool operator==(const BlobRef&, const BlobRef&) = default;
};

struct SourceRecord {
  SourceId source_id{};
  std::string alias;  // random two-word reviewer-facing name, e.g. "amber-heron"
  Day created_day = 0;
  // The age recipient ("age1...") derived from the source's codename, to
  // which replies are encrypted; "" if none was given. Public key only.
  std::string reply_recipient;
  // The Ed25519 public key the source's browser registered at first contact
  // (32 bytes; sign-in by signature), or empty. Public key only.
  Bytes signing_key;
};

struct CaseRecord {
  CaseId case_id = 0;
  SourceId source_id{};
  CaseStatus status = CaseStatus::kReceived;
  Day created_day = 0;
  Day last_event_day = 0;
  std::int64_t item_count = 0;
  // The source consented, at first contact, to an accredited observer
  // reading this case for a sampled audit (never withdrawn).
  bool audit_consent = false;
};

// Where an item's ciphertext lives.
enum class BodyLocation { kInline, kBlob };

struct ItemRecord {
  ItemId item_id = 0;
  CaseId case_id = 0;
  Direction direction = Direction::kSource;
  Sha256 sha256{};  // of the ciphertext
  // Bytes of ciphertext. The plaintext is padded (Padmé) before encryption,
  // so this reveals only the padded size.
  std::uint64_t ciphertext_size = 0;
  Day day = 0;
  BodyLocation location = BodyLocation::kInline;
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_TYPES_H_
