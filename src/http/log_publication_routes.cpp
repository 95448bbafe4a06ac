// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_publication_routes.cpp: see log_publication_routes.h.
#include "http/log_publication_routes.h"

#include <memory>

#include "tlog/note.h"
#include "tlog/statement.h"

namespace safehouse::http {
namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

Response text(unsigned status, std::string body) {
  Response response(status, kText, std::move(body));
  response.set_header("Cache-Control", "no-cache");
  return response;
}

// A statement id: a decimal without leading zeroes, 1..2^53.
std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 15 || text[0] == '0') return std::nullopt;
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

// An observer name as review/ accepts it: 1..64 of a-z A-Z 0-9 . _ -
bool is_observer_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string_view::npos;
}

// "<id> <first> <last> <size> <cosignatures>" of one listed statement.
std::string listing_line(const StatementListing& listing) {
  auto note = tlog::parse_note(listing.note);
  if (!note) return std::to_string(listing.id) + " unreadable\n";
  auto statement = tlog::parse_statement(note->text);
  if (!statement) return std::to_string(listing.id) + " unreadable\n";
  // The log's signature is the first; the rest are cosignatures.
  const std::size_t cosignatures = note->signatures.empty() ? 0 : note->signatures.size() - 1;
  return std::to_string(listing.id) + " " + statement->first_day + " " + statement->last_day + " " +
         std::to_string(statement->size) + " " + std::to_string(cosignatures) + "\n";
}

}  // namespace

void add_log_publication_routes(Router& router, LogPublication publication) {
  auto p = std::make_shared<LogPublication>(std::move(publication));
  router.get("/log/openings/{observer}", [&router, p](Request& request) {
    const std::string_view name = request.path_param("observer");
    if (!is_observer_name(name)) return router.error_page(404, request);
    auto sealed = p->openings(name);
    if (!sealed) return router.error_page(status_for(sealed.error()), request);
    Response response(200, "application/octet-stream", std::string(sealed->begin(), sealed->end()));
    response.set_header("Cache-Control", "no-cache");
    return response;
  });
  router.get("/log/statements/", [&router, p](Request& request) {
    auto statements = p->statements();
    if (!statements) return router.error_page(status_for(statements.error()), request);
    std::string body = "safehouse/statements/v1\n";
    for (const StatementListing& listing : *statements) body += listing_line(listing);
    return text(200, std::move(body));
  });
  router.get("/log/statements/{id}", [&router, p](Request& request) {
    const auto id = parse_id(request.path_param("id"));
    if (!id) return router.error_page(404, request);
    auto note = p->statement(*id);
    if (!note) return router.error_page(status_for(note.error()), request);
    return text(200, std::move(*note));
  });
  router.post("/log/statements/{id}", [&router, p](Request& request) {
    const auto id = parse_id(request.path_param("id"));
    if (!id) return router.error_page(404, request);
    auto kept = p->cosign(*id, request.body());
    if (!kept) {
      const unsigned status = status_for(kept.error());
      if (status >= 500) return router.error_page(status, request);
      return text(status, kept.error().message() + "\n");
    }
    std::string body = "cosigned by";
    for (const std::string& name : *kept) body += " " + name;
    return text(200, body + "\n");
  });
}

}  // namespace safehouse::http
