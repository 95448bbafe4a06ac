// SPDX-License-Identifier: AGPL-3.0-or-later
// http/response_writer.cpp: writing a route's Response on the connection:
// the listener's security headers, Cache-Control, a refusal of header
// values that would split the response, and the body whole or streamed
// from its source (Response::stream) a chunk at a time.
#include "http/response_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <set>
#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "http/pool_dispatch.h"

namespace safehouse::http::detail {
namespace {

namespace bhttp = boost::beast::http;
constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);
// A streamed response body (an item download) is read and written this much
// at a time.
constexpr std::size_t kStreamedChunkBytes = 256 * 1024;

// Beast 1.81 does not check field values; a CR or LF from a handler (a
// Location built from input) would split the response.
bool headers_are_safe(const Response& response) {
  auto safe = [](std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
  };
  if (!safe(response.content_type())) return false;
  for (const auto& [name, value] : response.headers()) {
    if (name.empty() || !safe(name) || name.find(':') != std::string::npos || !safe(value)) {
      return false;
    }
  }
  return true;
}

// The status and headers every response carries: the listener's security
// headers, the handler's own (replacing a default of the same name), and
// Cache-Control: no-store unless the handler chose otherwise.
template <class Body>
void set_head(bhttp::response<Body>& message, const Response& response,
              const ListenerConfig& config, bool keep_alive) {
  message.version(11);
  message.result(response.status());
  for (const auto& [name, value] : config.security_headers.headers) message.set(name, value);
  std::set<std::string, std::less<>> replaced;
  for (const auto& [name, value] : response.headers()) {
    if (replaced.insert(name).second) message.erase(name);
    message.insert(name, value);
  }
  if (!response.header("cache-control")) message.set(bhttp::field::cache_control, "no-store");
  if (!response.content_type().empty()) {
    message.set(bhttp::field::content_type, response.content_type());
  }
  // No Server and no Date header: nothing to fingerprint, no timestamps.
  message.keep_alive(keep_alive);
}

bhttp::response<bhttp::string_body> to_message(Response& response, const ListenerConfig& config,
                                               bool head, bool keep_alive) {
  bhttp::response<bhttp::string_body> message;
  set_head(message, response, config, keep_alive);
  message.content_length(response.body().size());
  if (!head) message.body() = std::move(response.mutable_body());
  return message;
}

// Writes a streamed body chunk by chunk (Beast's buffer_body), reading each
// chunk from the source on the worker pool since it may come from disk or
// PostgreSQL. False if the connection broke or the source failed or ended
// before the length it announced (the caller then closes the connection).
net::awaitable<bool> write_streamed(ServerContext& context, beast::tcp_stream& stream,
                                    Response& response, const ListenerConfig& config, bool head,
                                    bool keep_alive) {
  const std::uint64_t length = response.body_source_length();
  bhttp::response<bhttp::buffer_body> message;
  set_head(message, response, config, keep_alive);
  message.content_length(length);
  message.body().data = nullptr;
  message.body().more = !head && length > 0;
  bhttp::response_serializer<bhttp::buffer_body> serializer{message};
  stream.expires_after(context.options.write_timeout);
  auto [header_ec, header_bytes] = co_await bhttp::async_write_header(stream, serializer, kAsTuple);
  if (header_ec) co_return false;
  if (head || length == 0) co_return true;
  ByteSource& source = *response.body_source();
  Bytes chunk(kStreamedChunkBytes);
  std::uint64_t sent = 0;
  while (sent < length) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), length - sent));
    auto got = co_await on_pool(context.workers,
                                [&] { return source.read(MutableByteSpan(chunk.data(), want)); });
    if (!got || *got == 0) {
      spdlog::error("http: a streamed body ended early: {}",
                    got ? "the source ran out" : got.error().message());
      co_return false;
    }
    sent += *got;
    message.body().data = chunk.data();
    message.body().size = *got;
    message.body().more = sent < length;
    stream.expires_after(context.options.write_timeout);
    auto [ec, written] = co_await bhttp::async_write(stream, serializer, kAsTuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return false;
  }
  co_return serializer.is_done();
}

}  // namespace

net::awaitable<bool> write_response(ServerContext& context, beast::tcp_stream& stream,
                                    Response response, const ListenerConfig& config, bool head,
                                    bool keep_alive) {
  if (!headers_are_safe(response) || response.status() < 200 || response.status() > 599) {
    spdlog::error("http: handler produced an invalid response header or status");
    Request root = Request::create(Method::kGet, "/").value();
    response = config.router->error_page(500, root);
    if (!headers_are_safe(response)) response = Response::text("500 Internal Server Error\n", 500);
  }
  unsigned status_class = response.status() / 100;
  if (status_class < 6) context.counters.responses_by_class[status_class].fetch_add(1);
  if (response.body_source()) {
    co_return co_await write_streamed(context, stream, response, config, head, keep_alive);
  }
  auto message = to_message(response, config, head, keep_alive);
  stream.expires_after(context.options.write_timeout);
  auto [ec, unused] = co_await bhttp::async_write(stream, message, kAsTuple);
  // A page may show a new codename or a decrypted reply.
  std::string& body = message.body();
  crypto::wipe({reinterpret_cast<std::uint8_t*>(body.data()), body.size()});
  co_return !ec;
}

}  // namespace safehouse::http::detail
