// SPDX-License-Identifier: AGPL-3.0-or-later
// http/server_internal.h: what server.cpp, listener.cpp, session.cpp and
// response_writer.cpp share: the io_context, the two thread pools, counters and the registry of
// live connections used for graceful shutdown. Internal: includes Asio, so
// nothing outside these files may include it.
#ifndef SAFEHOUSE_HTTP_SERVER_INTERNAL_H_
#define SAFEHOUSE_HTTP_SERVER_INTERNAL_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace safehouse::http::detail {

namespace net = boost::asio;

// A live connection as shutdown sees it. Both calls post to the
// connection's strand, so they are safe from any thread.
class ConnectionHandle {
 public:
  virtual ~ConnectionHandle() = default;
  // Closes the connection if it is waiting for a request (not handling one).
  virtual void close_if_idle() = 0;
  // Closes it whatever it is doing (after the drain timeout).
  virtual void close_now() = 0;
  // If it is waiting for (the rest of) a request header and was not picked
  // before: closes it as close_if_idle() does and returns true.
  virtual bool evict_if_waiting() = 0;
};

struct ListenerConfig;

// Thread safety: all members lock `mutex_`.
class ConnectionRegistry {
 public:
  std::uint64_t add(std::weak_ptr<ConnectionHandle> connection, const ListenerConfig* listener);
  void remove(std::uint64_t id);
  std::size_t size() const;
  std::vector<std::shared_ptr<ConnectionHandle>> snapshot() const;
  // Evicts the oldest connection of `listener` that waits for a request;
  // false if none does.
  bool evict_oldest_waiting(const ListenerConfig* listener) const;

 private:
  struct Entry {
    std::weak_ptr<ConnectionHandle> connection;
    const ListenerConfig* listener;
  };
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Entry> connections_;  // ids grow: oldest first
};

struct Counters {
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> responses_by_class[6]{};  // [status / 100]
  std::atomic<std::uint64_t> upload_bytes_total{0};
  std::atomic<std::uint64_t> body_reads_total{0};
};

struct ServerContext {
  explicit ServerContext(const ServerOptions& server_options)
      : options(server_options),
        io(static_cast<int>(server_options.io_threads)),
        workers(server_options.worker_threads),
        key_derivation(server_options.key_derivation_threads) {}

  const ServerOptions options;
  net::io_context io;  // declared first: destroyed after the pools have joined
  net::thread_pool workers;
  net::thread_pool key_derivation;
  std::atomic<std::size_t> key_derivation_pending{0};
  std::atomic<bool> stopping{false};
  Counters counters;
  ConnectionRegistry connections;
};

struct ListenerConfig {
  std::string name;
  const Router* router = nullptr;
  SecurityHeaders security_headers;
  ListenerLimits limits;
  // Connections of this listener now open (a counter, hence mutable).
  mutable std::atomic<std::size_t> open_connections{0};
};

// session.cpp: serves one connection until it closes; never throws.
net::awaitable<void> run_session(ServerContext& context, const ListenerConfig& config,
                                 net::ip::tcp::socket socket);

// listener.cpp: accepts until `acceptor` is closed; each connection gets its
// own strand and a run_session coroutine.
net::awaitable<void> run_listener(ServerContext& context, const ListenerConfig& config,
                                  net::ip::tcp::acceptor& acceptor);

}  // namespace safehouse::http::detail

#endif  // SAFEHOUSE_HTTP_SERVER_INTERNAL_H_
