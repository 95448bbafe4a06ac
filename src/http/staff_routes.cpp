// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_routes.cpp: /metrics, and the staff pages (http/staff_routes.h).
#include "http/staff_routes.h"

#include <sstream>

namespace safehouse::http {

namespace {

void counter(std::ostringstream& out, std::string_view name, std::string_view help,
             std::uint64_t value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
      << name << ' ' << value << '\n';
}

void gauge(std::ostringstream& out, std::string_view name, std::string_view help,
           std::uint64_t value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
      << name << ' ' << value << '\n';
}

}  // namespace

// Only what does not date a source's action (invariant 2): a Prometheus
// server scraping every 15 s would otherwise record the time and size of
// every submission. Totals and gauges that move when a source acts
// (requests, uploads, bytes, open connections, 4xx answers) stay inside the
// process; source events are published per complete UTC day.
std::string format_metrics(const intake::IntakeStats& intake,
                           const std::optional<ServerStats>& server) {
  std::ostringstream out;
  gauge(out, "safehouse_up", "1 while the server runs.", 1);
  gauge(out, "safehouse_submissions_previous_day",
        "Submissions stored (first contacts and follow-ups) on the last complete UTC day.",
        intake.previous_day.submissions);
  gauge(out, "safehouse_first_contacts_previous_day",
        "First contacts stored on the last complete UTC day.", intake.previous_day.first_contacts);
  gauge(out, "safehouse_items_previous_day",
        "Items stored (source items and replies) on the last complete UTC day.",
        intake.previous_day.items);
  gauge(out, "safehouse_replies_previous_day", "Replies stored on the last complete UTC day.",
        intake.previous_day.replies);
  if (server) {
    counter(out, "safehouse_http_responses_5xx_total",
            "Responses with a 5xx status (a server error, whoever asked).", server->responses_5xx);
  }
  return out.str();
}

void add_staff_routes(Router& router, StaffContext& context) {
  StaffContext& ctx = context;
  router.set_error_pages([&ctx](unsigned status, const Request&) {
    web::PageData data;
    data.set_number("status", status);
    return Response::html(ctx.renderer.render(web::Page::kError, web::Language::kEnglish, data),
                          status);
  });
  if (ctx.accounts != nullptr) {
    add_staff_account_routes(router, ctx);
  } else {
    router.get("/", [&ctx](Request&) {
      return Response::html(
          ctx.renderer.render(web::Page::kStaffHome, web::Language::kEnglish, web::PageData()));
    });
  }
  router.get("/metrics", [&ctx](Request&) {
    std::optional<ServerStats> server;
    if (ctx.server_stats) server = ctx.server_stats();
    return Response(200, "text/plain; version=0.0.4; charset=utf-8",
                    format_metrics(ctx.intake.stats(), server));
  });
}

}  // namespace safehouse::http
