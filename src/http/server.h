// SPDX-License-Identifier: AGPL-3.0-or-later
// http/server.h: the HTTP server: listeners on loopback, one io_context with
// a few threads, a worker pool for handlers and upload chunks, and a small
// bounded pool for key derivation. Beast and Asio stay behind the pimpl so
// that code including this header compiles fast. Never logs peer addresses,
// ports, user agents, referrers or query strings.
#ifndef SAFEHOUSE_HTTP_SERVER_H_
#define SAFEHOUSE_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "http/router.h"

namespace safehouse::http {

// Headers added to every response of one listener.
struct SecurityHeaders {
  std::vector<std::pair<std::string, std::string>> headers;

  // The set agreed for source pages: a CSP without script-src,
  // Referrer-Policy: no-referrer, X-Content-Type-Options: nosniff,
  // X-Frame-Options: DENY.
  static SecurityHeaders source_defaults();
  // The same but with `script-src 'self'` (the reviewer app uses JavaScript).
  static SecurityHeaders staff_defaults();
};

// Named limits and pool sizes. The defaults suit production; tests shrink them.
struct ServerOptions {
  std::size_t io_threads = 2;
  std::size_t worker_threads = 4;
  std::size_t key_derivation_threads = 1;
  // Key-derivation requests running or waiting for the pool beyond this get
  // 503 at once. A request counts only once its whole body has arrived, so
  // slow senders cannot hold these places. 0: no limit.
  std::size_t key_derivation_queue_limit = 16;
  std::size_t max_header_bytes = 8 * 1024;       // beyond: 431
  std::size_t upload_chunk_bytes = 512 * 1024;   // one on_body() call at most
  std::chrono::seconds header_read_timeout{30};  // the whole header; idle keep-alive too
  // Upload routes: per socket read of the body (a slow Tor circuit that keeps
  // sending is served however long the body takes).
  std::chrono::seconds body_read_timeout{60};
  // Other routes' (small) bodies: the whole body must arrive within
  // small_body_grace + its length / min_body_bytes_per_second, and never
  // later than small_body_timeout after the header. 0: no such limit.
  std::chrono::seconds small_body_timeout{60};
  std::size_t min_body_bytes_per_second = 1024;
  std::chrono::seconds small_body_grace{5};
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds drain_timeout{10};  // in-flight requests at shutdown
};

// Limits of one listener.
struct ListenerLimits {
  // Connections beyond this are closed as soon as they are accepted, so a
  // flood cannot exhaust the file descriptors that requests in flight need,
  // and a flood on one listener never locks out the other. 0: no limit.
  std::size_t max_connections = 1024;
};

// Counters for /metrics; nothing identifying.
struct ServerStats {
  std::uint64_t connections_total = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  // over a listener's max_connections
  std::uint64_t requests_total = 0;
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_3xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
  std::uint64_t upload_bytes_total = 0;
  std::uint64_t body_reads_total = 0;  // socket reads while reading bodies
};

// Thread safety: add_listener() before run(); stop(), port() and stats() from
// any thread.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds `address`:`port` now (port 0 picks a free one, see port()) and
  // serves `router` (which must outlive the server) on it from run().
  Result<void> add_listener(std::string name, std::string address, std::uint16_t port,
                            const Router& router, SecurityHeaders security_headers,
                            ListenerLimits limits = {});

  // The bound port of listener `name`, 0 if there is none.
  std::uint16_t port(std::string_view name) const;

  // Runs `task` every `period` on an I/O thread from run() until shutdown
  // begins (housekeeping such as dropping expired sessions, which must not
  // wait for the next request). The task must be short and must not throw;
  // an exception is logged. Call before run().
  void every(std::chrono::milliseconds period, std::function<void()> task);

  // Raises the soft RLIMIT_NOFILE (raise_open_file_limit) so that the
  // listeners' connection caps, not EMFILE, bind; then serves until
  // SIGTERM, SIGINT or stop(); then stops accepting, closes idle
  // connections, lets in-flight requests finish for up to drain_timeout and
  // returns. Call once.
  void run();
  // Starts the same graceful shutdown; safe from any thread, also before run().
  void stop();

  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_SERVER_H_
