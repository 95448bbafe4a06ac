// SPDX-License-Identifier: AGPL-3.0-or-later
// http/response_writer.h: writes one route's Response on a connection's
// stream (http/response_writer.cpp). Internal: includes Beast, so only the
// server's own files (session.cpp) include it.
#ifndef SAFEHOUSE_HTTP_RESPONSE_WRITER_H_
#define SAFEHOUSE_HTTP_RESPONSE_WRITER_H_

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http/response.h"
#include "http/server_internal.h"

namespace safehouse::http::detail {

namespace beast = boost::beast;

// Writes `response` with the listener's security headers (a handler's own
// header replaces a default; Cache-Control: no-store unless set), no body
// for HEAD, and a streamed body chunk by chunk. A response whose header
// values would split it, or whose status is out of range, becomes the
// router's 500 page. Counts the response's status class. False if the
// connection broke or a streamed body ended early: the caller closes.
net::awaitable<bool> write_response(ServerContext& context, beast::tcp_stream& stream,
                                    Response response, const ListenerConfig& config, bool head,
                                    bool keep_alive);

}  // namespace safehouse::http::detail

#endif  // SAFEHOUSE_HTTP_RESPONSE_WRITER_H_
