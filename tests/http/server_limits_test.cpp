// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/server_limits_test.cpp: a real Server on 127.0.0.1 port 0 under
// the limits an attacker meets: slow and stalled headers and bodies, the
// connection cap, the open-file limit, the global sign-in budget; and the
// server's periodic tasks.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/fair_budget.h"
#include "http/server.h"

namespace safehouse::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

// A server with its own options, for limits the fixture does not set.
class LimitsTest : public testing::Test {
 protected:
  void start(ServerOptions options, ListenerLimits limits = {}) {
    router_.get("/hello", [](Request&) { return Response::text("hello"); });
    router_.post(
        "/echo", [](Request& r) { return Response::text(r.body()); },
        RouteOptions{.body_limit_bytes = 1024});
    router_.post(
        "/sign-in", [](Request&) { return Response::text("tried"); },
        RouteOptions{.body_limit_bytes = 1024, .budget = budget_.get()});
    server_ = std::make_unique<Server>(options);
    ASSERT_TRUE(server_->add_listener("limits", "127.0.0.1", 0, router_,
                                      SecurityHeaders::staff_defaults(), limits));
    ASSERT_TRUE(server_->add_listener("other", "127.0.0.1", 0, router_,
                                      SecurityHeaders::source_defaults(), limits));
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  tcp::socket connect(std::string_view listener = "limits") {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port(listener)));
    return socket;
  }
  ClientResponse get_hello(tcp::socket& socket) {
    auto request = bhttp::request<bhttp::string_body>{bhttp::verb::get, "/hello", 11};
    bhttp::write(socket, request);
    boost::beast::flat_buffer buffer;
    ClientResponse response;
    bhttp::read(socket, buffer, response);
    return response;
  }
  static boost::system::error_code read_one(tcp::socket& socket) {
    char byte;
    boost::system::error_code ec;
    socket.read_some(net::buffer(&byte, 1), ec);
    return ec;
  }

  Router router_;
  std::unique_ptr<FairBudget> budget_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  net::io_context io_;
};

TEST_F(LimitsTest, SlowHeaderIsCutOff) {
  ServerOptions options;
  options.header_read_timeout = std::chrono::seconds(1);
  start(options);
  tcp::socket socket = connect();
  net::write(socket, net::buffer(std::string_view("GET /hello HTTP/1.1\r\nHost: x\r\n")));
  EXPECT_EQ(read_one(socket), net::error::eof);  // closed without an answer
}

// The body timeout is per socket read, not per body or chunk: a slow Tor
// circuit that keeps sending is served however long the body takes.
TEST_F(LimitsTest, SlowButSteadyBodyIsServed) {
  ServerOptions options;
  options.body_read_timeout = std::chrono::seconds(2);
  options.small_body_timeout = std::chrono::seconds(0);  // 0: no deadline for the whole body
  options.min_body_bytes_per_second = 0;                 // 0: no minimum rate
  start(options);
  tcp::socket socket = connect();
  const std::string body = "0123456789";
  net::write(socket, net::buffer("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n"));
  // 10 pieces 400 ms apart: 4 s in all, twice the timeout.
  for (char c : body) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    net::write(socket, net::buffer(&c, 1));
  }
  boost::beast::flat_buffer buffer;
  ClientResponse response;
  bhttp::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), body);
}

// A small body must arrive whole in time: a trickle that keeps each read
// under the per-read timeout is still cut at the body's deadline.
TEST_F(LimitsTest, TricklingSmallBodyIsCutAtItsDeadline) {
  ServerOptions options;
  options.body_read_timeout = std::chrono::seconds(30);
  options.small_body_grace = std::chrono::seconds(1);
  options.min_body_bytes_per_second = 1000;  // 10 bytes: 1 s in all
  start(options);
  tcp::socket socket = connect();
  net::write(socket, net::buffer(std::string_view(
                         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")));
  boost::system::error_code ec;
  std::size_t sent = 0;
  for (; sent < 10 && !ec; ++sent) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    net::write(socket, net::buffer("x", 1), ec);
  }
  EXPECT_LT(sent, 10u);  // the server closed before the body was complete...
  EXPECT_EQ(read_one(socket), net::error::eof);  // ...without an answer
}

TEST_F(LimitsTest, StalledBodyIsCutOff) {
  ServerOptions options;
  options.body_read_timeout = std::chrono::seconds(1);
  start(options);
  tcp::socket socket = connect();
  net::write(socket, net::buffer(std::string_view(
                         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01")));
  EXPECT_EQ(read_one(socket), net::error::eof);  // closed without an answer
}

TEST(ServerPeriodic, RunsTasksUntilShutdown) {
  Server server;
  std::atomic<int> runs{0};
  std::promise<void> third_run;
  server.every(std::chrono::milliseconds(10), [&] {
    if (++runs == 3) third_run.set_value();
  });
  server.every(std::chrono::milliseconds(10), [] { throw std::runtime_error("test: task bug"); });
  std::thread thread([&] { server.run(); });
  third_run.get_future().wait();  // a thrown task did not stop the others
  server.stop();
  thread.join();  // run() returns with tasks still scheduled
  int after_stop = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runs.load(), after_stop);
  EXPECT_GE(after_stop, 3);
}

// At the cap, a new connection is refused only while every connection is
// busy with a request (here: one sending a body).
TEST_F(LimitsTest, ConnectionsOverTheLimitAreClosed) {
  start(ServerOptions{}, ListenerLimits{.max_connections = 1});
  tcp::socket busy = connect();
  net::write(busy, net::buffer(std::string_view(
                       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")));
  while (server_->stats().requests_total < 1) std::this_thread::sleep_for(10ms);
  tcp::socket second = connect();
  EXPECT_EQ(read_one(second), net::error::eof);
  EXPECT_EQ(server_->stats().connections_refused, 1u);
  // Each listener counts its own: the full one does not lock the other out.
  tcp::socket other = connect("other");
  ClientResponse response = get_hello(other);
  EXPECT_EQ(response.body(), "hello");
  EXPECT_NE(response["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
  // The busy request still completes.
  net::write(busy, net::buffer(std::string_view("cd")));
  boost::beast::flat_buffer buffer;
  ClientResponse echoed;
  bhttp::read(busy, buffer, echoed);
  EXPECT_EQ(echoed.body(), "abcd");
}

// A connection that only waits for a request (idle, or a header trickling
// in) makes room for a new one: holding connections open without using
// them cannot lock sources out.
TEST_F(LimitsTest, WaitingConnectionMakesRoomAtTheCap) {
  start(ServerOptions{}, ListenerLimits{.max_connections = 1});
  tcp::socket holder = connect();
  net::write(holder, net::buffer(std::string_view("GET /hello HTTP/1.1\r\nHost:")));
  tcp::socket source = connect();
  EXPECT_EQ(get_hello(source).body(), "hello");
  EXPECT_EQ(read_one(holder), net::error::eof);  // the holder was closed
  EXPECT_EQ(server_->stats().connections_refused, 0u);
}

TEST_F(LimitsTest, RunRaisesTheOpenFileLimit) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  start(ServerOptions{}, ListenerLimits{.max_connections = 500});
  tcp::socket socket = connect();
  EXPECT_EQ(get_hello(socket).body(), "hello");  // run() has started
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_GE(after.rlim_cur, std::min<rlim_t>(before.rlim_max, 2 * 500 + 256));
  setrlimit(RLIMIT_NOFILE, &before);
}

// The sign-in budget: one attempt a minute; a second one waits its turn and
// is answered 503 after the budget's max_wait.
TEST_F(LimitsTest, SignInBudgetIsGlobal) {
  budget_ = std::make_unique<FairBudget>(1, 16, std::chrono::milliseconds(300));
  start(ServerOptions{});
  auto attempt = [this](std::string_view listener) {
    tcp::socket socket = connect(listener);
    auto request = bhttp::request<bhttp::string_body>{bhttp::verb::post, "/sign-in", 11};
    request.body() = "codename=x";
    request.prepare_payload();
    bhttp::write(socket, request);
    boost::beast::flat_buffer buffer;
    ClientResponse response;
    bhttp::read(socket, buffer, response);
    return response.result_int();
  };
  EXPECT_EQ(attempt("limits"), 200u);
  EXPECT_EQ(attempt("other"), 503u);  // one budget for every listener and session
  EXPECT_EQ(budget_->waiting(), 0u);  // the one that gave up left the queue
}

}  // namespace
}  // namespace safehouse::http
