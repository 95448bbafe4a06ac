// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_pages.cpp: see log_pages.h.
#include "http/log_pages.h"

#include <algorithm>
#include <memory>

#include "tlog/note.h"
#include "tlog/statement.h"
#include "web/language.h"

namespace safehouse::http {
namespace {

// "needs-info" → "s_needs_info": the template's flag that picks the
// status's translated name (every msgid stays in the template).
std::string status_flag(std::string_view status) {
  std::string flag = "s_";
  for (char c : status) flag.push_back(c == '-' ? '_' : c);
  return flag;
}

web::PageData count_item(const tlog::PublishedCount& count) {
  web::PageData item;
  item.set_flag("below", count.below);
  item.set_number("count", static_cast<std::int64_t>(count.value));
  return item;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

web::PageData file_item(const PublishedFileRow& row, web::Language language) {
  web::PageData item;
  item.set_number("index", static_cast<std::int64_t>(row.index));
  item.set_text("sha256", row.sha256);
  item.set_localized("day", row.day);
  item.set_flag(row.language == "fa" ? "in_fa" : "in_en", true);
  item.set_text("check_href", "/" + std::string(web::code(language)) +
                                  "/published?sha256=" + row.sha256 + "#result");
  return item;
}

}  // namespace

std::vector<web::PageData> statement_items(const std::vector<StatementListing>& listings) {
  std::vector<const StatementListing*> newest;
  for (const StatementListing& listing : listings) newest.push_back(&listing);
  std::sort(newest.begin(), newest.end(),
            [](const StatementListing* a, const StatementListing* b) { return a->id > b->id; });
  std::vector<web::PageData> items;
  for (const StatementListing* listing : newest) {
    if (items.size() == kLandingStatements) break;
    auto note = tlog::parse_note(listing->note);
    if (!note) continue;
    auto statement = tlog::parse_statement(note->text);
    if (!statement) continue;
    web::PageData item;
    item.set_number("id", listing->id);
    item.set_text("href", "/log/statements/" + std::to_string(listing->id));
    item.set_localized("first_day", statement->first_day);
    item.set_localized("last_day", statement->last_day);
    item.set_flag("one_day", statement->first_day == statement->last_day);
    item.set_number("size", static_cast<std::int64_t>(statement->size));
    std::vector<web::PageData> statuses;
    for (const auto& [status, count] : statement->statuses) {
      web::PageData row = count_item(count);
      row.set_flag(status_flag(status), true);
      statuses.push_back(std::move(row));
    }
    item.set_list("statuses", std::move(statuses));
    std::vector<web::PageData> categories;
    for (const auto& [category, count] : statement->categories) {
      web::PageData row = count_item(count);
      row.set_text("name", category);
      categories.push_back(std::move(row));
    }
    item.set_flag("has_categories", !categories.empty());
    item.set_list("categories", std::move(categories));
    // The log's own signature comes first (statement_with_cosignatures);
    // every later line is an observer's, checked when it was POSTed.
    std::vector<web::PageData> cosigners;
    for (std::size_t i = 1; i < note->signatures.size(); ++i) {
      web::PageData cosigner;
      cosigner.set_text("name", note->signatures[i].name);
      cosigners.push_back(std::move(cosigner));
    }
    item.set_flag("cosigned", !cosigners.empty());
    item.set_list("cosigners", std::move(cosigners));
    items.push_back(std::move(item));
  }
  return items;
}

std::optional<crypto::Sha256Digest> parse_sha256_hex(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  crypto::Sha256Digest digest{};
  if (text.size() != digest.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const char high = text[2 * i];
    const char low = text[2 * i + 1];
    if (!is_hex_digit(high) || !is_hex_digit(low)) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(hex_value(high) * 16 + hex_value(low));
  }
  return digest;
}

void add_published_files_page(Router& router, const web::Renderer& renderer, PublishedFiles files) {
  auto f = std::make_shared<PublishedFiles>(std::move(files));
  const web::Renderer* r = &renderer;
  router.get("/{lang}/published", [&router, r, f](Request& request) {
    const auto language = web::parse_language(request.path_param("lang"));
    if (!language) return router.error_page(404, request);
    web::PageData data;
    unsigned status = 200;
    // The form's one field; any other field is ignored.
    std::optional<std::string> asked;
    for (const auto& [name, value] : request.query_fields()) {
      if (name == "sha256") asked = value;
    }
    if (asked && !asked->empty()) {
      const auto digest = parse_sha256_hex(*asked);
      if (!digest) {
        data.set_flag("malformed", true);
        status = 400;
      } else {
        auto found = f->find(*digest);
        if (!found) return router.error_page(status_for(found.error()), request);
        data.set_flag("checked", true);
        if (!*found) {
          data.set_flag("not_found", true);
          std::string hex;
          for (std::uint8_t byte : *digest) {
            static constexpr char kHex[] = "0123456789abcdef";
            hex.push_back(kHex[byte >> 4]);
            hex.push_back(kHex[byte & 15]);
          }
          data.set_text("asked", hex);
        } else {
          const PublishedFileProof& proof = **found;
          data.set_flag("found", true);
          data.set_list("file", {file_item(proof.file, *language)});
          data.set_text("asked", proof.file.sha256);
          data.set_text("size", std::to_string(proof.size));
          data.set_text("root", proof.root);
          data.set_text("leaf_hash", proof.leaf_hash);
          data.set_text("checkpoint_note", proof.checkpoint_note);
          data.set_text("entry_index", std::to_string(proof.file.index));
          std::vector<web::PageData> hashes;
          for (const std::string& hash : proof.proof) {
            web::PageData item;
            item.set_text("hash", hash);
            hashes.push_back(std::move(item));
          }
          data.set_flag("empty_proof", hashes.empty());
          data.set_list("proof", std::move(hashes));
        }
      }
    }
    auto listed = f->list();
    if (!listed) return router.error_page(status_for(listed.error()), request);
    std::vector<web::PageData> rows;
    for (auto it = listed->rbegin(); it != listed->rend() && rows.size() < kListedPublishedFiles;
         ++it) {
      rows.push_back(file_item(*it, *language));
    }
    data.set_number("total", static_cast<std::int64_t>(listed->size()));
    data.set_flag("truncated", listed->size() > rows.size());
    data.set_flag("none_published", rows.empty());
    data.set_number("shown", static_cast<std::int64_t>(rows.size()));
    data.set_list("files", std::move(rows));
    Response response = Response::html(r->render(web::Page::kPublished, *language, data), status);
    response.set_header("Cache-Control", "no-store");
    return response;
  });
}

}  // namespace safehouse::http
