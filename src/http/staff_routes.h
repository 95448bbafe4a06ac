// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_routes.h: the staff listener's routes for now: a home page
// pointing reviewers to the CLI (`safehouse review ...`) and /metrics in
// the Prometheus text format — totals only, no label that identifies a
// source, a case or a request.
#ifndef SAFEHOUSE_HTTP_STAFF_ROUTES_H_
#define SAFEHOUSE_HTTP_STAFF_ROUTES_H_

#include <functional>

#include "http/router.h"
#include "http/server.h"
#include "intake/intake.h"
#include "web/renderer.h"

namespace safehouse::http {

// Lifetime: outlives the router and the server.
struct StaffContext {
  const intake::Intake& intake;
  const web::Renderer& renderer;
  // The HTTP server's counters, if there is a server (tests may have none).
  std::function<ServerStats()> server_stats;
};

// The Prometheus text exposition of the counters.
std::string format_metrics(const intake::IntakeStats& intake,
                           const std::optional<ServerStats>& server);

void add_staff_routes(Router& router, StaffContext& context);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_STAFF_ROUTES_H_
