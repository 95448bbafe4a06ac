// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_case_routes.cpp: the reviewers' workspace on the staff
// listener (docs/routes.md, "Staff listener"; docs/reviewing.md, "The
// workspace"): the case list (filtered by status, category and grade, in
// one query), a case with what may happen to it next, and the actions —
// signed approvals, replies and assessments. The rules are the server's:
// review/transitions.h's table and review/workflow.h's checks (two
// different reviewers, not the decisive-check recorder, no replay); the
// browser only signs. Replies and assessments arrive sealed (age) by the
// browser; the server checks that they parse and stores them. Every action
// and refusal is audited by the workflow.
#include <boost/json.hpp>
#include <charconv>

#include "http/staff_api.h"
#include "http/staff_routes.h"
#include "intake/sealed_items.h"
#include "intake/sources.h"
#include "review/transitions.h"
#include "store/staff_records.h"
#include "store/types.h"
#include "store/workflow_records.h"

namespace safehouse::http {
namespace {

namespace json = boost::json;

constexpr std::size_t kDefaultCasePage = 100;

Response json_response(const json::value& value, unsigned status = 200) {
  return Response::json(json::serialize(value), status);
}

Response api_error(unsigned status, std::string_view word) {
  return json_response(json::object{{"error", json::string_view(word.data(), word.size())}},
                       status);
}

// A refusal with the workflow's reason (English, for the audit log and the
// page's detail line); the page translates `word`.
Response refusal(unsigned status, std::string_view word, const Error& error) {
  return json_response(json::object{{"error", json::string_view(word.data(), word.size())},
                                    {"reason", error.message()}},
                       status);
}

bool is_json(const Request& request) {
  const auto type = request.header("content-type");
  return type && (*type == "application/json" || type->starts_with("application/json;"));
}

std::optional<std::int64_t> number_param(const Request& request, std::string_view name) {
  const auto text = request.query(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0) return -1;
  return value;
}

std::optional<store::CaseId> case_param(const Request& request) {
  std::int64_t id = 0;
  const auto text = request.path_param("id");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Result<std::vector<std::string>> recipients_now(StaffContext& ctx) {
  if (ctx.recipients) return ctx.recipients();
  return Error(ErrorCode::kUnavailable, "no recipient set");
}

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.push_back(json::string(v));
  return out;
}

json::object case_json(const store::CaseSummary& c) {
  json::array items;
  for (const store::ItemRecord& item : c.items) {
    items.push_back(json::object{{"id", item.item_id},
                                 {"direction", store::direction_name(item.direction)},
                                 {"sha256", store::to_hex(item.sha256)},
                                 {"size", item.ciphertext_size},
                                 {"day", intake::format_day(item.day)}});
  }
  return json::object{{"id", c.record.case_id},
                      {"status", store::status_name(c.record.status)},
                      {"alias", c.alias},
                      {"created_day", intake::format_day(c.record.created_day)},
                      {"last_event_day", intake::format_day(c.record.last_event_day)},
                      {"item_count", c.record.item_count},
                      {"category", c.category},
                      {"grade", c.grade},
                      {"event", c.event_number},
                      {"assessments", c.assessments},
                      {"items", std::move(items)}};
}

bool is_grade(std::string_view grade) {
  return grade.empty() || (grade.size() == 2 && grade[0] >= 'A' && grade[0] <= 'F' &&
                           grade[1] >= '1' && grade[1] <= '6');
}

Response cases(StaffContext& ctx, Request& request) {
  auto session = staff_session(ctx, request);
  if (!session) return no_staff_session(session);
  store::CaseSummaryQuery query;
  query.limit = kDefaultCasePage;
  if (const auto status = request.query("status"); status && !status->empty()) {
    auto parsed = store::status_from_name(*status);
    if (!parsed) return api_error(400, "bad-request");
    query.status = *parsed;
  }
  // "category=" (empty) selects the cases not yet filed; absent: any.
  if (const auto category = request.query("category")) {
    if (!category->empty() && std::find(ctx.categories.begin(), ctx.categories.end(), *category) ==
                                  ctx.categories.end()) {
      return api_error(400, "bad-request");
    }
    query.category = std::string(*category);
  }
  if (const auto grade = request.query("grade")) {
    if (!is_grade(*grade)) return api_error(400, "bad-request");
    query.grade = std::string(*grade);
  }
  const auto after = number_param(request, "after");
  const auto limit = number_param(request, "limit");
  if ((after && *after < 0) || (limit && (*limit < 1 || *limit > 1000))) {
    return api_error(400, "bad-request");
  }
  if (after) query.after_case_id = *after;
  if (limit) query.limit = static_cast<std::size_t>(*limit);
  std::vector<store::CaseSummary> found;
  auto read = ctx.store->read([&](store::SqlSession& db) -> Result<void> {
    found = SAFEHOUSE_TRY(store::list_case_summaries(db, query));
    return {};
  });
  if (!read) return api_error(500, "failed");
  json::array list;
  for (const store::CaseSummary& c : found) list.push_back(case_json(c));
  json::object out{{"cases", std::move(list)}};
  if (found.size() == query.limit) {
    out["next_after"] = found.back().record.case_id;
  } else {
    out["next_after"] = nullptr;
  }
  return json_response(out);
}

// One case: its summary, the moves the transition table allows from its
// status (and how many approvals each needs), the approvals recorded at
// its current event, its assessments (sealed), duplicates, and the
// recipients a reply or an assessment is sealed to.
Response one_case(StaffContext& ctx, Request& request) {
  auto session = staff_session(ctx, request);
  if (!session) return no_staff_session(session);
  const auto id = case_param(request);
  if (!id) return api_error(404, "not-found");
  std::optional<store::CaseSummary> summary;
  std::vector<store::ApprovalRecord> approvals;
  std::vector<store::AssessmentRecord> assessments;
  std::map<std::int64_t, std::string> names;
  std::string reply_recipient;
  store::CaseId duplicate_of = 0;
  std::vector<store::CaseId> duplicates;
  auto read = ctx.store->read([&](store::SqlSession& db) -> Result<void> {
    store::CaseSummaryQuery query;
    query.after_case_id = *id - 1;
    query.limit = 1;
    auto found = SAFEHOUSE_TRY(store::list_case_summaries(db, query));
    if (found.empty() || found.front().record.case_id != *id) {
      summary.reset();
      return {};
    }
    summary = std::move(found.front());
    approvals.clear();
    for (const review::TransitionRule& rule : review::transition_table()) {
      if (rule.from != summary->record.status) continue;
      auto some = SAFEHOUSE_TRY(store::list_approvals(db, *id, summary->event_number, rule.to));
      approvals.insert(approvals.end(), some.begin(), some.end());
    }
    assessments = SAFEHOUSE_TRY(store::list_assessments(db, *id));
    names.clear();
    for (const store::ReviewerRecord& r : SAFEHOUSE_TRY(store::list_reviewers(db))) {
      names[r.reviewer_id] = r.name;
    }
    auto row = SAFEHOUSE_TRY(db.query_one("SELECT reply_recipient FROM sources WHERE source_id = ?",
                                          {ByteSpan(summary->record.source_id)}));
    reply_recipient = row ? std::string(row->text(0)) : std::string();
    const auto link = SAFEHOUSE_TRY(store::find_case_link(db, *id));
    duplicate_of = link ? link->duplicate_of : 0;
    duplicates = SAFEHOUSE_TRY(store::list_duplicates_of(db, *id));
    return {};
  });
  if (!read) return api_error(500, "failed");
  if (!summary) return api_error(404, "not-found");
  // Who looked at which case is what an audit after a leak asks first.
  if (!ctx.accounts->log(session->owner, "open-case", "case " + std::to_string(*id))) {
    return api_error(500, "failed");
  }
  auto recipients = recipients_now(ctx);
  if (!recipients) return api_error(503, "failed");

  json::array moves;
  for (const review::TransitionRule& rule : review::transition_table()) {
    if (rule.from != summary->record.status) continue;
    moves.push_back(json::object{{"to", store::status_name(rule.to)},
                                 {"approvals", rule.approvals},
                                 {"kind", rule.kind},
                                 {"checker_may_not_approve", rule.checker_may_not_approve}});
  }
  json::array approval_list;
  for (const store::ApprovalRecord& a : approvals) {
    approval_list.push_back(json::object{{"to", store::status_name(a.to)},
                                         {"reviewer", names[a.reviewer_id]},
                                         {"day", intake::format_day(a.day)}});
  }
  json::array assessment_list;
  for (const store::AssessmentRecord& a : assessments) {
    assessment_list.push_back(
        json::object{{"version", a.version},
                     {"reviewer", names[a.reviewer_id]},
                     {"grade", std::string(1, a.reliability) + std::to_string(a.credibility)},
                     {"day", intake::format_day(a.day)},
                     {"sealed", encode_base64(a.sealed)}});
  }
  return json_response(json::object{
      {"case", case_json(*summary)},
      {"moves", std::move(moves)},
      {"approvals", std::move(approval_list)},
      {"assessments", std::move(assessment_list)},
      {"recipients", string_array(*recipients)},
      {"reply_recipient", reply_recipient},
      {"duplicate_of", duplicate_of != 0 ? json::value(duplicate_of) : json::value(nullptr)},
      {"duplicates", json::value_from(duplicates)},
      {"categories", string_array(ctx.categories)},
      {"installation", ctx.workflow != nullptr ? ctx.workflow->installation() : ctx.installation}});
}

// The signing key is the signed-in reviewer's registered one: a signature
// by anyone else's key (or over anything else) does not verify.
Response approve(StaffContext& ctx, Request& request) {
  auto session = staff_session_for_post(ctx, request);
  if (!session) return no_staff_session(session);
  if (!is_json(request)) return api_error(415, "bad-request");
  const auto id = case_param(request);
  if (!id) return api_error(404, "not-found");
  auto parsed = parse_approval_request(request.body());
  if (!parsed) return api_error(400, "bad-request");
  std::optional<store::ReviewerRecord> reviewer;
  auto read = ctx.store->read([&](store::SqlSession& db) -> Result<void> {
    reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, session->owner));
    return {};
  });
  if (!read) return api_error(500, "failed");
  if (!reviewer) return api_error(403, "refused");
  review::SignedApproval approval;
  approval.signing_key = reviewer->signing_key;
  approval.case_id = *id;
  approval.event_number = parsed->event_number;
  approval.from = parsed->from;
  approval.to = parsed->to;
  approval.signature = parsed->signature;
  auto outcome = ctx.workflow->submit(approval, parsed->duplicate_of);
  if (!outcome) {
    switch (outcome.error().code()) {
      case ErrorCode::kNotFound:
        return refusal(404, "not-found", outcome.error());
      case ErrorCode::kIntegrity:
        return refusal(403, "bad-signature", outcome.error());
      case ErrorCode::kConflict:
      case ErrorCode::kInvalidArgument:
        return refusal(409, "refused", outcome.error());
      default:
        return api_error(500, "failed");
    }
  }
  return json_response(json::object{{"from", store::status_name(outcome->from)},
                                    {"to", store::status_name(outcome->to)},
                                    {"approvals", outcome->approvals},
                                    {"needed", outcome->needed},
                                    {"moved", outcome->moved},
                                    {"event", outcome->event_number}});
}

// The source's reply recipient of case `id`, if `owner` is an active
// reviewer and the case can take a reply; an error response otherwise.
std::variant<Response, std::string> reply_target(StaffContext& ctx, const std::string& owner,
                                                 store::CaseId id) {
  std::optional<store::CaseRecord> record;
  std::string reply_recipient;
  bool active = false;
  auto read = ctx.store->read([&](store::SqlSession& db) -> Result<void> {
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, owner));
    active = reviewer && reviewer->active();
    auto row =
        SAFEHOUSE_TRY(db.query_one("SELECT c.status, s.reply_recipient FROM cases c JOIN sources s "
                                   "ON s.source_id = c.source_id WHERE c.case_id = ?",
                                   {id}));
    if (!row) return {};
    record = store::CaseRecord{};
    auto status = store::status_from_name(row->text(0));
    if (status) record->status = *status;
    reply_recipient = std::string(row->text(1));
    return {};
  });
  if (!read) return api_error(500, "failed");
  // A reviewer removed while signed in speaks for no one any more.
  if (!active) return api_error(403, "refused");
  if (!record) return api_error(404, "not-found");
  if (record->status == store::CaseStatus::kPurged) return api_error(409, "refused");
  if (reply_recipient.empty()) return api_error(409, "no-reply-recipient");
  return reply_recipient;
}

// A reply the browser encrypted to the recipient set and the source's
// reply recipient: an age v1 file with exactly that many X25519 stanzas and
// a whole STREAM payload; stored as a reviewer item, audited as "reply".
Response reply(StaffContext& ctx, Request& request) {
  auto session = staff_session_for_post(ctx, request);
  if (!session) return no_staff_session(session);
  if (!is_json(request)) return api_error(415, "bad-request");
  const auto id = case_param(request);
  if (!id) return api_error(404, "not-found");
  auto age = parse_reply_request(request.body());
  if (!age) return api_error(age.error().code() == ErrorCode::kTooLarge ? 413 : 400, "bad-request");
  auto target = reply_target(ctx, session->owner, *id);
  if (auto* error = std::get_if<Response>(&target)) return std::move(*error);
  auto recipients = recipients_now(ctx);
  if (!recipients) return api_error(503, "failed");
  if (auto checked = intake::check_sealed_item(*age, recipients->size() + 1); !checked) {
    return refusal(400, "bad-request", checked.error());
  }
  store::ItemBody body;
  std::optional<store::BlobRef> blob;
  if (age->size() <= store::kMaxInlineBodyBytes) {
    body = store::InlineBody{std::move(*age)};
  } else {
    auto writer = ctx.store->blobs().create_writer();
    if (!writer || !(*writer)->write(*age) || !(*writer)->finish()) {
      return api_error(500, "failed");
    }
    blob = (*writer)->result();
    body = *blob;
  }
  store::WriteBatch batch;
  const std::size_t op =
      batch.add_item(store::CaseRef::existing(*id), store::Direction::kReviewer, std::move(body),
                     store::day_of(std::chrono::system_clock::now()));
  auto committed = ctx.store->commit(std::move(batch));
  if (!committed) {
    // After kIo or kOutcomeUnknown the record may be there: the blob stays.
    if (blob && !store::commit_may_have_happened(committed.error())) {
      (void)ctx.store->blobs().remove(blob->sha256);
    }
    return api_error(status_for(committed.error()), "failed");
  }
  const store::ItemId item = committed->id(op);
  (void)ctx.workflow->log(session->owner, "reply", *id, "item " + std::to_string(item));
  return json_response(json::object{{"item", item}});
}

// A new version of the case's assessment, sealed in the browser to the
// recipient set; its grade in clear; the category files the case.
Response assess(StaffContext& ctx, Request& request) {
  auto session = staff_session_for_post(ctx, request);
  if (!session) return no_staff_session(session);
  if (!is_json(request)) return api_error(415, "bad-request");
  const auto id = case_param(request);
  if (!id) return api_error(404, "not-found");
  auto parsed = parse_assessment_request(request.body());
  if (!parsed) {
    return api_error(parsed.error().code() == ErrorCode::kTooLarge ? 413 : 400, "bad-request");
  }
  auto recipients = recipients_now(ctx);
  if (!recipients) return api_error(503, "failed");
  if (auto checked = intake::check_sealed_item(parsed->sealed, recipients->size()); !checked) {
    return refusal(400, "bad-request", checked.error());
  }
  auto version = ctx.workflow->assess(*id, session->owner, parsed->reliability, parsed->credibility,
                                      parsed->category, ctx.categories, std::move(parsed->sealed));
  if (!version) {
    switch (version.error().code()) {
      case ErrorCode::kNotFound:
        return refusal(404, "not-found", version.error());
      case ErrorCode::kInvalidArgument:
        return refusal(400, "bad-request", version.error());
      case ErrorCode::kConflict:
        return refusal(409, "refused", version.error());
      default:
        return api_error(500, "failed");
    }
  }
  return json_response(json::object{{"version", *version}});
}

}  // namespace

void add_staff_case_routes(Router& router, StaffContext& context) {
  StaffContext& ctx = context;
  const RouteOptions small{kStaffApiMaxBodyBytes};
  const RouteOptions sealed{kStaffApiMaxSealedBodyBytes};
  const auto unavailable = [](Request&) { return api_error(503, "failed"); };
  router.get("/api/staff/cases", [&ctx](Request& r) { return cases(ctx, r); });
  router.get("/api/staff/cases/{id}", [&ctx](Request& r) { return one_case(ctx, r); });
  if (ctx.workflow == nullptr) {
    router.post("/api/staff/cases/{id}/approve", unavailable, small);
    router.post("/api/staff/cases/{id}/reply", unavailable, sealed);
    router.post("/api/staff/cases/{id}/assess", unavailable, sealed);
    return;
  }
  router.post(
      "/api/staff/cases/{id}/approve", [&ctx](Request& r) { return approve(ctx, r); }, small);
  router.post(
      "/api/staff/cases/{id}/reply", [&ctx](Request& r) { return reply(ctx, r); }, sealed);
  router.post(
      "/api/staff/cases/{id}/assess", [&ctx](Request& r) { return assess(ctx, r); }, sealed);
}

}  // namespace safehouse::http
