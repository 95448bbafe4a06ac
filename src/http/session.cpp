// SPDX-License-Identifier: AGPL-3.0-or-later
// http/session.cpp: one connection: deadline, read the header, route, read
// or stream the body, hand work to a pool (http/pool_dispatch.h), write
// (http/response_writer.cpp), keep alive or close. Errors
// are logged without peer address, port, user agent, referrer or target.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>

#include "crypto/wiping_allocator.h"
#include "http/fair_budget.h"
#include "http/pool_dispatch.h"
#include "http/response_writer.h"
#include "http/server_internal.h"
#include "http/session_store.h"
#include "http/upload_feeder.h"

namespace safehouse::http::detail {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::use_awaitable;
using namespace net::experimental::awaitable_operators;

// Beast's buffer_body, except that its reader copies nothing when the bytes
// handed to it already are where they would go. read_chunk() reads a body
// with a Content-Length from the socket straight into the handler's chunk
// and then hands those bytes, at that same address, to the parser, which
// counts them against the Content-Length (completion, keep-alive) without
// copying them: one memcpy of every body byte less, and one recv of up to a
// whole chunk instead of one per 64 KiB of the read buffer. Bytes that came
// with the header are in the read buffer and are copied as before.
struct InPlaceBody {
  using value_type = bhttp::buffer_body::value_type;

  class reader {
   public:
    template <bool isRequest, class Fields>
    explicit reader(bhttp::header<isRequest, Fields>& /*header*/, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& /*length*/, beast::error_code& ec) { ec = {}; }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      if (body_.data == nullptr) {
        ec = bhttp::error::need_buffer;
        return 0;
      }
      std::size_t taken = 0;
      for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers);
           ++it) {
        const net::const_buffer piece = *it;
        const std::size_t n = std::min(piece.size(), body_.size);
        auto* to = static_cast<char*>(body_.data);
        // Either the very bytes read into place, or bytes elsewhere (the
        // read buffer) that do not overlap the chunk.
        if (piece.data() != to && n != 0) std::memcpy(to, piece.data(), n);
        body_.data = to + n;
        body_.size -= n;
        taken += n;
        if (n < piece.size()) break;
      }
      ec = taken == net::buffer_size(buffers) ? beast::error_code() : bhttp::error::need_buffer;
      return taken;
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

using Parser = bhttp::request_parser<InPlaceBody>;
// Request bytes, bodies included, pass through this buffer: its storage is
// wiped whenever it is freed (growth, shrinking, the end of the connection).
using ReadBuffer = beast::basic_flat_buffer<crypto::WipingAllocator<char>>;
constexpr auto kAsTuple = net::as_tuple(use_awaitable);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = 4 * 1024 * 1024;
// Beast's HTTP read asks the socket for at most 64 KiB at a time.
constexpr std::size_t kBodyReadBytes = 64 * 1024;
// Chunk buffers of an upload (upload_chunk_bytes each): one being read into
// while the other is in on_body(). A third measured no faster
// (bench/RESULTS.md, sixth look) and would raise what a flood of upload
// connections can make the server hold by half.
constexpr std::size_t kUploadBuffers = 2;
// Between requests a connection keeps a read buffer up to this size.
constexpr std::size_t kKeptBufferBytes = 16 * 1024;
// How often a request waiting for a FairBudget unit asks again.
constexpr auto kBudgetPollInterval = std::chrono::milliseconds(20);

// The read buffer never grows beyond this. Beast 1.81 keeps a chunk-size
// line, its extensions and a trailer whole in the buffer however long they
// are (later Beast caps them at 8 KiB); chunked requests are refused (411)
// before their body is read, and this cap is the backstop for anything else
// the parser might want to hold: the header (max_header_bytes), bytes that
// came with it, and one body read.
std::size_t read_buffer_limit(const ServerOptions& options) {
  return options.max_header_bytes + 2 * kBodyReadBytes;
}

class Connection final : public ConnectionHandle, public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(net::ip::tcp::socket socket) : stream(std::move(socket)) {}

  void close_if_idle() override {
    net::post(stream.get_executor(), [self = shared_from_this()] {
      if (self->idle) self->close();
    });
  }
  bool evict_if_waiting() override {
    if (!idle.load() || evicted.exchange(true)) return false;
    close_if_idle();
    return true;
  }
  void close_now() override {
    net::post(stream.get_executor(), [self = shared_from_this()] { self->close(); });
  }
  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }

  beast::tcp_stream stream;
  std::atomic<bool> idle{true};      // waiting for a request; set only on the strand
  std::atomic<bool> evicted{false};  // picked to make room for a new connection
  bool unread_input = false;         // a request body was left unread; only on the strand
};

Method to_method(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

HeaderMap collect_headers(const bhttp::request<InPlaceBody>& message) {
  HeaderMap headers;
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = headers.try_emplace(name, field.value());
    if (!inserted) it->second.append(name == "cookie" ? "; " : ", ").append(field.value());
  }
  return headers;
}

// A taken place in the key-derivation queue, given back when destroyed.
class PoolPlace {
 public:
  explicit PoolPlace(std::atomic<std::size_t>* pending) : pending_(pending) {}
  PoolPlace(PoolPlace&& other) noexcept : pending_(std::exchange(other.pending_, nullptr)) {}
  PoolPlace& operator=(PoolPlace&&) = delete;
  ~PoolPlace() {
    if (pending_ != nullptr) pending_->fetch_sub(1);
  }

 private:
  std::atomic<std::size_t>* pending_;
};

// What handling one request produced.
struct Outcome {
  std::optional<Response> response;  // nullopt: the connection broke, send nothing
  bool body_consumed = true;         // false: unread body bytes remain, so close
};

class RequestHandler {
 public:
  RequestHandler(ServerContext& context, const ListenerConfig& config, Connection& connection,
                 ReadBuffer& buffer, Parser& parser)
      : context_(context),
        options_(context.options),
        router_(*config.router),
        connection_(connection),
        buffer_(buffer),
        parser_(parser) {}

  net::awaitable<Outcome> handle();

 private:
  net::awaitable<Outcome> handle_small(Request& request, const RouteMatch& match);
  net::awaitable<Outcome> handle_upload(Request& request, const RouteMatch& match);
  net::awaitable<Outcome> fail_upload(UploadHandler& upload, Error error, bool respond);
  // Reads the next body chunk, at most max_bytes, into `into`; nullopt on a
  // broken connection with nothing read. When the connection breaks after
  // some bytes of the chunk arrived, returns them and sets broken_: an
  // upload handler still gets them (a tus PATCH keeps what arrived).
  net::awaitable<std::optional<std::size_t>> read_chunk(crypto::WipedBytes& into,
                                                        std::size_t max_bytes);
  net::awaitable<bool> send_continue_if_expected();
  bool exceeds_declared(std::uint64_t limit) const {
    auto length = parser_.content_length();
    return length && *length > limit;
  }
  Outcome error(unsigned status, const Request& request) {
    return Outcome{router_.error_page(status, request), parser_.is_done()};
  }
  net::thread_pool& pool(Pool which) {
    return which == Pool::kKeyDerivation ? context_.key_derivation : context_.workers;
  }
  // A place in the bounded key-derivation queue for a route that runs there
  // (an empty place for other pools); nullopt when the queue is full (503).
  std::optional<PoolPlace> take_pool_place(Pool which);
  // Waits in fair order for a unit of `budget`; false after its max_wait or
  // if too many wait already (answer 503).
  net::awaitable<bool> wait_for_budget(FairBudget& budget, const Request& request);

  ServerContext& context_;
  const ServerOptions& options_;
  const Router& router_;
  Connection& connection_;
  ReadBuffer& buffer_;
  Parser& parser_;
  crypto::WipedBytes chunk_;  // plaintext of the body: wiped when freed
  // Small bodies: when the whole body must have arrived (none for uploads).
  std::optional<std::chrono::steady_clock::time_point> body_deadline_;
  bool broken_ = false;  // the connection broke during read_chunk()
};

std::optional<PoolPlace> RequestHandler::take_pool_place(Pool which) {
  if (which != Pool::kKeyDerivation) return PoolPlace(nullptr);
  const std::size_t limit = options_.key_derivation_queue_limit;
  if (context_.key_derivation_pending.fetch_add(1) >= limit && limit != 0) {
    context_.key_derivation_pending.fetch_sub(1);
    return std::nullopt;
  }
  return PoolPlace(&context_.key_derivation_pending);
}

net::awaitable<bool> RequestHandler::wait_for_budget(FairBudget& budget, const Request& request) {
  if (budget.unlimited()) co_return true;
  auto cookie = request.cookie(kSessionCookieName);
  auto ticket = budget.enqueue(cookie ? *cookie : std::string_view());
  if (!ticket) co_return false;
  const auto give_up = std::chrono::steady_clock::now() + budget.max_wait();
  net::steady_timer timer(connection_.stream.get_executor());
  while (!budget.granted(*ticket)) {
    if (std::chrono::steady_clock::now() >= give_up || context_.stopping) {
      budget.cancel(*ticket);
      co_return false;
    }
    timer.expires_after(kBudgetPollInterval);
    co_await timer.async_wait(kAsTuple);
  }
  co_return true;
}

net::awaitable<Outcome> RequestHandler::handle() {
  auto& message = parser_.get();
  auto request =
      Request::create(to_method(message.method()), message.target(), collect_headers(message));
  if (!request) {
    co_return error(400, Request::create(Method::kGet, "/").value());
  }
  RouteMatch match = router_.match(*request);
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      co_return error(404, *request);
    case RouteMatch::Kind::kMethodNotAllowed: {
      Outcome outcome = error(405, *request);
      outcome.response->set_header("Allow", match.allow);
      co_return outcome;
    }
    case RouteMatch::Kind::kHandler:
    case RouteMatch::Kind::kUpload:
      break;
  }
  // No route takes a chunked body (browsers send Content-Length with a form,
  // tus PATCH requests too), and Beast 1.81 would buffer an endless
  // chunk extension or trailer whole: refuse before reading any of it.
  if (message.count(bhttp::field::transfer_encoding) != 0) co_return error(411, *request);
  Outcome outcome;
  try {
    outcome = match.kind == RouteMatch::Kind::kHandler ? co_await handle_small(*request, match)
                                                       : co_await handle_upload(*request, match);
  } catch (const std::exception& e) {
    spdlog::error("http: handler failed: {}", e.what());
    outcome = Outcome{router_.error_page(500, *request), false};
  }
  co_return outcome;
}

net::awaitable<std::optional<std::size_t>> RequestHandler::read_chunk(crypto::WipedBytes& into,
                                                                      std::size_t max_bytes) {
  // Beast reads at most the buffer's spare capacity per recv (never less than
  // 512 bytes, never more than 64 KiB), and the buffer only grew as far as the
  // header needed: without this, a large body arrived 512 bytes per system
  // call. Room for what is still to come, up to 64 KiB.
  std::size_t to_come = kBodyReadBytes;
  if (auto remaining = parser_.content_length_remaining()) {
    to_come = std::min<std::uint64_t>(*remaining, kBodyReadBytes);
    // A 1 KiB follow-up need not allocate (and zero) a large upload chunk.
    max_bytes = std::min<std::uint64_t>(max_bytes, std::max<std::uint64_t>(*remaining, 1));
  }
  if (buffer_.capacity() - buffer_.size() < to_come) {
    buffer_.reserve(std::min(buffer_.size() + to_come, buffer_.max_size()));
  }
  into.resize(max_bytes);
  auto& body = parser_.get().body();
  body.data = into.data();
  body.size = into.size();
  // One socket read at a time, each with its own timeout: a chunk may take
  // minutes on a slow Tor circuit, but a circuit that stops sending is cut.
  while (body.size > 0 && !parser_.is_done()) {
    auto expiry = std::chrono::steady_clock::now() + options_.body_read_timeout;
    if (body_deadline_) expiry = std::min(expiry, *body_deadline_);
    connection_.stream.expires_at(expiry);
    context_.counters.body_reads_total.fetch_add(1, std::memory_order_relaxed);
    auto remaining = parser_.content_length_remaining();
    if (buffer_.size() == 0 && parser_.is_header_done() && remaining && *remaining > 0) {
      // Straight from the socket into the chunk (InPlaceBody), at most what
      // the Content-Length still allows: nothing of a next request.
      auto* to = static_cast<char*>(body.data);
      const std::size_t want = std::min<std::uint64_t>(body.size, *remaining);
      auto [ec, n] = co_await connection_.stream.async_read_some(net::buffer(to, want), kAsTuple);
      if (n > 0) {
        beast::error_code parsed;
        const std::size_t counted = parser_.put(net::const_buffer(to, n), parsed);
        // Body bytes within the Content-Length: the parser takes them all.
        if (parsed || counted != n || static_cast<char*>(body.data) != to + n) {
          spdlog::error("http: body bytes not counted ({} of {})", counted, n);
          ec = bhttp::error::bad_transfer_encoding;
        }
      }
      if (ec) {
        broken_ = true;
        if (body.size == into.size()) co_return std::nullopt;
        break;
      }
      continue;
    }
    auto [ec, unused] =
        co_await bhttp::async_read_some(connection_.stream, buffer_, parser_, kAsTuple);
    if (ec == bhttp::error::need_buffer) break;
    if (ec) {
      broken_ = true;
      if (body.size == into.size()) co_return std::nullopt;
      break;
    }
  }
  co_return into.size() - body.size;
}

net::awaitable<bool> RequestHandler::send_continue_if_expected() {
  auto expect = parser_.get()[bhttp::field::expect];
  if (parser_.is_done() || !beast::iequals(expect, "100-continue")) co_return true;
  bhttp::response<bhttp::empty_body> interim{bhttp::status::continue_, 11};
  connection_.stream.expires_after(options_.write_timeout);
  auto [ec, unused] = co_await bhttp::async_write(connection_.stream, interim, kAsTuple);
  co_return !ec;
}

net::awaitable<Outcome> RequestHandler::handle_small(Request& request, const RouteMatch& match) {
  if (exceeds_declared(match.body_limit_bytes)) co_return error(413, request);
  // A small body must arrive whole in bounded time, not only keep trickling:
  // grace + length / minimum rate, and never beyond small_body_timeout.
  const auto declared = parser_.content_length().value_or(0);
  std::optional<std::chrono::steady_clock::duration> allowed;
  if (options_.min_body_bytes_per_second != 0) {
    allowed = options_.small_body_grace +
              std::chrono::seconds(declared / options_.min_body_bytes_per_second);
  }
  if (options_.small_body_timeout.count() != 0) {
    allowed = std::min<std::chrono::steady_clock::duration>(
        allowed.value_or(options_.small_body_timeout), options_.small_body_timeout);
  }
  if (allowed) body_deadline_ = std::chrono::steady_clock::now() + *allowed;
  if (!co_await send_continue_if_expected()) co_return Outcome{};
  std::string body;
  while (!parser_.is_done()) {
    auto got = co_await read_chunk(chunk_, kBodyReadBytes);
    if (!got || broken_) co_return Outcome{};
    if (body.size() + *got > match.body_limit_bytes) co_return error(413, request);
    body.append(reinterpret_cast<const char*>(chunk_.data()), *got);
  }
  request.set_body(std::move(body));
  // Only now, with the whole body here, may the request take a share of
  // what is scarce: a sign-in budget unit, then a key-derivation place.
  if (match.budget != nullptr && !co_await wait_for_budget(*match.budget, request)) {
    co_return error(503, request);
  }
  std::optional<PoolPlace> place = take_pool_place(match.pool);
  if (!place) co_return error(503, request);
  std::optional<Response> response;
  if (match.async_handler != nullptr) {
    const AsyncHandler& handler = *match.async_handler;
    response = co_await on_pool_async(
        pool(match.pool), [&](Respond respond) { handler(request, std::move(respond)); });
  } else {
    const Handler& handler = *match.handler;
    response = co_await on_pool(pool(match.pool), [&] { return handler(request); });
  }
  place.reset();
  co_return Outcome{std::move(*response), true};
}

net::awaitable<Outcome> RequestHandler::fail_upload(UploadHandler& upload, Error error,
                                                    bool respond) {
  Response response = co_await on_pool(pool(Pool::kWorker), [&] { return upload.fail(error); });
  if (!respond) co_return Outcome{};
  co_return Outcome{std::move(response), parser_.is_done()};
}

net::awaitable<Outcome> RequestHandler::handle_upload(Request& request, const RouteMatch& match) {
  const UploadFactory& factory = *match.factory;
  std::optional<PoolPlace> place = take_pool_place(match.pool);
  if (!place) co_return error(503, request);
  auto made = co_await on_pool(pool(match.pool), [&] { return factory(request); });
  place.reset();
  if (auto* rejected = std::get_if<Response>(&made)) {
    co_return Outcome{std::move(*rejected), parser_.is_done()};
  }
  std::unique_ptr<UploadHandler> upload = std::move(std::get<0>(made));
  const Error too_large(ErrorCode::kTooLarge, "http: request body is too large");
  if (exceeds_declared(match.body_limit_bytes))
    co_return co_await fail_upload(*upload, too_large, true);
  if (!co_await send_continue_if_expected()) {
    co_return co_await fail_upload(*upload, io_error("http: connection lost"), false);
  }
  // Pipelined (http/upload_feeder.h): the strand reads the next chunks into
  // free buffers while one pool task feeds the queued ones to the handler,
  // so reading the socket and encrypting use both cores. on_body() still
  // sees the chunks one at a time and in order. Every way out waits until
  // the feeding is over: only then may fail() or finish() run.
  auto feeder = UploadFeeder::create(co_await net::this_coro::executor, pool(Pool::kWorker),
                                     *upload, kUploadBuffers);
  std::optional<Error> stopped;  // why reading stopped before the end
  bool respond = true;           // false once the connection is gone
  std::uint64_t total = 0;
  std::exception_ptr thrown;
  try {
    while (!parser_.is_done() && !feeder->failed()) {
      crypto::WipedBytes* buffer = co_await feeder->free_buffer();
      std::optional<std::size_t> got = co_await read_chunk(*buffer, options_.upload_chunk_bytes);
      if (!got) {
        feeder->put_back(buffer);
        stopped = io_error("http: connection lost");
        respond = false;
        break;
      }
      total += *got;
      if (total > match.body_limit_bytes) {
        feeder->put_back(buffer);
        stopped = too_large;
        break;
      }
      context_.counters.upload_bytes_total.fetch_add(*got);
      // What arrived before a break is the handler's to keep or drop.
      feeder->feed(buffer, *got);
      if (broken_) {
        stopped = io_error("http: connection lost");
        respond = false;
        break;
      }
    }
  } catch (...) {
    // Not handled here: the pool may still be in on_body() with this frame's
    // handler. After drained(), fail() removes what was stored.
    thrown = std::current_exception();
  }
  Result<void> fed = co_await feeder->drained();
  if (thrown) {
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
      spdlog::error("http: reading an upload failed: {}", e.what());
    } catch (...) {
      spdlog::error("http: reading an upload failed");
    }
    co_return co_await fail_upload(*upload, Error(ErrorCode::kInternal, "http: read failed"),
                                   false);
  }
  // The handler's own error came first in the body, so it wins.
  if (!fed) co_return co_await fail_upload(*upload, fed.error(), respond);
  if (stopped) co_return co_await fail_upload(*upload, *stopped, respond);
  std::optional<Response> finished = co_await on_pool(pool(Pool::kWorker), [&] {
    try {
      return std::optional<Response>(upload->finish());
    } catch (const std::exception& e) {
      spdlog::error("http: upload handler failed: {}", e.what());
      return std::optional<Response>();
    }
  });
  if (!finished) {
    co_return co_await fail_upload(*upload, Error(ErrorCode::kInternal, "http: finish failed"),
                                   true);
  }
  co_return Outcome{std::move(*finished), true};
}

// Answers a request whose header did not parse, then the caller closes.
net::awaitable<void> reject_header(ServerContext& context, Connection& connection,
                                   const ListenerConfig& config, beast::error_code ec) {
  unsigned status = ec == bhttp::error::header_limit ? 431 : 400;
  auto request = Request::create(Method::kGet, "/").value();
  co_await write_response(context, connection.stream, config.router->error_page(status, request),
                          config, false, false);
}

net::awaitable<void> serve(ServerContext& context, const ListenerConfig& config,
                           Connection& connection) {
  ReadBuffer buffer(read_buffer_limit(context.options));
  for (;;) {
    connection.idle = true;
    if (context.stopping) co_return;
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(context.options.max_header_bytes));
    parser.body_limit(boost::none);  // each route enforces its own limit
    connection.stream.expires_after(context.options.header_read_timeout);
    auto [ec, unused] =
        co_await bhttp::async_read_header(connection.stream, buffer, parser, kAsTuple);
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      co_return;  // the client left, idled out, or shutdown closed an idle connection
    }
    if (ec) {
      connection.unread_input = true;
      co_await reject_header(context, connection, config, ec);
      co_return;
    }
    connection.idle = false;
    context.counters.requests_total.fetch_add(1);
    RequestHandler handler(context, config, connection, buffer, parser);
    Outcome outcome = co_await handler.handle();
    if (!outcome.response) co_return;
    // An idle keep-alive connection need not hold a large body's buffer.
    if (buffer.size() == 0 && buffer.capacity() > kKeptBufferBytes) buffer.shrink_to_fit();
    connection.unread_input = !outcome.body_consumed;
    bool keep_alive = parser.get().keep_alive() && outcome.body_consumed &&
                      !outcome.response->close_connection() && !context.stopping;
    bool head = parser.get().method() == bhttp::verb::head;
    if (!co_await write_response(context, connection.stream, std::move(*outcome.response), config,
                                 head, keep_alive) ||
        !keep_alive) {
      co_return;
    }
  }
}

// Graceful close: shut down the send side; if a request was left partly
// unread (an upload after a 413), read and discard what the client still
// sends until it closes too, for a bounded time and amount. Closing with unread data would make the
// kernel send a reset, and the client could lose the response it has not read yet.
net::awaitable<void> linger(ServerContext& context, Connection& connection) {
  beast::error_code ec;
  connection.stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec || !connection.unread_input) co_return;
  crypto::WipedBytes scratch(16 * 1024);
  std::size_t discarded = 0;
  connection.stream.expires_after(kLingerTimeout);
  while (discarded < kLingerMaxBytes) {
    auto [read_ec, n] = co_await connection.stream.async_read_some(net::buffer(scratch), kAsTuple);
    if (read_ec) break;
    discarded += n;
  }
}

}  // namespace

net::awaitable<void> run_session(ServerContext& context, const ListenerConfig& config,
                                 net::ip::tcp::socket socket) {
  auto connection = std::make_shared<Connection>(std::move(socket));
  std::uint64_t id = context.connections.add(connection, &config);
  context.counters.connections_total.fetch_add(1);
  context.counters.connections_open.fetch_add(1);
  try {
    co_await serve(context, config, *connection);
  } catch (const std::exception& e) {
    spdlog::warn("http: {}: session error: {}", config.name, e.what());
  }
  co_await linger(context, *connection);
  context.connections.remove(id);
  context.counters.connections_open.fetch_sub(1);
  config.open_connections.fetch_sub(1);  // taken by the listener
}

}  // namespace safehouse::http::detail
