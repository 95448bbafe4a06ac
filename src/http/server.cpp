// SPDX-License-Identifier: AGPL-3.0-or-later
// http/server.cpp: owns the io_context, pools and listeners; runs until a
// signal or stop(), then shuts down gracefully: stop accepting, close idle
// connections, let in-flight requests finish (bounded), stop.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <thread>

#include "http/file_limit.h"
#include "http/server_internal.h"

namespace safehouse::http {

namespace detail {

std::uint64_t ConnectionRegistry::add(std::weak_ptr<ConnectionHandle> connection,
                                      const ListenerConfig* listener) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_id_++;
  connections_.emplace(id, Entry{std::move(connection), listener});
  return id;
}

bool ConnectionRegistry::evict_oldest_waiting(const ListenerConfig* listener) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, entry] : connections_) {
    if (entry.listener != listener) continue;
    auto connection = entry.connection.lock();
    if (connection && connection->evict_if_waiting()) return true;
  }
  return false;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::vector<std::shared_ptr<ConnectionHandle>> ConnectionRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<ConnectionHandle>> live;
  for (const auto& [id, entry] : connections_) {
    if (auto connection = entry.connection.lock()) live.push_back(std::move(connection));
  }
  return live;
}

}  // namespace detail

namespace {

constexpr std::string_view kCspSource =
    "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
constexpr std::string_view kCspStaff =
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr auto kForcedCloseWait = std::chrono::seconds(2);
constexpr std::uint64_t kSpareFileDescriptors = 256;

SecurityHeaders headers_with_csp(std::string_view csp) {
  SecurityHeaders headers;
  headers.headers = {{"Content-Security-Policy", std::string(csp)},
                     {"Referrer-Policy", "no-referrer"},
                     {"X-Content-Type-Options", "nosniff"},
                     {"X-Frame-Options", "DENY"}};
  return headers;
}

}  // namespace

SecurityHeaders SecurityHeaders::source_defaults() {
  return headers_with_csp(kCspSource);
}
SecurityHeaders SecurityHeaders::staff_defaults() {
  return headers_with_csp(kCspStaff);
}

struct Server::Impl {
  explicit Impl(const ServerOptions& options) : context(options) {}

  struct Listener {
    detail::ListenerConfig config;
    detail::net::ip::tcp::acceptor acceptor;
    std::uint16_t port = 0;
  };

  void begin_shutdown();
  detail::net::awaitable<void> drain();

  struct Periodic {
    std::chrono::milliseconds period;
    std::function<void()> task;
  };
  detail::net::awaitable<void> run_periodic(const Periodic& periodic);

  detail::ServerContext context;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<Periodic> periodic_tasks;
  bool ran = false;
};

detail::net::awaitable<void> Server::Impl::run_periodic(const Periodic& periodic) {
  namespace net = detail::net;
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    timer.expires_after(periodic.period);
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec || context.stopping) co_return;
    try {
      periodic.task();
    } catch (const std::exception& e) {
      spdlog::error("http: periodic task failed: {}", e.what());
    }
  }
}

void Server::Impl::begin_shutdown() {
  if (context.stopping.exchange(true)) return;
  spdlog::info("http: shutting down, {} connection(s) open", context.connections.size());
  for (auto& listener : listeners) {
    detail::net::post(listener->acceptor.get_executor(), [l = listener.get()] {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
    });
  }
  for (auto& connection : context.connections.snapshot()) connection->close_if_idle();
  detail::net::co_spawn(context.io, drain(), detail::net::detached);
}

detail::net::awaitable<void> Server::Impl::drain() {
  namespace net = detail::net;
  net::steady_timer timer(context.io);
  auto wait_until_empty =
      [&](std::chrono::steady_clock::time_point deadline) -> net::awaitable<void> {
    while (context.connections.size() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(kPollInterval);
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
  };
  co_await wait_until_empty(std::chrono::steady_clock::now() + context.options.drain_timeout);
  if (context.connections.size() > 0) {
    spdlog::warn("http: drain timeout: closing {} connection(s)", context.connections.size());
    for (auto& connection : context.connections.snapshot()) connection->close_now();
    co_await wait_until_empty(std::chrono::steady_clock::now() + kForcedCloseWait);
  }
  context.io.stop();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(options)) {
  // Invariant 2: no exact times anywhere, logs included. spdlog's default
  // pattern starts with the date and time to the millisecond.
  spdlog::set_pattern("[%l] %v");
}

Server::~Server() {
  // If run() was never called, nothing is running; the pools join in their
  // destructors either way.
  impl_->context.workers.join();
  impl_->context.key_derivation.join();
}

Result<void> Server::add_listener(std::string name, std::string address, std::uint16_t port,
                                  const Router& router, SecurityHeaders security_headers,
                                  ListenerLimits limits) {
  namespace net = detail::net;
  boost::system::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return invalid_argument("http: listener " + name + ": invalid address");
  auto listener = std::unique_ptr<Impl::Listener>(
      new Impl::Listener{{name, &router, std::move(security_headers), limits},
                         net::ip::tcp::acceptor(net::make_strand(impl_->context.io)),
                         0});
  auto& acceptor = listener->acceptor;
  net::ip::tcp::endpoint endpoint(ip, port);
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(net::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) ||
      acceptor.listen(net::socket_base::max_listen_connections, ec)) {
    return io_error("http: listener " + name + ": cannot listen: " + ec.message());
  }
  listener->port = acceptor.local_endpoint().port();
  spdlog::info("http: listener {} on {}:{}", name, address, listener->port);
  impl_->listeners.push_back(std::move(listener));
  return {};
}

std::uint16_t Server::port(std::string_view name) const {
  for (const auto& listener : impl_->listeners) {
    if (listener->config.name == name) return listener->port;
  }
  return 0;
}

void Server::run() {
  namespace net = detail::net;
  auto& context = impl_->context;
  // Each connection is one descriptor; the database, blobs and logs need a
  // few hundred more.
  std::uint64_t wanted = kSpareFileDescriptors;
  for (const auto& listener : impl_->listeners) {
    const std::size_t cap = listener->config.limits.max_connections;
    wanted = cap == 0 || wanted == 0 ? 0 : wanted + cap;  // 0: as many as allowed
  }
  const std::uint64_t soft = raise_open_file_limit(wanted);
  if (wanted != 0 && soft < wanted) {
    spdlog::warn(
        "http: only {} file descriptors allowed (RLIMIT_NOFILE); the connection limits "
        "need {}: lower [quotas] source_connections/staff_connections",
        soft, wanted);
  }
  for (auto& listener : impl_->listeners) {
    net::co_spawn(listener->acceptor.get_executor(),
                  detail::run_listener(context, listener->config, listener->acceptor),
                  [](std::exception_ptr error) {
                    if (error) spdlog::error("http: listener stopped by an exception");
                  });
  }
  for (const auto& periodic : impl_->periodic_tasks) {
    net::co_spawn(net::make_strand(context.io), impl_->run_periodic(periodic), net::detached);
  }
  net::signal_set signals(context.io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) impl_->begin_shutdown();
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < context.options.io_threads; ++i) {
    threads.emplace_back([&context] { context.io.run(); });
  }
  context.io.run();
  for (auto& thread : threads) thread.join();
  // Handlers still running on the pools (after a drain timeout) finish first.
  context.workers.join();
  context.key_derivation.join();
  spdlog::info("http: stopped after {} request(s)", context.counters.requests_total.load());
}

void Server::every(std::chrono::milliseconds period, std::function<void()> task) {
  impl_->periodic_tasks.push_back({period, std::move(task)});
}

void Server::stop() {
  detail::net::post(impl_->context.io, [impl = impl_.get()] { impl->begin_shutdown(); });
}

ServerStats Server::stats() const {
  const auto& counters = impl_->context.counters;
  ServerStats stats;
  stats.connections_total = counters.connections_total.load();
  stats.connections_open = counters.connections_open.load();
  stats.connections_refused = counters.connections_refused.load();
  stats.requests_total = counters.requests_total.load();
  stats.responses_2xx = counters.responses_by_class[2].load();
  stats.responses_3xx = counters.responses_by_class[3].load();
  stats.responses_4xx = counters.responses_by_class[4].load();
  stats.responses_5xx = counters.responses_by_class[5].load();
  stats.upload_bytes_total = counters.upload_bytes_total.load();
  stats.body_reads_total = counters.body_reads_total.load();
  return stats;
}

}  // namespace safehouse::http
