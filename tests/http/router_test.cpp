// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/router_test.cpp: matching, captures, 404/405/413, error pages,
// upload factories, all without sockets.
#include "http/router.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <stdexcept>
#include <thread>

namespace safehouse::http {
namespace {

Request make(Method method, std::string_view target, std::string body = {}) {
  auto request = Request::create(method, target, {}, std::move(body));
  EXPECT_TRUE(request);
  return std::move(*request);
}

Router make_router() {
  Router router;
  router.get("/", [](Request&) { return Response::redirect_see_other("/en/"); });
  router.get("/{lang}/", [](Request& r) {
    return Response::text("landing " + std::string(r.path_param("lang")));
  });
  router.get("/{lang}/login", [](Request& r) {
    return Response::text("login " + std::string(r.path_param("lang")));
  });
  router.post(
      "/{lang}/login", [](Request& r) { return Response::text("posted " + r.body()); },
      RouteOptions{.body_limit_bytes = 16, .pool = Pool::kKeyDerivation});
  router.get("/api/v1/metadata", [](Request&) { return Response::json("{}"); });
  router.get("/api/{version}/metadata", [](Request&) { return Response::text("capture"); });
  router.get("/static/*",
             [](Request& r) { return Response::text("file " + std::string(r.path_param("*"))); });
  router.get("/boom", [](Request&) -> Response { throw std::runtime_error("bug"); });
  return router;
}

TEST(Router, MatchesLiteralsAndCaptures) {
  Router router = make_router();
  auto root = make(Method::kGet, "/");
  Response response = router.handle(root);
  EXPECT_EQ(response.status(), 303u);
  EXPECT_EQ(response.header("location"), "/en/");

  auto landing = make(Method::kGet, "/fa/");
  EXPECT_EQ(router.handle(landing).body(), "landing fa");
  auto login = make(Method::kGet, "/en/login");
  EXPECT_EQ(router.handle(login).body(), "login en");
}

TEST(Router, LiteralBeatsCapture) {
  Router router = make_router();
  auto literal = make(Method::kGet, "/api/v1/metadata");
  EXPECT_EQ(router.handle(literal).content_type(), "application/json");
  auto captured = make(Method::kGet, "/api/v2/metadata");
  EXPECT_EQ(router.handle(captured).body(), "capture");
}

TEST(Router, PrefixRoute) {
  Router router = make_router();
  auto file = make(Method::kGet, "/static/fonts/vazir.woff2");
  EXPECT_EQ(router.handle(file).body(), "file fonts/vazir.woff2");
  auto bare = make(Method::kGet, "/static");
  EXPECT_EQ(router.handle(bare).status(), 404u);
  auto empty_rest = make(Method::kGet, "/static/");  // not the prefix route: the rest is empty
  EXPECT_EQ(router.handle(empty_rest).body(), "landing static");
}

TEST(Router, NotFoundAndMethodNotAllowed) {
  Router router = make_router();
  for (const char* path : {"/nope", "/en/login/extra", "/en", "//login"}) {
    auto request = make(Method::kGet, path);
    EXPECT_EQ(router.handle(request).status(), 404u) << path;
  }
  auto post_root = make(Method::kPost, "/");
  Response response = router.handle(post_root);
  EXPECT_EQ(response.status(), 405u);
  EXPECT_EQ(response.header("allow"), "GET, HEAD");
  auto put = make(Method::kOther, "/en/login");
  Response both = router.handle(put);
  EXPECT_EQ(both.status(), 405u);
  EXPECT_EQ(both.header("allow"), "GET, HEAD, POST");
}

TEST(Router, TusMethodsAndExplicitHead) {
  Router router;
  router.get("/u/{id}", [](Request&) { return Response::text("get"); });
  router.route(Method::kHead, "/u/{id}", [](Request&) { return Response::text("head"); });
  router.route(Method::kPatch, "/u/{id}", [](Request&) { return Response::text("patch"); });
  router.route(Method::kDelete, "/u/{id}", [](Request&) { return Response::text("delete"); });
  router.route(Method::kOptions, "/u/{id}", [](Request&) { return Response::text("options"); });
  for (auto [method, body] :
       {std::pair{Method::kGet, "get"}, std::pair{Method::kHead, "head"},
        std::pair{Method::kPatch, "patch"}, std::pair{Method::kDelete, "delete"},
        std::pair{Method::kOptions, "options"}}) {
    auto request = make(method, "/u/1");
    EXPECT_EQ(router.handle(request).body(), body) << method_name(method);
  }
  auto post = make(Method::kPost, "/u/1");
  Response refused = router.handle(post);
  EXPECT_EQ(refused.status(), 405u);
  EXPECT_EQ(refused.header("allow"), "GET, HEAD, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(method_name(Method::kPatch), "PATCH");
}

TEST(Router, HeadUsesGetRoutes) {
  Router router = make_router();
  auto head = make(Method::kHead, "/en/login");
  EXPECT_EQ(router.handle(head).status(), 200u);
}

TEST(Router, MatchReportsLimitsAndPool) {
  Router router = make_router();
  auto post = make(Method::kPost, "/en/login");
  RouteMatch match = router.match(post);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kHandler);
  EXPECT_EQ(match.body_limit_bytes, 16u);
  EXPECT_EQ(match.pool, Pool::kKeyDerivation);
  EXPECT_EQ(post.path_param("lang"), "en");
}

TEST(Router, BodyLimitGives413) {
  Router router = make_router();
  auto small = make(Method::kPost, "/en/login", "codename=x");
  EXPECT_EQ(router.handle(small).body(), "posted codename=x");
  auto large = make(Method::kPost, "/en/login", std::string(17, 'x'));
  EXPECT_EQ(router.handle(large).status(), 413u);
}

TEST(Router, HandlerExceptionIs500) {
  Router router = make_router();
  auto boom = make(Method::kGet, "/boom");
  EXPECT_EQ(router.handle(boom).status(), 500u);
}

// handle() waits for an async handler's answer, given here from another
// thread after the handler returned; one never given is a 500, as is a throw.
TEST(Router, AsyncHandlersAnswerThroughRespond) {
  Router router;
  std::thread answering;
  router.post_async(
      "/later",
      [&answering](Request& r, Respond respond) {
        answering = std::thread([respond, body = r.body()] {
          respond(Response::text("later " + body));
          respond(Response::text("ignored", 500));
        });
      },
      RouteOptions{.body_limit_bytes = 8});
  router.post_async("/dropped", [](Request&, Respond) {});
  router.post_async("/throws", [](Request&, Respond) { throw std::runtime_error("bug"); });
  auto later = make(Method::kPost, "/later", "x");
  RouteMatch match = router.match(later);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kHandler);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_NE(match.async_handler, nullptr);
  Response response = router.handle(later);
  answering.join();
  EXPECT_EQ(response.status(), 200u);
  EXPECT_EQ(response.body(), "later x");
  auto large = make(Method::kPost, "/later", std::string(9, 'x'));
  EXPECT_EQ(router.handle(large).status(), 413u);
  auto dropped = make(Method::kPost, "/dropped");
  EXPECT_EQ(router.handle(dropped).status(), 500u);
  auto throws = make(Method::kPost, "/throws");
  EXPECT_EQ(router.handle(throws).status(), 500u);
}

TEST(Router, CustomErrorPages) {
  Router router = make_router();
  router.set_error_pages([](unsigned status, const Request& request) {
    return Response::html("<p>" + std::to_string(status) + " " + request.path() + "</p>", status);
  });
  auto missing = make(Method::kGet, "/missing");
  Response response = router.handle(missing);
  EXPECT_EQ(response.status(), 404u);
  EXPECT_EQ(response.body(), "<p>404 /missing</p>");
}

class RecordingUpload : public UploadHandler {
 public:
  explicit RecordingUpload(std::string& log) : log_(log) {}
  Result<void> on_body(ByteSpan chunk) override {
    log_ += "body:" + std::string(reinterpret_cast<const char*>(chunk.data()), chunk.size()) + ";";
    if (chunk.size() > 5) return malformed("upload: bad");
    return {};
  }
  Response finish() override {
    log_ += "finish;";
    return Response::redirect_see_other("/en/inbox?sent=1");
  }
  Response fail(const Error& error) override {
    log_ += "fail:" + std::string(error_code_name(error.code())) + ";";
    return Response::text("failed", status_for(error.code()));
  }

 private:
  std::string& log_;
};

TEST(Router, UploadRoutes) {
  std::string log;
  Router router;
  router.post_upload(
      "/{lang}/inbox",
      [&](Request& request) -> std::variant<std::unique_ptr<UploadHandler>, Response> {
        if (!request.cookie("safehouse_session")) return Response::text("no session", 403);
        return std::make_unique<RecordingUpload>(log);
      },
      8);
  auto anonymous = make(Method::kPost, "/en/inbox", "abc");
  EXPECT_EQ(router.handle(anonymous).status(), 403u);
  EXPECT_EQ(log, "");

  auto signed_in =
      Request::create(Method::kPost, "/en/inbox", {{"cookie", "safehouse_session=t"}}, "abc");
  ASSERT_TRUE(signed_in);
  RouteMatch match = router.match(*signed_in);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kUpload);
  EXPECT_EQ(router.handle(*signed_in).status(), 303u);
  EXPECT_EQ(log, "body:abc;finish;");

  log.clear();
  signed_in->set_body("abcdefg");  // refused by on_body
  EXPECT_EQ(router.handle(*signed_in).status(), 400u);
  EXPECT_EQ(log, "body:abcdefg;fail:malformed;");

  log.clear();
  signed_in->set_body("123456789");  // over the limit of 8
  EXPECT_EQ(router.handle(*signed_in).status(), 413u);
  EXPECT_EQ(log, "fail:too large;");
}

TEST(Router, StatusForErrorCodes) {
  EXPECT_EQ(status_for(ErrorCode::kMalformed), 400u);
  EXPECT_EQ(status_for(ErrorCode::kTooLarge), 413u);
  EXPECT_EQ(status_for(ErrorCode::kUnsupported), 415u);
  EXPECT_EQ(status_for(ErrorCode::kIo), 500u);
  EXPECT_EQ(status_for(ErrorCode::kOutcomeUnknown), 503u);
}

// A 500 leaves the error's message in the log, so that a rare one can be
// traced; other statuses (503s while the database is away, 4xx) do not
// flood it.
TEST(Router, StatusForAnErrorLogsOnlyA500WithItsMessage) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  spdlog::set_default_logger(logger);
  EXPECT_EQ(status_for(Error(ErrorCode::kUnavailable, "MRK-UNAVAILABLE")), 503u);
  EXPECT_EQ(status_for(Error(ErrorCode::kMalformed, "MRK-MALFORMED")), 400u);
  EXPECT_EQ(status_for(io_error("MRK-IO")), 500u);
  EXPECT_EQ(status_for(Error(ErrorCode::kInternal, "MRK-INTERNAL")), 500u);
  spdlog::set_default_logger(previous);
  const std::string logged = out.str();
  EXPECT_NE(logged.find("MRK-IO"), std::string::npos) << logged;
  EXPECT_NE(logged.find("MRK-INTERNAL"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("MRK-UNAVAILABLE"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("MRK-MALFORMED"), std::string::npos) << logged;
}

}  // namespace
}  // namespace safehouse::http
