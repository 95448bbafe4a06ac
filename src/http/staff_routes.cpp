// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_routes.cpp: staff home page and /metrics.
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

std::string format_metrics(const intake::IntakeStats& intake,
                           const std::optional<ServerStats>& server) {
  std::ostringstream out;
  counter(out, "safehouse_submissions_total",
          "Submissions stored (first contacts and follow-ups) since start.", intake.submissions);
  counter(out, "safehouse_first_contacts_total", "First contacts stored since start.",
          intake.first_contacts);
  counter(out, "safehouse_items_total", "Items stored (source items and replies) since start.",
          intake.items);
  counter(out, "safehouse_stored_bytes_total", "Ciphertext bytes stored since start.",
          intake.bytes);
  counter(out, "safehouse_replies_total", "Replies stored since start.", intake.replies);
  if (server) {
    counter(out, "safehouse_http_requests_total", "HTTP requests on both listeners.",
            server->requests_total);
    counter(out, "safehouse_http_responses_4xx_total", "Responses with a 4xx status.",
            server->responses_4xx);
    counter(out, "safehouse_http_responses_5xx_total", "Responses with a 5xx status.",
            server->responses_5xx);
    counter(out, "safehouse_http_upload_bytes_total", "Request body bytes of uploads.",
            server->upload_bytes_total);
    counter(out, "safehouse_http_body_reads_total",
            "Socket reads made while reading request bodies.", server->body_reads_total);
    gauge(out, "safehouse_http_connections_open", "Connections open now.",
          server->connections_open);
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
  router.get("/", [&ctx](Request&) {
    return Response::html(
        ctx.renderer.render(web::Page::kStaffHome, web::Language::kEnglish, web::PageData()));
  });
  router.get("/metrics", [&ctx](Request&) {
    std::optional<ServerStats> server;
    if (ctx.server_stats) server = ctx.server_stats();
    return Response(200, "text/plain; version=0.0.4; charset=utf-8",
                    format_metrics(ctx.intake.stats(), server));
  });
}

}  // namespace safehouse::http
