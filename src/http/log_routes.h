// SPDX-License-Identifier: AGPL-3.0-or-later
// http/log_routes.h: the transparency log on the source listener, exactly as
// C2SP tlog-tiles (https://c2sp.org/tlog-tiles) serves it under /log/:
//   GET /log/checkpoint                       text/plain; charset=utf-8, no-cache
//   GET /log/tile/<L>/<N>[.p/<W>]             application/octet-stream
//   GET /log/tile/entries/<N>[.p/<W>]         application/octet-stream
// Full tiles never change: Cache-Control: public, max-age=31536000,
// immutable. A path that is not a canonical tile path is a 400, one that
// does not exist (yet) a 404 (docs/routes.md).
#ifndef SAFEHOUSE_HTTP_LOG_ROUTES_H_
#define SAFEHOUSE_HTTP_LOG_ROUTES_H_

#include <functional>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "http/router.h"

namespace safehouse::http {

// Reads a log path ("checkpoint", "tile/0/000.p/3"): the bytes, kNotFound,
// or another error (kUnavailable when the database is away). Thread-safe.
using LogReader = std::function<Result<Bytes>(std::string_view path)>;

// Registers the /log/ routes; errors use the router's (translated) error
// pages. Lifetime: `router` outlives its routes (they use its error pages).
void add_log_routes(Router& router, LogReader read);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_LOG_ROUTES_H_
