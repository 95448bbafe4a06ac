// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/serve_test.cpp: the source routes behind a real Server on
// 127.0.0.1 port 0, as `safehouse serve` wires them: a first contact with a
// 1 MiB file streamed over the socket in pieces, the inbox after it, the
// security headers, and /metrics on the staff listener.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "age/identity_file.h"
#include "config/installation.h"
#include "http/server.h"
#include "http/source_routes.h"
#include "http/staff_routes.h"
#include "intake/item_reader.h"
#include "source_stack.h"

namespace safehouse::http {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

using store::testing::Engine;

class ServeTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    stack_.engine = GetParam();
    ASSERT_NO_FATAL_FAILURE(stack_.open("Serve Org", true, 8 << 20));
    add_source_routes(source_router_, *stack_.source);
    ServerOptions server_options;
    server_options.upload_chunk_bytes = 16 * 1024;
    server_ = std::make_unique<Server>(server_options);
    staff_ = std::make_unique<StaffContext>(
        StaffContext{*stack_.intake, *stack_.renderer, [this] { return server_->stats(); }});
    add_staff_routes(staff_router_, *staff_);
    ASSERT_TRUE(server_->add_listener("source", "127.0.0.1", 0, source_router_,
                                      SecurityHeaders::source_defaults()));
    ASSERT_TRUE(server_->add_listener("staff", "127.0.0.1", 0, staff_router_,
                                      SecurityHeaders::staff_defaults()));
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  // One request on a fresh connection; the body is written in pieces of
  // `piece` bytes so that the server must stream it.
  ClientResponse send(std::string_view listener, bhttp::verb verb, const std::string& target,
                      const std::string& body = {}, const std::string& content_type = {},
                      std::size_t piece = 0) {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), server_->port(listener)});
    std::string head = std::string(bhttp::to_string(verb)) + " " + target +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!cookie_.empty()) head += "Cookie: safehouse_session=" + cookie_ + "\r\n";
    if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
    if (verb == bhttp::verb::post)
      head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    head += "\r\n";
    net::write(socket, net::buffer(head));
    for (std::size_t at = 0; at < body.size();) {
      const std::size_t n = piece == 0 ? body.size() : std::min(piece, body.size() - at);
      net::write(socket, net::buffer(body.data() + at, n));
      at += n;
    }
    boost::beast::flat_buffer buffer;
    ClientResponse response;
    bhttp::read(socket, buffer, response);
    auto set_cookie = response[bhttp::field::set_cookie];
    if (!set_cookie.empty()) {
      cookie_ = match(std::string(set_cookie), "safehouse_session=([0-9a-f]*)");
    }
    return response;
  }

  SourceStack stack_;
  std::unique_ptr<StaffContext> staff_;
  Router source_router_, staff_router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::string cookie_;
};

TEST_P(ServeTest, FirstContactOverTheSocket) {
  const std::string metrics_before = send("staff", bhttp::verb::get, "/metrics").body();
  ClientResponse form = send("source", bhttp::verb::get, "/en/first-contact");
  ASSERT_EQ(form.result_int(), 200);
  EXPECT_EQ(form[bhttp::field::cache_control], "no-store");
  EXPECT_NE(std::string(form["Content-Security-Policy"]).find("default-src 'none'"),
            std::string::npos);
  EXPECT_EQ(std::string(form["Content-Security-Policy"]).find("script-src"), std::string::npos);
  const std::string csrf = match(form.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_FALSE(csrf.empty());

  std::string file(1 << 20, '\0');
  for (std::size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>(i * 131 + 7);
  const std::string boundary = "b0undary";
  std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n";
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nover the wire\r\n";
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"clip.mp4\"\r\n"
          "Content-Type: video/mp4\r\n\r\n" +
          file + "\r\n--" + boundary + "--\r\n";
  ClientResponse sent = send("source", bhttp::verb::post, "/en/first-contact", body,
                             "multipart/form-data; boundary=" + boundary, 10'000);
  ASSERT_EQ(sent.result_int(), 303) << sent.body();
  EXPECT_EQ(sent[bhttp::field::location], "/en/inbox?sent=1");

  ClientResponse inbox = send("source", bhttp::verb::get, "/en/inbox?sent=1");
  EXPECT_EQ(inbox.result_int(), 200);
  EXPECT_NE(inbox.body().find("class=\"notice\""), std::string::npos);

  // What was stored decrypts, with the demo identity, to what was sent.
  auto identities = age::parse_identity_file([&] {
                      std::ifstream in(stack_.root / "data" / "demo-reviewer.key");
                      return std::string(std::istreambuf_iterator<char>(in), {});
                    }())
                        .value();
  const age::Identity* ids[] = {identities[0].get()};
  const auto cases = stack_.installation->store().list_cases({}).value();
  ASSERT_EQ(cases.size(), 1U);
  const auto items = stack_.installation->store().list_items(cases[0].case_id).value();
  ASSERT_EQ(items.size(), 2U);
  Bytes content;
  VectorSink sink(content);
  auto header = intake::read_item(stack_.installation->store(), items[1].item_id, ids, sink);
  ASSERT_TRUE(header) << header.error().message();
  EXPECT_EQ(header->file_name, "clip.mp4");
  EXPECT_EQ(std::string(content.begin(), content.end()), file);

  // Invariant 2: no metric moves when a source acts (page views, an upload,
  // a first contact), so scraping /metrics dates nothing; the process itself
  // did count them.
  ClientResponse metrics = send("staff", bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.body(), metrics_before);
  EXPECT_NE(metrics.body().find("safehouse_first_contacts_previous_day 0\n"), std::string::npos);
  EXPECT_EQ(stack_.intake->stats().first_contacts, 1U);
}

// 100 connections send a sign-in and then trickle its body. They hold no
// key-derivation place while they do (there are 16), so an ordinary first
// contact, whose page needs one, still succeeds.
TEST_P(ServeTest, FirstContactWhileHundredBodiesTrickle) {
  net::io_context io;
  std::vector<tcp::socket> trickling;
  for (int i = 0; i < 100; ++i) {
    tcp::socket& socket = trickling.emplace_back(io);
    socket.connect({net::ip::make_address("127.0.0.1"), server_->port("source")});
    net::write(socket,
               net::buffer(std::string_view("POST /en/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                            "Content-Type: application/x-www-form-urlencoded\r\n"
                                            "Content-Length: 200\r\n\r\nc")));
  }
  // Every one of them has been read up to its body.
  for (int i = 0; i < 400 && server_->stats().requests_total < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_GE(server_->stats().requests_total, 100U);
  for (auto& socket : trickling) net::write(socket, net::buffer("o", 1));

  ClientResponse form = send("source", bhttp::verb::get, "/en/first-contact");
  ASSERT_EQ(form.result_int(), 200) << form.body();
  const std::string csrf = match(form.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
                           "\r\n--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n"
                           "still here\r\n--b--\r\n";
  ClientResponse sent = send("source", bhttp::verb::post, "/en/first-contact", body,
                             "multipart/form-data; boundary=b");
  EXPECT_EQ(sent.result_int(), 303) << sent.body();
  EXPECT_EQ(stack_.intake->stats().first_contacts, 1U);
}

// An upload cut off mid-way stores nothing and leaves no file behind.
TEST_P(ServeTest, BrokenUploadLeavesNothing) {
  ClientResponse form = send("source", bhttp::verb::get, "/en/first-contact");
  const std::string csrf = match(form.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  const std::string boundary = "cut";
  std::string start = "--" + boundary +
                      "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
                      "\r\n--" + boundary +
                      "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.bin\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n";
  start += std::string(600'000, 'z');  // well past the inline limit: a blob is being written
  {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), server_->port("source")});
    const std::string head =
        "POST /en/first-contact HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: safehouse_session=" +
        cookie_ + "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
        "\r\nContent-Length: 2000000\r\n\r\n";
    net::write(socket, net::buffer(head));
    net::write(socket, net::buffer(start));
  }  // the connection breaks here
  const fs::path blobs = stack_.root / "data" / "blobs";
  // Files other than the pack engine's own (made at init), plus the blobs
  // the engine still holds (the pack's, or the database's rows): a broken
  // upload leaves neither.
  auto files_left = [&] {
    std::size_t n = 0;
    std::error_code ec;  // PostgreSQL's installations have no blobs folder
    for (auto it = fs::recursive_directory_iterator(blobs, ec);
         !ec && it != fs::recursive_directory_iterator(); ++it) {
      const std::string name = it->path().filename().string();
      if (it->is_regular_file() && name != "LOCK" && name != "pack" && name != "index") ++n;
    }
    return n + stack_.blob_count();
  };
  // The server notices the broken connection asynchronously; wait until it
  // has closed it (and so called the upload's fail()).
  auto settled = [&] {
    const ServerStats stats = server_->stats();
    return stats.connections_total >= 2 && stats.connections_open == 0 && files_left() == 0;
  };
  for (int i = 0; i < 200 && !settled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(files_left(), 0U);
  EXPECT_TRUE(stack_.installation->store().list_cases({}).value().empty());
  EXPECT_EQ(stack_.intake->stats().submissions, 0U);
}

INSTANTIATE_TEST_SUITE_P(Engines, ServeTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::http
