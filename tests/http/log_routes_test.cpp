// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/log_routes_test.cpp: /log/checkpoint and /log/tile/… as C2SP
// tlog-tiles serves them (content types, caching, 404, 400), over a log
// that TileLog wrote to a MemoryTileStore — no sockets.
#include "http/log_routes.h"

#include <gtest/gtest.h>

#include "tlog/memory_tile_store.h"
#include "tlog/tile_log.h"

namespace safehouse::http {
namespace {

class LogRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = tlog::TileLog::open(store_, 0);
    ASSERT_TRUE(log);
    std::vector<Bytes> entries;
    for (int i = 0; i < 300; ++i) {
      const std::string text = "entry " + std::to_string(i) + "\n";
      entries.emplace_back(text.begin(), text.end());
    }
    ASSERT_TRUE(log->append(entries));
    const std::string note = "example/log\n300\nroot\n\n— example abc=\n";
    ASSERT_TRUE(store_.write("checkpoint", as_bytes(note)));
    router_.set_error_pages([](unsigned status, const Request&) {
      return Response::text("error " + std::to_string(status), status);
    });
    add_log_routes(router_, [this](std::string_view path) { return store_.read(path); });
  }

  Response get(std::string_view target) {
    auto request = Request::create(Method::kGet, target, {}, {});
    EXPECT_TRUE(request);
    return router_.handle(*request);
  }

  tlog::MemoryTileStore store_;
  Router router_;
};

TEST_F(LogRoutes, CheckpointIsTextAndNeverCachedStale) {
  Response response = get("/log/checkpoint");
  EXPECT_EQ(response.status(), 200u);
  EXPECT_EQ(response.content_type(), "text/plain; charset=utf-8");
  EXPECT_EQ(response.header("Cache-Control"), "no-cache");
  EXPECT_EQ(response.body(), "example/log\n300\nroot\n\n— example abc=\n");
}

TEST_F(LogRoutes, FullTilesAreImmutablePartialOnesAreNot) {
  for (const char* path : {"/log/tile/0/000", "/log/tile/entries/000"}) {
    Response response = get(path);
    EXPECT_EQ(response.status(), 200u) << path;
    EXPECT_EQ(response.content_type(), "application/octet-stream");
    EXPECT_EQ(response.header("Cache-Control"), "public, max-age=31536000, immutable");
    auto stored = store_.read(std::string_view(path).substr(5));
    ASSERT_TRUE(stored);
    EXPECT_EQ(response.body(), std::string(stored->begin(), stored->end()));
  }
  for (const char* path :
       {"/log/tile/0/001.p/44", "/log/tile/entries/001.p/44", "/log/tile/1/000.p/1"}) {
    Response response = get(path);
    EXPECT_EQ(response.status(), 200u) << path;
    EXPECT_EQ(response.content_type(), "application/octet-stream");
    EXPECT_EQ(response.header("Cache-Control"), "no-cache") << path;
  }
  EXPECT_EQ(get("/log/tile/0/001.p/44").body().size(), 44u * 32);
}

TEST_F(LogRoutes, AbsentTilesAre404) {
  for (const char* path : {"/log/tile/0/002", "/log/tile/0/001", "/log/tile/entries/001.p/45",
                           "/log/tile/2/000.p/1", "/log/tile/0/x001/000"}) {
    Response response = get(path);
    EXPECT_EQ(response.status(), 404u) << path;
    EXPECT_EQ(response.body(), "error 404");
  }
}

TEST_F(LogRoutes, MalformedPathsAre400) {
  for (const char* path :
       {"/log/tile/0/1", "/log/tile/0/0000", "/log/tile/0/000.p/0", "/log/tile/0/000.p/256",
        "/log/tile/0/000.p/07", "/log/tile/x/000", "/log/tile/0/x000/001", "/log/tile/entries",
        "/log/tile/0/000/", "/log/tile/entries/000.p/", "/log/tile/64/000"}) {
    Response response = get(path);
    EXPECT_EQ(response.status(), 400u) << path;
  }
  // A dot segment never reaches a route: the request itself is refused.
  EXPECT_FALSE(Request::create(Method::kGet, "/log/tile/0/%2e%2e/checkpoint", {}, {}));
  EXPECT_EQ(get("/log/checkpoints").status(), 404u);
}

}  // namespace
}  // namespace safehouse::http
