// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_pages.h: the transparency log as sources and the public read it
// on the source listener's pages (docs/tlog.md, "On the source pages"):
//   - the landing page's list of published statements (figures), with the
//     observers who cosigned each, from the same data as /log/statements/;
//   - GET /{lang}/published[?sha256=HEX]: the files the organisation
//     published (language, day, hash) and, for a SHA-256 given in the
//     no-JavaScript form, whether it is one of them, with its inclusion
//     proof in the signed checkpoint.
// The data comes from callbacks (serve wires them to the log), so http/
// knows nothing of the storage.
#ifndef SAFEHOUSE_HTTP_LOG_PAGES_H_
#define SAFEHOUSE_HTTP_LOG_PAGES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/sha256.h"
#include "http/log_publication_routes.h"
#include "http/router.h"
#include "web/renderer.h"

namespace safehouse::http {

// The landing page shows at most this many statements, newest first.
inline constexpr std::size_t kLandingStatements = 10;
// The published page lists at most this many files, newest first.
inline constexpr std::size_t kListedPublishedFiles = 500;

// The landing page's "statements" list (web/renderer.h, kLanding) from
// the listings /log/statements/ serves: period, checkpoint size, every
// count ("fewer than t" below the threshold), the observers who cosigned.
// A note that does not parse is left out. Newest (largest id) first.
std::vector<web::PageData> statement_items(const std::vector<StatementListing>& listings);

// One file the organisation published (cli/published_file.h).
struct PublishedFileRow {
  std::uint64_t index = 0;  // its entry in the log
  std::string sha256;       // 64 lower-case hex digits
  std::string language;     // en or fa
  std::string day;          // YYYY-MM-DD
};

// A published file with its inclusion proof in the log's current
// checkpoint.
struct PublishedFileProof {
  PublishedFileRow file;
  std::string checkpoint_note;     // the signed checkpoint the proof is for
  std::uint64_t size = 0;          // its size
  std::string root;                // its root, base64
  std::string leaf_hash;           // SHA-256(0x00 || entry), base64
  std::vector<std::string> proof;  // RFC 9162 inclusion proof, base64, leaf first
};

// Each callback is thread-safe.
struct PublishedFiles {
  // Every published file, in log order.
  std::function<Result<std::vector<PublishedFileRow>>()> list;
  // The file with this SHA-256 (the first entry naming it), or nullopt.
  std::function<Result<std::optional<PublishedFileProof>>(const crypto::Sha256Digest&)> find;
};

// Parses the form's field: exactly 64 hex digits (either case), surrounding
// white space ignored; nullopt otherwise.
std::optional<crypto::Sha256Digest> parse_sha256_hex(std::string_view text);

// Registers GET /{lang}/published. Lifetime: `renderer` outlives the router.
void add_published_files_page(Router& router, const web::Renderer& renderer, PublishedFiles files);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_LOG_PAGES_H_
