// SPDX-License-Identifier: AGPL-3.0-or-later
// http/listener.cpp: the accept loop. Logs failures, never who connected.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "http/server_internal.h"

namespace safehouse::http::detail {

// Connections a listener may hold beyond its cap while the ones that make
// room for them are being closed.
constexpr std::size_t kMaxEvicting = 64;

net::awaitable<void> run_listener(ServerContext& context, const ListenerConfig& config,
                                  net::ip::tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(context.io),
                                                       net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Typically out of file descriptors: back off instead of spinning.
      spdlog::warn("http: {}: accept failed: {}", config.name, ec.message());
      net::steady_timer pause(co_await net::this_coro::executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    // Counted per listener: a flood on the source listener never locks the
    // staff listener out, nor the other way round. At the cap, the
    // connection that has waited longest for a request header makes room
    // (idle or sending its header slowly: an attacker holding connections
    // open without using them); only if every one is busy with a request is
    // the new one refused.
    bool full = config.limits.max_connections != 0 &&
                config.open_connections.load() >= config.limits.max_connections;
    if (full && config.open_connections.load() < config.limits.max_connections + kMaxEvicting) {
      full = !context.connections.evict_oldest_waiting(&config);
    }
    if (full) {
      context.counters.connections_refused.fetch_add(1);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    // A response may leave in several writes (header, then a streamed body):
    // with Nagle's algorithm a small last write waits for the client's
    // delayed ACK, about 40 ms a response on Linux (bench/RESULTS.md, "The
    // case list in Chromium"). Best effort: without it only latency suffers.
    boost::system::error_code no_delay_ignored;
    socket.set_option(net::ip::tcp::no_delay(true), no_delay_ignored);
    config.open_connections.fetch_add(1);  // run_session() gives it back
    auto executor = socket.get_executor();
    net::co_spawn(executor, run_session(context, config, std::move(socket)),
                  [](std::exception_ptr) {});  // run_session catches everything itself
  }
}

}  // namespace safehouse::http::detail
