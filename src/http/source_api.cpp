// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_api.cpp: the JSON API of the JavaScript client (docs/routes.md,
// "The JavaScript client's API"). The browser keeps the codename: it
// registers its public keys at first contact, signs in by signing a
// challenge sealed into its visitor cookie (single use, expiring), sends
// items it encrypted itself and gets replies as ciphertext. Nothing here
// sees a codename or plaintext. Never logs anything about a request.
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "http/cookies.h"
#include "http/source_api_json.h"
#include "http/source_internal.h"
#include "http/source_routes.h"
#include "intake/sealed_items.h"
#include "intake/sources.h"

namespace safehouse::http {

namespace {

constexpr std::size_t kChallengeBytes = 32;
constexpr std::uint8_t kChallengeTag = 0xC1;
// tag || expiry (u64 BE, Unix seconds) || challenge. A pending first
// contact of the no-JavaScript pages is longer (13 + 32 + an age identity),
// so the two payloads never read as each other.
constexpr std::size_t kChallengePayloadBytes = 1 + 8 + kChallengeBytes;
constexpr auto kChallengeLifetime = std::chrono::minutes(5);
// Challenges used and not yet expired that the ledger remembers at most.
constexpr std::size_t kMaxUsedChallenges = 1 << 16;
// A sign-in body: a hex source id and a base64 signature.
constexpr std::size_t kSignInBodyBytes = 4096;  // tests/fuzz/http_source_api_fuzz.cpp too
// A submission body: base64 items and, at first contact, the public keys.
constexpr std::size_t kSubmissionBodyBytes = 4 * intake::kMaxSealedItemBytes;

using Challenge = std::array<std::uint8_t, kChallengeBytes>;

// A source signed in through the API: its id only. The server has no reply
// identity for it (replies are decrypted in the browser).
class ApiSourceSession final : public SessionState {
 public:
  explicit ApiSourceSession(const store::SourceId& source_id) : source_id_(source_id) {}
  const store::SourceId& source_id() const { return source_id_; }
  bool take_submission(std::uint64_t per_minute) { return submissions_.take(per_minute); }

 private:
  const store::SourceId source_id_;
  source_internal::SubmissionRate submissions_;
};

// Challenges already answered, until they expire: a cookie replayed with
// its challenge is refused. Memory is bounded: beyond kMaxUsedChallenges
// unexpired entries, new challenges are refused (503) until some expire.
class ChallengeLedger {
 public:
  // False if `challenge` was used before (or the ledger is full).
  bool use(const Challenge& challenge, std::uint64_t expiry, std::uint64_t now) {
    std::lock_guard lock(mu_);
    while (!order_.empty() && order_.front().first <= now) {
      used_.erase(order_.front().second);
      order_.pop_front();
    }
    const std::string key(challenge.begin(), challenge.end());
    if (used_.contains(key) || used_.size() >= kMaxUsedChallenges) return false;
    used_.insert(key);
    // Expiries arrive nearly in order (now + a constant); a late one only
    // stays a little longer.
    order_.emplace_back(expiry, key);
    return true;
  }
  bool full() const {
    std::lock_guard lock(mu_);
    return used_.size() >= kMaxUsedChallenges;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::string> used_;
  std::deque<std::pair<std::uint64_t, std::string>> order_;
};

struct Api {
  explicit Api(SourceContext& context) : ctx(context) {}
  SourceContext& ctx;
  ChallengeLedger ledger;
};

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

Response json_error(unsigned status, std::string_view code) {
  boost::json::object object{{"error", code}};
  return Response::json(boost::json::serialize(object), status);
}

Response json_error_for(const Error& error) {
  const unsigned status = status_for(error);
  switch (status) {
    case 400:
      return json_error(400, "malformed");
    case 403:
      return json_error(403, "not_recognised");
    case 404:
      return json_error(404, "not_found");
    case 409:
      return json_error(409, "conflict");
    case 413:
      return json_error(413, "too_large");
    case 429:
      return json_error(429, "quota");
    case 503:
      return json_error(503, "busy");
    case 507:
      return json_error(507, "storage");
    default:
      return json_error(500, "internal");
  }
}

bool is_json(const Request& request) {
  auto type = request.header("content-type");
  if (!type) return false;
  std::string_view value = *type;
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value == "application/json";
}

std::shared_ptr<ApiSourceSession> api_state(const Session& session) {
  return std::dynamic_pointer_cast<ApiSourceSession>(session.state);
}

bool csrf_header_matches(const Request& request, const Session& session) {
  auto header = request.header("x-csrf-token");
  return header && csrf_matches(session.csrf_token, *header);
}

bool too_many_failures(const SourceContext& ctx, unsigned failures) {
  return ctx.site.sign_in_failures_per_session != 0 &&
         failures >= ctx.site.sign_in_failures_per_session;
}

// The unexpired challenge in the visitor's cookie, taken: it can be
// answered once. nullopt if there is none, it expired or it was used.
std::optional<Challenge> take_challenge(Api& api, const Visitor& visitor) {
  auto payload = visitor.payload.reveal();
  if (payload.size() != kChallengePayloadBytes || payload[0] != kChallengeTag) return std::nullopt;
  std::uint64_t expiry = 0;
  for (std::size_t i = 1; i < 9; ++i) expiry = (expiry << 8) | payload[i];
  const std::uint64_t now = unix_now();
  if (expiry <= now) return std::nullopt;
  Challenge challenge{};
  std::copy(payload.begin() + 9, payload.end(), challenge.begin());
  if (!api.ledger.use(challenge, expiry, now)) return std::nullopt;
  return challenge;
}

// A session for a source that proved its key; the response carries its
// CSRF token (for X-CSRF-Token) and the cookie.
Response signed_in(Api& api, const store::SourceId& source_id, boost::json::object extra = {}) {
  auto session = api.ctx.sessions.create(std::make_shared<ApiSourceSession>(source_id), {},
                                         owner_of(source_id));
  if (!session) return json_error_for(session.error());
  extra["csrf"] = session->csrf_token;
  Response response = Response::json(boost::json::serialize(extra));
  response.add_header("Set-Cookie", set_cookie_value(kSessionCookieName, session->token));
  return response;
}

// POST /api/v1/challenge: 32 random bytes, sealed with their expiry into
// the visitor cookie (same visitor id and failure count). Keeps nothing on
// the server.
Response challenge(Api& api, Request& request) {
  if (!is_json(request)) return json_error(415, "content_type");
  auto visitor = find_visitor(api.ctx, request);
  const VisitorId id = visitor ? visitor->id : VisitorTokens::new_id();
  const unsigned failures = visitor ? visitor->sign_in_failures : 0;
  if (too_many_failures(api.ctx, failures)) {
    Response response = json_error(429, "too_many_failures");
    response.add_header("Set-Cookie", clear_cookie_value(kSessionCookieName));
    return response;
  }
  if (api.ledger.full()) return json_error(503, "busy");
  Challenge challenge{};
  randombytes_buf(challenge.data(), challenge.size());
  std::array<std::uint8_t, kChallengePayloadBytes> payload{};
  payload[0] = kChallengeTag;
  const std::uint64_t expiry =
      unix_now() + std::chrono::duration_cast<std::chrono::seconds>(kChallengeLifetime).count();
  for (std::size_t i = 0; i < 8; ++i)
    payload[1 + i] = static_cast<std::uint8_t>(expiry >> (56 - 8 * i));
  std::copy(challenge.begin(), challenge.end(), payload.begin() + 9);
  boost::json::object object{{"challenge", source_api_to_base64(challenge)}};
  Response response = Response::json(boost::json::serialize(object));
  response.add_header("Set-Cookie", set_cookie_value(kSessionCookieName,
                                                     api.ctx.visitors.seal(id, payload, failures)));
  return response;
}

// A failed proof: one more failure in the visitor's cookie (whose challenge
// is spent), the same answer whatever failed.
Response not_recognised(Api& api, const Visitor& visitor) {
  Response response = json_error(403, "not_recognised");
  response.add_header(
      "Set-Cookie",
      set_cookie_value(kSessionCookieName,
                       api.ctx.visitors.seal(visitor.id, {}, visitor.sign_in_failures + 1)));
  return response;
}

// POST /api/v1/sign-in {"source_id": hex, "signature": base64}: the
// signature of "safehouse/sign-in/v1\n" || challenge by the key the source
// registered. The same 403 for an unknown source, a source without a key, a
// bad signature and a missing, expired or used challenge.
Response sign_in(Api& api, Request& request) {
  if (!is_json(request)) return json_error(415, "content_type");
  auto visitor = find_visitor(api.ctx, request);
  if (!visitor) return json_error(403, "not_recognised");
  if (too_many_failures(api.ctx, visitor->sign_in_failures)) {
    Response response = json_error(429, "too_many_failures");
    response.add_header("Set-Cookie", clear_cookie_value(kSessionCookieName));
    return response;
  }
  auto body = parse_sign_in_body(request.body());
  if (!body) return json_error(400, "malformed");
  const store::SourceId& source_id = body->source_id;
  auto challenge = take_challenge(api, *visitor);
  if (!challenge) return not_recognised(api, *visitor);
  auto key = api.ctx.intake.signing_key(source_id);
  if (!key) {
    if (key.error().code() != ErrorCode::kNoMatch) return json_error_for(key.error());
    return not_recognised(api, *visitor);
  }
  if (!intake::verify_sign_in(*challenge, body->signature, *key)) {
    return not_recognised(api, *visitor);
  }
  return signed_in(api, source_id);
}

// POST /api/v1/submissions. Signed in (session cookie and X-CSRF-Token):
// {"items": [...]} is a follow-up. Otherwise {"first_contact": {source_id,
// reply_recipient, signing_key, signature[, audit_consent]}, "items": [...]} registers the
// source, proved by signing the cookie's challenge with signing_key, and
// signs it in. Answered from the store's group commit (submit_sealed_async):
// waiting for the fsync holds no worker thread, so every request waiting
// shares the next one.
void submissions(Api& api, Request& request, const Respond& respond) {
  SourceContext& ctx = api.ctx;
  if (!is_json(request)) return respond(json_error(415, "content_type"));
  auto session = find_session(ctx, request);
  auto state = session ? api_state(*session) : nullptr;
  if (state && !csrf_header_matches(request, *session)) return respond(json_error(403, "csrf"));
  auto body = parse_submission_body(request.body());
  if (!body) return respond(json_error(400, "malformed"));
  auto recipients = current_recipients(ctx);
  if (!recipients) return respond(json_error(503, "busy"));
  if (state) {
    if (!state->take_submission(ctx.site.submissions_per_session_per_minute)) {
      return respond(json_error(429, "quota"));
    }
    return ctx.intake.submit_sealed_async(
        std::nullopt, state->source_id(), std::move(body->items), recipients->size(),
        [respond](Result<intake::Receipt> receipt) {
          try {
            if (!receipt) return respond(json_error_for(receipt.error()));
            boost::json::object object{{"received", receipt->item_ids.size()}};
            respond(Response::json(boost::json::serialize(object)));
          } catch (const std::exception&) {
            // Unanswered, `respond` answers 500 when dropped.
          }
        });
  }
  using FirstContact = SubmissionBody::FirstContact;
  if (body->first_contact_state == FirstContact::kAbsent) {
    return respond(json_error(403, "not_signed_in"));
  }
  if (body->first_contact_state == FirstContact::kMalformed) {
    return respond(json_error(400, "malformed"));
  }
  const FirstContactBody& first = *body->first_contact;
  auto visitor = find_visitor(ctx, request);
  if (!visitor) return respond(json_error(403, "not_recognised"));
  auto challenge = take_challenge(api, *visitor);
  if (!challenge || !intake::verify_sign_in(*challenge, first.signature, first.signing_key)) {
    return respond(not_recognised(api, *visitor));
  }
  ctx.intake.submit_sealed_async(
      intake::SealedSource{first.source_id, first.reply_recipient, first.signing_key,
                           first.audit_consent},
      first.source_id, std::move(body->items), recipients->size(),
      [&api, respond, source_id = first.source_id](Result<intake::Receipt> receipt) {
        try {
          if (!receipt) return respond(json_error_for(receipt.error()));
          respond(signed_in(api, source_id,
                            boost::json::object{{"received", receipt->item_ids.size()}}));
        } catch (const std::exception&) {
          // Unanswered, `respond` answers 500 when dropped.
        }
      });
}

// GET /api/v1/replies: the signed-in source's replies as age files.
Response replies(Api& api, Request& request) {
  auto session = find_session(api.ctx, request);
  auto state = session ? api_state(*session) : nullptr;
  if (!state) return json_error(403, "not_signed_in");
  auto sealed = api.ctx.intake.sealed_replies(state->source_id());
  if (!sealed) return json_error_for(sealed.error());
  boost::json::array list;
  for (const intake::SealedReply& reply : *sealed) {
    list.emplace_back(boost::json::object{{"day", intake::format_day(reply.day)},
                                          {"age", source_api_to_base64(reply.ciphertext)}});
  }
  boost::json::object object{{"replies", std::move(list)}};
  return Response::json(boost::json::serialize(object));
}

// POST /api/v1/sign-out (X-CSRF-Token): ends the session.
Response sign_out(Api& api, Request& request) {
  if (!is_json(request)) return json_error(415, "content_type");
  auto session = find_session(api.ctx, request);
  if (!session || !api_state(*session)) return json_error(403, "not_signed_in");
  if (!csrf_header_matches(request, *session)) return json_error(403, "csrf");
  api.ctx.sessions.destroy(session->token);
  Response response = Response::json(R"({"signed_out":true})");
  response.add_header("Set-Cookie", clear_cookie_value(kSessionCookieName));
  return response;
}

}  // namespace

void add_source_api_routes(Router& router, SourceContext& context) {
  // Lives as long as the router's handlers that share it.
  auto api = std::make_shared<Api>(context);
  router.post(
      "/api/v1/challenge", [api](Request& r) { return challenge(*api, r); },
      RouteOptions{kSignInBodyBytes, Pool::kWorker});
  router.post(
      "/api/v1/sign-in", [api](Request& r) { return sign_in(*api, r); },
      RouteOptions{kSignInBodyBytes, Pool::kWorker, context.sign_in_budget});
  router.post_async(
      "/api/v1/submissions",
      [api](Request& r, const Respond& respond) { submissions(*api, r, respond); },
      RouteOptions{kSubmissionBodyBytes, Pool::kWorker});
  router.get("/api/v1/replies", [api](Request& r) { return replies(*api, r); });
  router.post(
      "/api/v1/sign-out", [api](Request& r) { return sign_out(*api, r); },
      RouteOptions{kSignInBodyBytes, Pool::kWorker});
}

}  // namespace safehouse::http
