// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_routes.cpp: /log/checkpoint and /log/tile/… (http/log_routes.h).
// Paths are checked with tlog's strict parser before anything is read, so a
// URL can name nothing but a canonical tile.
#include "http/log_routes.h"

#include <memory>
#include <string>

#include "tlog/tile.h"
#include "tlog/tile_store.h"

namespace safehouse::http {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

Response served(const Router& router, const Request& request, const Result<Bytes>& bytes,
                std::string content_type) {
  if (!bytes) return router.error_page(status_for(bytes.error()), request);
  Response response(200, std::move(content_type), std::string(bytes->begin(), bytes->end()));
  return response;
}

}  // namespace

void add_log_routes(Router& router, LogReader read) {
  auto reader = std::make_shared<LogReader>(std::move(read));
  router.get("/log/checkpoint", [&router, reader](Request& request) {
    Response response =
        served(router, request, (*reader)(tlog::kCheckpointPath), "text/plain; charset=utf-8");
    // A checkpoint changes with every append: always revalidate.
    if (response.status() == 200) response.set_header("Cache-Control", "no-cache");
    return response;
  });
  router.get("/log/tile/*", [&router, reader](Request& request) {
    const std::string path = "tile/" + std::string(request.path_param("*"));
    auto tile = tlog::parse_tile_path(path);
    if (!tile) return router.error_page(400, request);
    Response response = served(router, request, (*reader)(path), "application/octet-stream");
    // A full tile never changes; a partial one is replaced by a wider one
    // under another path, so it never changes either — but tlog-tiles lets
    // a log delete it, so only full tiles are cached for a year.
    if (response.status() == 200) {
      response.set_header("Cache-Control", tile->full() ? kImmutable : "no-cache");
    }
    return response;
  });
}

}  // namespace safehouse::http
