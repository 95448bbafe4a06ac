// SPDX-License-Identifier: AGPL-3.0-or-later
// review/audit_share.h: a sampled audit (docs/tlog.md, "Sampled audits").
// A source may consent, at first contact, to an accredited observer reading
// their case (store::CaseRecord::audit_consent). The observer picks the
// cases (`safehouse observe sample`, from its openings); a reviewer who can
// decrypt the case shares it: an export bundle (review/bundle.h) whose
// items, sealed assessment versions and publication copies are rewrapped
// (age header only: one more X25519 stanza, the payload untouched) to the
// observer's recipient, with share-<case>.txt saying what the organisation
// records of the case:
//
//   safehouse/share/v1
//   case <id>
//   observer <name>
//   category <the case's category, "uncategorised" if none>
//
// Refused (kConflict) when the source did not consent, kNotFound for an
// unknown case or observer; nothing is written then. The caller audits.
#ifndef SAFEHOUSE_REVIEW_AUDIT_SHARE_H_
#define SAFEHOUSE_REVIEW_AUDIT_SHARE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "age/recipient.h"
#include "base/error.h"
#include "store/log_records.h"
#include "store/store.h"

namespace safehouse::review {

inline constexpr std::size_t kMaxShareFileBytes = 64 * 1024;

// share-<case id>.txt.
std::string share_file_name(store::CaseId case_id);

struct ShareFile {
  store::CaseId case_id = 0;
  std::string observer;
  std::string category;
  friend bool operator==(const ShareFile&, const ShareFile&) = default;
};
std::string format_share_file(const ShareFile& file);
// Strict: kMalformed naming the line for anything format_share_file would
// not write.
Result<ShareFile> parse_share_file(std::string_view text);

// The accredited observer named `name`; kNotFound if none.
Result<store::ObserverRecord> find_observer(store::Store& store, std::string_view name);

// Checks that `case_id` may be shared (it exists, its source consented)
// and returns it: kNotFound, or kConflict "… did not consent …".
Result<store::CaseRecord> shareable_case(store::Store& store, store::CaseId case_id);

struct ShareSummary {
  std::size_t items = 0;
  std::size_t assessments = 0;  // versions
  std::size_t copies = 0;       // publication copies
  std::uint64_t bytes = 0;
};
// Writes the bundle at `path` (which must not exist) for `observer`, with
// every age file of the case rewrapped with `identities` (one must open
// each: kNoMatch otherwise, naming it, and no bundle is left).
Result<ShareSummary> share_case(store::Store& store, store::CaseId case_id,
                                std::span<const age::Identity* const> identities,
                                const store::ObserverRecord& observer,
                                const std::filesystem::path& path);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_AUDIT_SHARE_H_
