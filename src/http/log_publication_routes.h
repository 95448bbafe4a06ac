// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_publication_routes.h: what the installation publishes beside the
// log's tiles, on the source listener (docs/tlog.md, "Case events in the
// log"; docs/routes.md):
//   GET  /log/openings/<observer>   the openings sealed (age) to an
//                                   accredited observer; 404 otherwise
//   GET  /log/statements/           one line per statement:
//                                   "<id> <first day> <last day> <size> <cosignatures>"
//   GET  /log/statements/<id>       the statement's signed note with the
//                                   observers' cosignatures it has
//   POST /log/statements/<id>       a note of the statement's text signed by
//                                   accredited observers: their cosignatures
//                                   are checked and kept (200), 400 for
//                                   another text or a bad signature, 403 if
//                                   no accredited observer signed, 404
// Answers are text/plain (or the age file), no-cache. The storage behind
// them is the caller's (callbacks), so http/ knows nothing of review/.
#ifndef SAFEHOUSE_HTTP_LOG_PUBLICATION_ROUTES_H_
#define SAFEHOUSE_HTTP_LOG_PUBLICATION_ROUTES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "http/router.h"

namespace safehouse::http {

struct StatementListing {
  std::int64_t id = 0;
  std::string note;  // with its cosignatures
};

// Each callback is thread-safe.
struct LogPublication {
  std::function<Result<Bytes>(std::string_view observer)> openings;
  std::function<Result<std::vector<StatementListing>>()> statements;
  std::function<Result<std::string>(std::int64_t id)> statement;
  // Returns the names of the observers whose cosignatures were kept.
  std::function<Result<std::vector<std::string>>(std::int64_t id, std::string_view note)> cosign;
};

// Lifetime: `router` outlives its routes.
void add_log_publication_routes(Router& router, LogPublication publication);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_LOG_PUBLICATION_ROUTES_H_
