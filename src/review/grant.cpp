// SPDX-License-Identifier: AGPL-3.0-or-later
// review/grant.cpp: read the case, rewrap what the grantee lacks into new
// bodies (memory for inline items and assessments, new blobs otherwise),
// swap them in with the grant rows and the audit entry under the audit
// lock, then remove the blobs nothing names any more.
#include "review/grant.h"

#include <set>
#include <utility>
#include <vector>

#include "age/age.h"
#include "age/x25519.h"
#include "crypto/sha256.h"
#include "review/audit.h"
#include "store/account_records.h"
#include "store/grant_records.h"
#include "store/publication_copy_records.h"
#include "store/staff_records.h"

namespace safehouse::review {
namespace {

using store::GrantedKind;

// Inline items are small (store::kMaxInlineBodyBytes) and so are sealed
// assessments; this only bounds what a damaged row could make us read.
constexpr std::size_t kMaxInMemoryBytes = 4 * 1024 * 1024;

// Everything of the case that a grant may rewrap, read in one snapshot.
struct CaseSnapshot {
  std::vector<store::ItemRecord> items;
  std::vector<store::AssessmentRecord> assessments;
  std::vector<store::PublicationCopyRecord> copies;
  std::set<std::pair<GrantedKind, std::int64_t>> already;  // granted to `to`
};

// One object rewrapped: what to swap in, and what it replaces.
struct Rewrapped {
  GrantedKind kind = GrantedKind::kItem;
  std::int64_t object_id = 0;
  store::Sha256 old_sha256{};
  bool old_in_blob = false;
  store::ItemBody body;  // InlineBody for inline items and assessments
  store::Sha256 new_sha256() const {
    if (const auto* b = std::get_if<store::BlobRef>(&body)) return b->sha256;
    return crypto::sha256(std::get<store::InlineBody>(body).ciphertext);
  }
};

std::string object_name(GrantedKind kind, std::int64_t id) {
  switch (kind) {
    case GrantedKind::kItem:
      return "item " + std::to_string(id);
    case GrantedKind::kAssessment:
      return "assessment version " + std::to_string(id);
    case GrantedKind::kCopy:
      return "publication copy " + std::to_string(id);
  }
  return "object " + std::to_string(id);
}

Result<CaseSnapshot> read_snapshot(store::Store& store, store::CaseId case_id,
                                   std::int64_t grantee_id) {
  CaseSnapshot snapshot;
  snapshot.items = SAFEHOUSE_TRY(store.list_items(case_id));
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    snapshot.assessments = SAFEHOUSE_TRY(store::list_assessments(db, case_id));
    snapshot.copies = SAFEHOUSE_TRY(store::list_publication_copies(db, case_id));
    for (const auto& grant : SAFEHOUSE_TRY(store::list_grants(db, case_id))) {
      // A later rewrap for someone else keeps every stanza, so a grant,
      // once made, holds for good.
      if (grant.reviewer_id == grantee_id) snapshot.already.emplace(grant.kind, grant.object_id);
    }
    return {};
  }));
  return snapshot;
}

// Rewraps `in` into a new blob of `store`.
Result<store::BlobRef> rewrap_into_blob(store::Store& store,
                                        std::span<const age::Identity* const> identities,
                                        const age::Recipient& to, ByteSource& in) {
  auto writer = SAFEHOUSE_TRY(store.blobs().create_writer());
  SAFEHOUSE_TRY_VOID(age::rewrap(identities, to, in, *writer));
  return writer->result();
}

Result<Bytes> rewrap_in_memory(std::span<const age::Identity* const> identities,
                               const age::Recipient& to, ByteSpan sealed) {
  Bytes out;
  SpanSource in(sealed);
  VectorSink sink(out);
  SAFEHOUSE_TRY_VOID(age::rewrap(identities, to, in, sink));
  return out;
}

Result<Rewrapped> rewrap_item(store::Store& store, std::span<const age::Identity* const> identities,
                              const age::Recipient& to, const store::ItemRecord& item) {
  Rewrapped out{GrantedKind::kItem, item.item_id, item.sha256,
                item.location == store::BodyLocation::kBlob, store::InlineBody{}};
  if (out.old_in_blob) {
    auto in = SAFEHOUSE_TRY(store.open_item_body(item.item_id));
    out.body = SAFEHOUSE_TRY(rewrap_into_blob(store, identities, to, *in));
  } else {
    const Bytes body = SAFEHOUSE_TRY(store.read_item_body(item.item_id, kMaxInMemoryBytes));
    out.body = store::InlineBody{SAFEHOUSE_TRY(rewrap_in_memory(identities, to, body))};
  }
  return out;
}

Result<Rewrapped> rewrap_assessment(std::span<const age::Identity* const> identities,
                                    const age::Recipient& to,
                                    const store::AssessmentRecord& assessment) {
  return Rewrapped{
      GrantedKind::kAssessment, assessment.version, crypto::sha256(assessment.sealed), false,
      store::InlineBody{SAFEHOUSE_TRY(rewrap_in_memory(identities, to, assessment.sealed))}};
}

Result<Rewrapped> rewrap_copy(store::Store& store, std::span<const age::Identity* const> identities,
                              const age::Recipient& to, const store::PublicationCopyRecord& copy) {
  auto in = SAFEHOUSE_TRY(store.blobs().open_blob(copy.body));
  return Rewrapped{GrantedKind::kCopy, copy.copy_id, copy.body.sha256, true,
                   SAFEHOUSE_TRY(rewrap_into_blob(store, identities, to, *in))};
}

Result<void> swap_in(store::SqlSession& db, store::CaseId case_id, const Rewrapped& r) {
  switch (r.kind) {
    case GrantedKind::kItem:
      return store::replace_item_body(db, r.object_id, r.old_sha256, r.body);
    case GrantedKind::kAssessment:
      return store::replace_assessment_sealed(db, case_id, r.object_id, r.old_sha256,
                                              std::get<store::InlineBody>(r.body).ciphertext);
    case GrantedKind::kCopy:
      return store::replace_publication_copy_body(db, r.object_id, r.old_sha256,
                                                  std::get<store::BlobRef>(r.body));
  }
  return Error(ErrorCode::kInternal, "grant: unknown kind");
}

// Removes each blob in `digests` that no item or copy names (after the
// commit that stopped naming them, or after a commit that certainly failed).
std::int64_t remove_if_unreferenced(store::Store& store,
                                    const std::vector<store::Sha256>& digests) {
  std::int64_t removed = 0;
  for (const store::Sha256& digest : digests) {
    bool referenced = true;
    auto read = store.read([&](store::SqlSession& db) -> Result<void> {
      referenced = SAFEHOUSE_TRY(store::blob_is_referenced(db, digest));
      return {};
    });
    if (read && !referenced && store.blobs().remove(digest)) ++removed;
  }
  return removed;
}

std::string plural(std::int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string describe_grant(const GrantOutcome& outcome) {
  std::string text = plural(outcome.items, "item", "items") + ", " +
                     plural(outcome.assessments, "assessment version", "assessment versions");
  if (outcome.copies > 0) {
    text += ", " + plural(outcome.copies, "publication copy", "publication copies");
  }
  return text;
}

Result<store::ReviewerRecord> find_grantee(store::Store& store, std::string_view name,
                                           const store::ReviewerRecord& by) {
  std::optional<store::ReviewerRecord> reviewer;
  std::optional<store::AccountRecord> account;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
    if (reviewer) account = SAFEHOUSE_TRY(store::find_account(db, reviewer->reviewer_id));
    return {};
  }));
  const std::string who = "reviewer " + std::string(name);
  if (!reviewer) {
    return Error(ErrorCode::kNotFound,
                 "no reviewer named " + std::string(name) + " (see `safehouse reviewer list`)");
  }
  if (!reviewer->active()) return Error(ErrorCode::kConflict, who + " was removed");
  if (account && account->keys_replaceable) {
    return Error(ErrorCode::kConflict,
                 who +
                     " has not enrolled yet: their keys are made at enrolment, so there is "
                     "no key to grant to");
  }
  if (reviewer->reviewer_id == by.reviewer_id) {
    return invalid_argument("a reviewer cannot grant cases to themselves");
  }
  return *reviewer;
}

Result<GrantOutcome> grant_case(store::Store& store,
                                std::span<const age::Identity* const> identities,
                                const store::ReviewerRecord& by, const store::ReviewerRecord& to,
                                store::CaseId case_id, store::Day day) {
  const std::string where = "case " + std::to_string(case_id);
  const store::CaseRecord record = SAFEHOUSE_TRY(store.get_case(case_id));
  if (record.status == store::CaseStatus::kPurged) {
    return Error(ErrorCode::kConflict, where + " is purged: nothing is left to grant");
  }
  const auto recipient = SAFEHOUSE_TRY(age::X25519Recipient::parse(to.recipient));
  const CaseSnapshot snapshot = SAFEHOUSE_TRY(read_snapshot(store, case_id, to.reviewer_id));

  GrantOutcome outcome;
  outcome.case_id = case_id;
  std::vector<Rewrapped> rewrapped;
  std::vector<store::Sha256> new_blobs;
  // Until the commit succeeds, the new blobs are ours to remove.
  auto abandon = [&](Error error) {
    if (!store::commit_may_have_happened(error)) remove_if_unreferenced(store, new_blobs);
    return error.with_context(where);
  };
  auto add = [&](Result<Rewrapped> r, GrantedKind kind, std::int64_t id) -> Result<void> {
    if (!r) return r.error().with_context(object_name(kind, id));
    if (const auto* blob = std::get_if<store::BlobRef>(&r->body)) new_blobs.push_back(blob->sha256);
    rewrapped.push_back(std::move(*r));
    return {};
  };
  auto todo = [&](GrantedKind kind, std::int64_t id) {
    if (!snapshot.already.contains({kind, id})) return true;
    ++outcome.already;
    return false;
  };
  Result<void> made;
  for (const auto& item : snapshot.items) {
    if (!made || !todo(GrantedKind::kItem, item.item_id)) continue;
    made = add(rewrap_item(store, identities, recipient, item), GrantedKind::kItem, item.item_id);
    if (made) ++outcome.items;
  }
  for (const auto& a : snapshot.assessments) {
    if (!made || !todo(GrantedKind::kAssessment, a.version)) continue;
    made = add(rewrap_assessment(identities, recipient, a), GrantedKind::kAssessment, a.version);
    if (made) ++outcome.assessments;
  }
  for (const auto& copy : snapshot.copies) {
    if (!made || !todo(GrantedKind::kCopy, copy.copy_id)) continue;
    made = add(rewrap_copy(store, identities, recipient, copy), GrantedKind::kCopy, copy.copy_id);
    if (made) ++outcome.copies;
  }
  if (!made) return abandon(made.error());
  if (rewrapped.empty()) return outcome;

  auto committed = commit_under_audit_lock(store, [&](store::SqlSession& db) -> Result<void> {
    // The grantee may have been removed since find_grantee.
    auto current = SAFEHOUSE_TRY(store::find_reviewer_by_id(db, to.reviewer_id));
    if (!current || !current->active()) {
      return Error(ErrorCode::kConflict, "reviewer " + to.name + " was removed meanwhile");
    }
    for (const Rewrapped& r : rewrapped) {
      auto swapped = swap_in(db, case_id, r);
      if (!swapped) return swapped.error().with_context(object_name(r.kind, r.object_id));
      SAFEHOUSE_TRY_VOID(
          store::insert_grant(db, {0, case_id, r.kind, r.object_id, to.reviewer_id, by.reviewer_id,
                                   r.old_sha256, r.new_sha256(), day}));
    }
    return append_audit(db,
                        {by.name, "grant", case_id,
                         "to " + to.name + " " + to.recipient + ": " + describe_grant(outcome)},
                        day);
  });
  if (!committed) return abandon(committed.error());
  std::vector<store::Sha256> old_blobs;
  for (const Rewrapped& r : rewrapped) {
    if (r.old_in_blob) old_blobs.push_back(r.old_sha256);
  }
  outcome.blobs_removed = remove_if_unreferenced(store, old_blobs);
  return outcome;
}

}  // namespace safehouse::review
