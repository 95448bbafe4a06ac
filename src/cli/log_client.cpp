// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/log_client.cpp: one synchronous Boost.Beast GET per read, over a
// fresh connection (a check reads a few dozen tiles at most).
#include "cli/log_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "tlog/tile.h"

namespace safehouse::cli {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<HttpTileStore> HttpTileStore::create(std::string_view base_url,
                                            std::chrono::seconds timeout) {
  auto url = boost::urls::parse_absolute_uri(base_url);
  if (!url || url->scheme() != "http" || url->host().empty() || url->has_query() ||
      url->has_userinfo() || url->has_fragment()) {
    return invalid_argument("log URL: not http://HOST[:PORT][/PATH]");
  }
  std::string prefix(url->encoded_path());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string port = url->has_port() ? std::string(url->port()) : "80";
  return HttpTileStore(std::string(url->encoded_host()), std::move(port), std::move(prefix),
                       timeout);
}

Result<Bytes> HttpTileStore::read(std::string_view path) {
  if (!tlog::is_log_path(path)) {
    return invalid_argument("log client: '" + std::string(path) + "' is not a log path");
  }
  const std::string target = prefix_ + "/" + std::string(path);
  const std::string where = "GET " + target;
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout_);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    stream.connect(endpoints, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, host_);
    request.set(http::field::connection, "close");
    http::write(stream, request, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::vector_body<std::uint8_t>> parser;
    parser.body_limit(kMaxLogResponseBytes);
    http::read(stream, buffer, parser, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    auto response = parser.release();
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    if (response.result() == http::status::not_found) {
      return Error(ErrorCode::kNotFound, where + ": 404 Not Found");
    }
    if (response.result() != http::status::ok) {
      return Error(ErrorCode::kUnavailable,
                   where + ": HTTP " + std::to_string(response.result_int()));
    }
    return Bytes(std::move(response.body()));
  } catch (const boost::system::system_error& e) {
    return Error(ErrorCode::kUnavailable, where + ": " + e.what());
  }
}

Result<void> HttpTileStore::write(std::string_view, ByteSpan) {
  return Error(ErrorCode::kUnsupported, "log client: the log is read-only over HTTP");
}
Result<void> HttpTileStore::remove(std::string_view) {
  return Error(ErrorCode::kUnsupported, "log client: the log is read-only over HTTP");
}

}  // namespace safehouse::cli
