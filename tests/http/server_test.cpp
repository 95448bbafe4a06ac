// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/server_test.cpp: a real Server on 127.0.0.1 port 0, driven by a
// blocking Beast client: headers, errors, body limits, streamed uploads,
// keep-alive and graceful shutdown. Time and connection limits are in
// server_limits_test.cpp.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/fair_budget.h"

namespace safehouse::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

constexpr std::uint64_t kUploadLimit = 8 << 20;
constexpr std::uint64_t kSmallUploadLimit = 100 << 10;

struct UploadLog {
  std::mutex mutex;
  std::string data;
  std::size_t chunks = 0;
  std::size_t largest_chunk = 0;
  bool finished = false;
  std::optional<ErrorCode> failed;
  std::size_t bytes_at_fail = 0;  // what on_body() had received when fail() came
};

class LoggingUpload : public UploadHandler {
 public:
  LoggingUpload(UploadLog& log, bool throws) : log_(log), throws_(throws) {}
  Result<void> on_body(ByteSpan chunk) override {
    if (throws_) throw std::runtime_error("test: bug in upload handler");
    std::lock_guard lock(log_.mutex);
    log_.data.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    ++log_.chunks;
    log_.largest_chunk = std::max(log_.largest_chunk, chunk.size());
    return {};
  }
  Response finish() override {
    std::lock_guard lock(log_.mutex);
    log_.finished = true;
    return Response::redirect_see_other("/en/inbox?sent=1");
  }
  Response fail(const Error& error) override {
    std::lock_guard lock(log_.mutex);
    log_.failed = error.code();
    log_.bytes_at_fail = log_.data.size();
    log_.data.clear();  // "partial data is removed"
    return Response::text("upload failed", status_for(error.code()));
  }

 private:
  UploadLog& log_;
  bool throws_;
};

class ServerTest : public testing::Test {
 protected:
  void SetUp() override {
    router_.get("/hello", [](Request&) { return Response::text("hello"); });
    router_.get("/inject", [](Request&) {
      return Response::redirect_see_other("/en/\r\nSet-Cookie: evil=1");
    });
    router_.get("/cached", [](Request&) {
      Response response = Response::file("text/css", "body{}");
      response.set_header("Cache-Control", "max-age=3600");
      return response;
    });
    router_.post(
        "/echo", [](Request& r) { return Response::text(r.body()); },
        RouteOptions{.body_limit_bytes = 1024});
    auto slow = [this](Request&) {
      slow_started_.set_value();
      slow_release_.get_future().wait();
      return Response::text("finished");
    };
    router_.get("/slow", slow);
    router_.get("/kd-slow", slow, RouteOptions{.pool = Pool::kKeyDerivation});
    router_.get(
        "/kd-hello", [](Request&) { return Response::text("derived"); },
        RouteOptions{.pool = Pool::kKeyDerivation});
    router_.post(
        "/kd-echo", [](Request& r) { return Response::text(r.body()); },
        RouteOptions{.body_limit_bytes = 1024, .pool = Pool::kKeyDerivation});
    auto factory = [this](Request& r) -> std::variant<std::unique_ptr<UploadHandler>, Response> {
      if (r.header("x-reject")) return Response::text("rejected", 403);
      return std::make_unique<LoggingUpload>(log_, r.header("x-throw").has_value());
    };
    // Async handlers: this one answers when the test says so, from the test's thread.
    router_.post_async("/async", [this](Request& r, Respond respond) {
      std::lock_guard lock(owed_mutex_);
      owed_.emplace_back(r.body(), std::move(respond));
      owed_changed_.notify_all();
    });
    router_.post_async("/async-dropped", [](Request&, Respond) {});
    router_.post_async("/async-throws",
                       [](Request&, Respond) { throw std::runtime_error("test: bug"); });
    router_.post_upload("/upload", factory, kUploadLimit);
    router_.post_upload("/upload-small", factory, kSmallUploadLimit);

    ServerOptions options;
    options.drain_timeout = std::chrono::seconds(30);
    options.key_derivation_queue_limit = 1;
    server_ = std::make_unique<Server>(options);
    ASSERT_TRUE(
        server_->add_listener("test", "127.0.0.1", 0, router_, SecurityHeaders::source_defaults()));
    port_ = server_->port("test");
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  tcp::socket connect() {
    tcp::socket socket(client_io_);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    return socket;
  }

  ClientResponse exchange(tcp::socket& socket, bhttp::request<bhttp::string_body> request) {
    if (!request.chunked()) request.prepare_payload();  // it would replace chunked
    bhttp::write(socket, request);
    ClientResponse response;
    bhttp::read(socket, buffer_, response);
    return response;
  }

  ClientResponse exchange(bhttp::request<bhttp::string_body> request) {
    tcp::socket socket = connect();
    return exchange(socket, std::move(request));
  }

  static bhttp::request<bhttp::string_body> make(bhttp::verb verb, std::string target,
                                                 std::string body = {}) {
    bhttp::request<bhttp::string_body> request{verb, target, 11};
    request.set(bhttp::field::host, "localhost");
    request.body() = std::move(body);
    return request;
  }

  // Waits until `n` async requests are owed an answer (false after 60 s).
  bool wait_owed(std::size_t n) {
    std::unique_lock lock(owed_mutex_);
    return owed_changed_.wait_for(lock, 60s, [&] { return owed_.size() >= n; });
  }

  Router router_;
  std::mutex owed_mutex_;
  std::condition_variable owed_changed_;
  std::vector<std::pair<std::string, Respond>> owed_;  // body, answer
  UploadLog log_;
  std::promise<void> slow_started_;
  std::promise<void> slow_release_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  net::io_context client_io_;
  boost::beast::flat_buffer buffer_;
};

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  for (const char* target : {"/hello", "/missing"}) {
    ClientResponse response = exchange(make(bhttp::verb::get, target));
    EXPECT_EQ(response["Content-Security-Policy"],
              "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(response["X-Frame-Options"], "DENY");
    EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
    EXPECT_EQ(response.count(bhttp::field::server), 0u);
  }
  ClientResponse hello = exchange(make(bhttp::verb::get, "/hello"));
  EXPECT_EQ(hello.result_int(), 200);
  EXPECT_EQ(hello.body(), "hello");
  EXPECT_EQ(hello[bhttp::field::content_type], "text/plain; charset=utf-8");
}

TEST_F(ServerTest, HandlerMayOverrideCacheControl) {
  ClientResponse response = exchange(make(bhttp::verb::get, "/cached"));
  EXPECT_EQ(response[bhttp::field::cache_control], "max-age=3600");
  EXPECT_EQ(response["X-Frame-Options"], "DENY");
}

TEST_F(ServerTest, NotFoundMethodNotAllowedBadRequest) {
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/missing")).result_int(), 404);
  ClientResponse wrong = exchange(make(bhttp::verb::get, "/echo"));
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[bhttp::field::allow], "POST");
  EXPECT_EQ(exchange(make(bhttp::verb::put, "/hello", "x")).result_int(), 405);
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/a/../hello")).result_int(), 400);
}

TEST_F(ServerTest, HeaderInjectionBecomes500) {
  ClientResponse response = exchange(make(bhttp::verb::get, "/inject"));
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(response.count(bhttp::field::set_cookie), 0u);
  EXPECT_EQ(response.count(bhttp::field::location), 0u);
}

TEST_F(ServerTest, HeadAnswersWithoutBody) {
  tcp::socket socket = connect();
  auto request = make(bhttp::verb::head, "/hello");
  bhttp::write(socket, request);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(true);  // a HEAD response has no body
  bhttp::read(socket, buffer_, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[bhttp::field::content_length], "5");
  EXPECT_TRUE(parser.get().body().empty());
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  auto request = make(bhttp::verb::get, "/hello");
  request.set("X-Padding", std::string(9000, 'p'));
  EXPECT_EQ(exchange(std::move(request)).result_int(), 431);
}

TEST_F(ServerTest, SmallBodyLimit) {
  EXPECT_EQ(exchange(make(bhttp::verb::post, "/echo", std::string(1024, 'e'))).body(),
            std::string(1024, 'e'));
  EXPECT_EQ(exchange(make(bhttp::verb::post, "/echo", std::string(1025, 'e'))).result_int(), 413);
}

// No route takes a chunked body; Beast 1.81 would keep an endless chunk
// extension or trailer whole in memory, so chunked requests are refused
// before their body is read, small or not.
TEST_F(ServerTest, ChunkedBodiesAreRefusedWith411) {
  auto small_chunked = make(bhttp::verb::post, "/echo", std::string(500, 's'));
  small_chunked.chunked(true);
  ClientResponse response = exchange(std::move(small_chunked));
  EXPECT_EQ(response.result_int(), 411);
  EXPECT_FALSE(response.keep_alive());
  auto upload = make(bhttp::verb::post, "/upload-small", std::string(2 * kSmallUploadLimit, 'x'));
  upload.chunked(true);
  EXPECT_EQ(exchange(std::move(upload)).result_int(), 411);
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.chunks, 0u);
  EXPECT_FALSE(log_.finished);
}

// Writes `head`, then `filler` over and over (up to kFloodBytes) from another
// thread while this one reads the answer. Returns the response (status 0 if
// none came) and how many bytes the server let the client send.
constexpr std::size_t kFloodBytes = 48 << 20;
std::pair<unsigned, std::size_t> flood(std::uint16_t port, const std::string& head,
                                       const std::string& filler) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  std::atomic<std::size_t> sent{0};
  std::thread writer([&] {
    boost::system::error_code ec;
    net::write(socket, net::buffer(head), ec);
    while (!ec && sent < kFloodBytes) sent += net::write(socket, net::buffer(filler), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  });
  boost::beast::flat_buffer buffer;
  ClientResponse response;
  boost::system::error_code ec;
  bhttp::read(socket, buffer, response, ec);
  writer.join();
  return {ec ? 0u : response.result_int(), sent.load()};
}

TEST_F(ServerTest, EndlessChunkExtensionIsCutOff) {
  auto [status, sent] = flood(port_,
                              "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                              "\r\n1;ext=",
                              std::string(64 * 1024, 'x'));
  EXPECT_EQ(status, 411u);
  EXPECT_LT(sent, kFloodBytes / 4);  // the server stopped reading long before
}

TEST_F(ServerTest, EndlessTrailerIsCutOff) {
  auto [status, sent] =
      flood(port_,
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "1\r\na\r\n0\r\nX-T: ",
            std::string(64 * 1024, 'x'));
  EXPECT_EQ(status, 411u);
  EXPECT_LT(sent, kFloodBytes / 4);
}

TEST_F(ServerTest, EndlessHeaderIsCutOff) {
  auto [status, sent] =
      flood(port_, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Endless: ", std::string(64 * 1024, 'x'));
  EXPECT_EQ(status, 431u);
  EXPECT_LT(sent, kFloodBytes / 4);
}

TEST_F(ServerTest, StreamedUploadArrivesIntactInChunks) {
  std::string body(3 * 1024 * 1024 + 123, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 7919) >> 3);
  ClientResponse response = exchange(make(bhttp::verb::post, "/upload", body));
  EXPECT_EQ(response.result_int(), 303);
  EXPECT_EQ(response[bhttp::field::location], "/en/inbox?sent=1");
  std::lock_guard lock(log_.mutex);
  EXPECT_TRUE(log_.finished);
  EXPECT_FALSE(log_.failed);
  EXPECT_TRUE(log_.data == body);
  EXPECT_GT(log_.chunks, 1u);
  EXPECT_LE(log_.largest_chunk, ServerOptions{}.upload_chunk_bytes);
  EXPECT_GE(server_->stats().upload_bytes_total, body.size());
  // Beast reads at most its buffer's spare room per recv; the server makes
  // that room (64 KiB). Without it a body came 512 bytes a read: > 6000 here.
  EXPECT_LT(server_->stats().body_reads_total, body.size() / 4096);
}

// The body of a request with a Content-Length is read from the socket
// straight into the upload chunk (session.cpp, InPlaceBody), never past its
// end: a request pipelined right behind it, in the same segments, is still
// answered, and bytes that came with the header are not lost or repeated.
TEST_F(ServerTest, UploadReadInPlaceStopsAtItsContentLength) {
  std::string body(2 * 1024 * 1024 + 77, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 31) ^ (i >> 9));
  tcp::socket socket = connect();
  std::string wire =
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nafter";
  net::write(socket, net::buffer(wire));
  ClientResponse first;
  bhttp::read(socket, buffer_, first);
  EXPECT_EQ(first.result_int(), 303);
  EXPECT_TRUE(first.keep_alive());
  ClientResponse second;
  bhttp::read(socket, buffer_, second);
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(second.body(), "after");
  std::lock_guard lock(log_.mutex);
  EXPECT_TRUE(log_.finished);
  EXPECT_TRUE(log_.data == body);
  EXPECT_EQ(server_->stats().requests_total, 2u);
}

// The same with the body dribbling in small pieces after the header: every
// piece is a short read into the chunk at the right place.
TEST_F(ServerTest, UploadInSmallPiecesArrivesIntact) {
  std::string body(200'000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 131 + (i >> 8));
  tcp::socket socket = connect();
  socket.set_option(tcp::no_delay(true));
  net::write(socket, net::buffer("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10)));
  for (std::size_t at = 10; at < body.size(); at += 40'000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    net::write(socket, net::buffer(body.substr(at, 40'000)));
  }
  ClientResponse response;
  bhttp::read(socket, buffer_, response);
  EXPECT_EQ(response.result_int(), 303);
  std::lock_guard lock(log_.mutex);
  EXPECT_TRUE(log_.finished);
  EXPECT_TRUE(log_.data == body);
}

TEST_F(ServerTest, UploadOverDeclaredLimitCallsFail) {
  auto request = make(bhttp::verb::post, "/upload-small", std::string(kSmallUploadLimit + 1, 'x'));
  EXPECT_EQ(exchange(std::move(request)).result_int(), 413);
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.failed, ErrorCode::kTooLarge);
  EXPECT_FALSE(log_.finished);
  EXPECT_TRUE(log_.data.empty());
}

TEST_F(ServerTest, BrokenUploadHandsOverWhatArrived) {
  // Less than one upload chunk arrives, then the client goes: the handler
  // still gets those bytes before fail(kIo) (a tus PATCH keeps them).
  constexpr std::size_t kSent = 300'000;
  ASSERT_LT(kSent, ServerOptions{}.upload_chunk_bytes);
  {
    tcp::socket socket = connect();
    std::string head =
        "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000\r\n\r\n";
    net::write(socket, net::buffer(head));
    net::write(socket, net::buffer(std::string(kSent, 'p')));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }  // closed
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(log_.mutex);
      if (log_.failed) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.failed, ErrorCode::kIo);
  EXPECT_EQ(log_.bytes_at_fail, kSent);
  EXPECT_FALSE(log_.finished);
}

TEST_F(ServerTest, FactoryRejectsBeforeBody) {
  auto request = make(bhttp::verb::post, "/upload", std::string(1000, 'x'));
  request.set("X-Reject", "1");
  ClientResponse response = exchange(std::move(request));
  EXPECT_EQ(response.result_int(), 403);
  EXPECT_FALSE(response.keep_alive());
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.chunks, 0u);
}

TEST_F(ServerTest, ThrowingUploadHandlerStillFails) {
  auto request = make(bhttp::verb::post, "/upload", "data");
  request.set("X-Throw", "1");
  EXPECT_EQ(exchange(std::move(request)).result_int(), 500);
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.failed, ErrorCode::kInternal);
}

TEST_F(ServerTest, KeyDerivationQueueIsBounded) {
  tcp::socket first = connect();
  auto request = make(bhttp::verb::get, "/kd-slow");
  bhttp::write(first, request);
  slow_started_.get_future().wait();
  // The one allowed key derivation is busy: the next is refused at once...
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/kd-slow")).result_int(), 503);
  // ...while ordinary routes still answer.
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/hello")).result_int(), 200);
  slow_release_.set_value();
  ClientResponse response;
  bhttp::read(first, buffer_, response);
  EXPECT_EQ(response.body(), "finished");
}

// A request that is still sending its body holds no key-derivation place:
// with a queue of one, a trickling body does not make the next request 503.
TEST_F(ServerTest, SlowBodyHoldsNoKeyDerivationPlace) {
  tcp::socket trickling = connect();
  net::write(trickling, net::buffer(std::string_view(
                            "POST /kd-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01")));
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/kd-hello")).body(), "derived");
  net::write(trickling, net::buffer(std::string_view("23456789")));
  ClientResponse response;
  bhttp::read(trickling, buffer_, response);
  EXPECT_EQ(response.body(), "0123456789");
}

TEST_F(ServerTest, AnswersExpectContinueBeforeReadingBody) {
  tcp::socket socket = connect();
  net::write(socket, net::buffer(std::string_view(
                         "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                         "Expect: 100-continue\r\n\r\n")));
  bhttp::response_parser<bhttp::empty_body> interim;
  bhttp::read_header(socket, buffer_, interim);  // sent before any body byte
  EXPECT_EQ(interim.get().result(), bhttp::status::continue_);
  net::write(socket, net::buffer(std::string_view("hello")));
  ClientResponse response;
  bhttp::read(socket, buffer_, response);
  EXPECT_EQ(response.result_int(), 303);
  std::lock_guard lock(log_.mutex);
  EXPECT_EQ(log_.data, "hello");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequests) {
  tcp::socket socket = connect();
  for (int i = 0; i < 3; ++i) {
    ClientResponse response = exchange(socket, make(bhttp::verb::post, "/echo", std::to_string(i)));
    EXPECT_EQ(response.body(), std::to_string(i));
    EXPECT_TRUE(response.keep_alive());
  }
  ClientResponse upload = exchange(socket, make(bhttp::verb::post, "/upload", "small"));
  EXPECT_EQ(upload.result_int(), 303);
  EXPECT_TRUE(upload.keep_alive());
  EXPECT_EQ(server_->stats().connections_total, 1u);
  EXPECT_EQ(server_->stats().requests_total, 4u);
}

TEST_F(ServerTest, GracefulStopDrainsInFlightRequest) {
  tcp::socket busy = connect();
  auto request = make(bhttp::verb::get, "/slow");
  bhttp::write(busy, request);
  slow_started_.get_future().wait();

  tcp::socket idle = connect();
  ClientResponse first = exchange(idle, make(bhttp::verb::get, "/hello"));
  EXPECT_TRUE(first.keep_alive());

  server_->stop();
  // The idle connection is closed by the shutdown...
  char byte;
  boost::system::error_code ec;
  idle.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof);
  // ...while the in-flight request still gets its answer, then a close.
  slow_release_.set_value();
  ClientResponse response;
  bhttp::read(busy, buffer_, response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "finished");
  EXPECT_FALSE(response.keep_alive());
  thread_.join();  // run() returned on its own
  tcp::socket late(client_io_);
  late.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_TRUE(ec);  // nothing listens any more
}

// Requests of an async route hold no worker thread while they wait for their
// answer: more of them than the pool has threads (4) are all started before
// any is answered, and each gets its own answer, given from another thread.
TEST_F(ServerTest, AsyncHandlersHoldNoWorkerWhileTheyWait) {
  constexpr int kRequests = 8;
  std::vector<std::future<ClientResponse>> answers;
  for (int i = 0; i < kRequests; ++i) {
    answers.push_back(std::async(std::launch::async, [this, i] {
      net::io_context io;
      tcp::socket socket(io);
      socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
      auto request = make(bhttp::verb::post, "/async", "request " + std::to_string(i));
      request.prepare_payload();
      bhttp::write(socket, request);
      boost::beast::flat_buffer buffer;
      ClientResponse response;
      bhttp::read(socket, buffer, response);
      return response;
    }));
  }
  ASSERT_TRUE(wait_owed(kRequests));
  {
    std::lock_guard lock(owed_mutex_);
    for (auto& [body, respond] : owed_) {
      respond(Response::text("answer to " + body));
      respond(Response::text("a second answer is ignored", 500));
    }
    owed_.clear();
  }
  for (int i = 0; i < kRequests; ++i) {
    ClientResponse response = answers[i].get();
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "answer to request " + std::to_string(i));
  }
}

TEST_F(ServerTest, AsyncHandlerThatNeverAnswersOrThrowsGets500) {
  EXPECT_EQ(exchange(make(bhttp::verb::post, "/async-dropped", "x")).result_int(), 500);
  EXPECT_EQ(exchange(make(bhttp::verb::post, "/async-throws", "x")).result_int(), 500);
  // The server goes on.
  EXPECT_EQ(exchange(make(bhttp::verb::get, "/hello")).body(), "hello");
}

// An answer still owed when the server stops is sent before it stops.
TEST_F(ServerTest, GracefulStopWaitsForAnOwedAsyncAnswer) {
  tcp::socket busy = connect();
  auto request = make(bhttp::verb::post, "/async", "late");
  request.prepare_payload();
  bhttp::write(busy, request);
  ASSERT_TRUE(wait_owed(1));
  server_->stop();
  {
    std::lock_guard lock(owed_mutex_);
    owed_.front().second(Response::text("answered after stop"));
    owed_.clear();
  }
  ClientResponse response;
  bhttp::read(busy, buffer_, response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "answered after stop");
  thread_.join();
}

}  // namespace
}  // namespace safehouse::http
