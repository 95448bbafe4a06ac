// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/http_fetch.cpp: one synchronous Boost.Beast request over a fresh
// connection.
#include "cli/http_fetch.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace safehouse::cli {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<HttpAnswer> http_fetch(std::string_view base_url, std::string_view method,
                              std::string_view path, std::string_view body, std::size_t max_bytes,
                              std::chrono::seconds timeout) {
  auto url = boost::urls::parse_absolute_uri(base_url);
  if (!url || url->scheme() != "http" || url->host().empty() || url->has_query() ||
      url->has_userinfo() || url->has_fragment()) {
    return invalid_argument("URL: not http://HOST[:PORT][/PATH]");
  }
  std::string prefix(url->encoded_path());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string host(url->encoded_host());
  const std::string port = url->has_port() ? std::string(url->port()) : "80";
  const std::string target = prefix + std::string(path);
  const std::string where = std::string(method) + " " + target;
  const http::verb verb = method == "POST" ? http::verb::post : http::verb::get;
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    stream.connect(endpoints, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, host);
    request.set(http::field::connection, "close");
    if (verb == http::verb::post) {
      request.set(http::field::content_type, "text/plain; charset=utf-8");
      request.body() = std::string(body);
      request.prepare_payload();
    }
    http::write(stream, request, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::vector_body<std::uint8_t>> parser;
    parser.body_limit(max_bytes);
    http::read(stream, buffer, parser, ec);
    if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
    auto response = parser.release();
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return HttpAnswer{response.result_int(), Bytes(std::move(response.body()))};
  } catch (const boost::system::system_error& e) {
    return Error(ErrorCode::kUnavailable, where + ": " + e.what());
  }
}

}  // namespace safehouse::cli
