// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/streamed_response_test.cpp: a Response::stream body through a
// real server on a loopback socket: every byte arrives in order with the
// listener's headers and the announced Content-Length, HEAD sends none, and
// a source that fails or runs out early makes the server close the
// connection instead of sending a short body that looks whole.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <string>
#include <thread>

#include "http/server.h"

namespace safehouse::http {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// A deterministic, non-repeating pattern, so that a reordered or repeated
// chunk shows.
std::uint8_t pattern_byte(std::uint64_t offset) {
  return static_cast<std::uint8_t>((offset * 2654435761u) >> 13);
}

// Yields `length` pattern bytes in reads of at most `step`, then fails with
// an error (if `fail_at` is reached first) or ends.
class PatternSource final : public ByteSource {
 public:
  PatternSource(std::uint64_t length, std::size_t step, std::uint64_t fail_at)
      : length_(length), step_(step), fail_at_(fail_at) {}
  Result<std::size_t> read(MutableByteSpan out) override {
    if (offset_ >= fail_at_) return Error(ErrorCode::kIo, "the disk went away");
    std::size_t n = std::min<std::uint64_t>({out.size(), step_, length_ - offset_});
    for (std::size_t i = 0; i < n; ++i) out[i] = pattern_byte(offset_ + i);
    offset_ += n;
    return n;
  }

 private:
  std::uint64_t length_;
  std::size_t step_;
  std::uint64_t fail_at_;
  std::uint64_t offset_ = 0;
};

constexpr std::uint64_t kLength = (std::uint64_t{5} << 20) + 12345;
constexpr std::uint64_t kNever = ~std::uint64_t{0};

class StreamedResponseTest : public testing::Test {
 protected:
  void SetUp() override {
    auto route = [](std::uint64_t announced, std::uint64_t real, std::uint64_t fail_at) {
      return [=](Request&) {
        Response response =
            Response::stream("application/octet-stream",
                             std::make_shared<PatternSource>(real, 100'000, fail_at), announced);
        response.set_header("Content-Disposition", "attachment; filename=\"item.age\"");
        return response;
      };
    };
    router_.get("/whole", route(kLength, kLength, kNever));
    router_.get("/empty", route(0, 0, kNever));
    router_.get("/fails", route(kLength, kLength, kLength / 2));
    router_.get("/short", route(kLength, kLength - 1, kNever));
    server_ = std::make_unique<Server>(ServerOptions{});
    ASSERT_TRUE(
        server_->add_listener("test", "127.0.0.1", 0, router_, SecurityHeaders::source_defaults()));
    port_ = server_->port("test");
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }

  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    return socket;
  }
  static bhttp::request<bhttp::string_body> get(std::string target,
                                                bhttp::verb verb = bhttp::verb::get) {
    bhttp::request<bhttp::string_body> request{verb, target, 11};
    request.set(bhttp::field::host, "localhost");
    return request;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  net::io_context io_;
  boost::beast::flat_buffer buffer_;
};

TEST_F(StreamedResponseTest, EveryByteArrivesInOrderWithTheListenersHeaders) {
  tcp::socket socket = connect();
  for (int round = 0; round < 2; ++round) {  // and the connection stays usable
    bhttp::write(socket, get("/whole"));
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kLength + 1);
    bhttp::read(socket, buffer_, parser);
    const auto& response = parser.get();
    ASSERT_EQ(response.result_int(), 200);
    EXPECT_EQ(response[bhttp::field::content_length], std::to_string(kLength));
    EXPECT_EQ(response[bhttp::field::content_type], "application/octet-stream");
    EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
    EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
    EXPECT_FALSE(response.chunked());
    ASSERT_EQ(response.body().size(), kLength);
    std::uint64_t wrong = 0;
    for (std::uint64_t i = 0; i < kLength; ++i) {
      wrong += static_cast<std::uint8_t>(response.body()[i]) != pattern_byte(i);
    }
    EXPECT_EQ(wrong, 0u);
  }
}

TEST_F(StreamedResponseTest, HeadAndEmptyBodiesSendNoBytes) {
  tcp::socket socket = connect();
  bhttp::write(socket, get("/whole", bhttp::verb::head));
  bhttp::response_parser<bhttp::string_body> head;
  head.skip(true);
  bhttp::read(socket, buffer_, head);
  EXPECT_EQ(head.get().result_int(), 200);
  EXPECT_EQ(head.get()[bhttp::field::content_length], std::to_string(kLength));
  // The next response on the same connection parses: no body bytes leaked.
  bhttp::write(socket, get("/empty"));
  bhttp::response<bhttp::string_body> empty;
  bhttp::read(socket, buffer_, empty);
  EXPECT_EQ(empty.result_int(), 200);
  EXPECT_EQ(empty[bhttp::field::content_length], "0");
  EXPECT_TRUE(empty.body().empty());
}

// Content-Length is already on the wire: the only honest answer to a
// failing source is to close, so that the client sees a truncated body.
TEST_F(StreamedResponseTest, ASourceThatFailsOrRunsOutClosesTheConnection) {
  for (const char* target : {"/fails", "/short"}) {
    tcp::socket socket = connect();
    bhttp::write(socket, get(target));
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kLength + 1);
    boost::beast::error_code ec;
    buffer_.clear();
    bhttp::read(socket, buffer_, parser, ec);
    EXPECT_EQ(ec, bhttp::error::partial_message) << target << ": " << ec.message();
    EXPECT_LT(parser.get().body().size(), kLength) << target;
  }
}

}  // namespace
}  // namespace safehouse::http
