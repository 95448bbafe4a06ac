// SPDX-License-Identifier: AGPL-3.0-or-later
// http/router.h: maps (method, path) to socket-free route handlers, with the
// limits each route names (body bytes, which thread pool). Small-body routes
// get the whole body; upload routes stream it into an UploadHandler. Knows
// nothing of sockets or Beast: unit tests call Router::handle() directly.
#ifndef SAFEHOUSE_HTTP_ROUTER_H_
#define SAFEHOUSE_HTTP_ROUTER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "http/request.h"
#include "http/response.h"

namespace safehouse::http {

class FairBudget;

// Turns a request into a response. Runs on a worker thread; may block (a DB
// commit, encryption, key derivation on Pool::kKeyDerivation).
using Handler = std::function<Response(Request&)>;

// Answers the request of an AsyncHandler, from any thread (a store's commit
// callback, say). Copies share one answer: the first call counts, later ones
// are ignored; if every copy is destroyed unanswered the request gets 500.
using Respond = std::function<void(Response)>;

// Starts on a worker thread like a Handler and answers through `respond`,
// now or later. A handler that waits for something (a group commit) hands
// `respond` to whoever ends the wait and returns, instead of holding a
// worker thread for the wait. `request` stays valid until it answers.
using AsyncHandler = std::function<void(Request&, Respond)>;

// Receives a streamed request body. The server calls on_body() for each chunk
// in order (on a worker thread, never two calls at once), then exactly one of
// finish() (the whole body arrived) or fail() (the body was too large, a
// chunk was refused, or the connection broke). When the connection breaks,
// every byte that arrived has been passed to on_body() before fail(kIo).
// fail() must remove partial data, except where keeping it is the route's
// purpose (a tus PATCH keeps what arrived, http/tus_routes.h).
class UploadHandler {
 public:
  virtual ~UploadHandler() = default;
  // An error stops the upload; the server then calls fail() with it.
  virtual Result<void> on_body(ByteSpan chunk) = 0;
  virtual Response finish() = 0;
  // `error` is kTooLarge when the route's body limit was exceeded, kIo when
  // the connection broke or timed out (the response is then discarded), or
  // what on_body() returned. Use status_for(error.code()) for the status.
  virtual Response fail(const Error& error) = 0;
};

// Called with the request's headers (body empty) before any body byte is
// read. Returning a Response rejects the upload (bad CSRF token, not signed
// in, wrong content type); the server then closes the connection rather than
// read the body.
using UploadFactory =
    std::function<std::variant<std::unique_ptr<UploadHandler>, Response>(Request& headers_only)>;

// Builds the page for an error status (400, 403, 404, 405, 413, 415, 500, 503).
using ErrorPages = std::function<Response(unsigned status, const Request& request)>;

// Which thread pool runs a route's handler. kKeyDerivation is a small bounded
// pool for expensive key derivation (codename logins), so a flood of logins
// cannot starve submissions on kWorker.
enum class Pool { kWorker, kKeyDerivation };

// Bodies of ordinary (non-upload) routes are read whole, up to this.
inline constexpr std::size_t kDefaultBodyLimitBytes = 64 * 1024;

struct RouteOptions {
  std::size_t body_limit_bytes = kDefaultBodyLimitBytes;  // beyond: 413
  Pool pool = Pool::kWorker;
  // If set (it must outlive the server), the server takes a unit of this
  // budget, waiting in fair order, after the whole body arrived and before
  // the handler runs; 503 if none comes within its max_wait. handle()
  // (socket-free) ignores it.
  FairBudget* budget = nullptr;
};

// What the router found for a request.
struct RouteMatch {
  enum class Kind { kNotFound, kMethodNotAllowed, kHandler, kUpload };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;             // kHandler, unless async_handler is set
  const AsyncHandler* async_handler = nullptr;  // kHandler added with post_async()
  const UploadFactory* factory = nullptr;       // kUpload
  std::uint64_t body_limit_bytes = 0;           // kHandler, kUpload
  Pool pool = Pool::kWorker;
  FairBudget* budget = nullptr;  // kHandler
  std::string allow;             // kMethodNotAllowed: the Allow header value ("GET, HEAD")
};

// Thread safety: add routes before the server starts; afterwards the router
// is only read and may be shared by all threads.
class Router {
 public:
  Router();

  // Patterns are absolute paths whose segments are literals or one-segment
  // captures ("/{lang}/login" matches "/fa/login" with path_param("lang") ==
  // "fa"; a capture never matches an empty segment). A pattern ending in "/*"
  // matches any non-empty rest with path_param("*") == the rest
  // ("/static/*"). Literal routes win over captures when both match.
  // GET routes also answer HEAD (the server drops the body).
  void get(std::string pattern, Handler handler, RouteOptions options = {});
  void post(std::string pattern, Handler handler, RouteOptions options = {});
  // A POST route whose handler answers through a Respond (AsyncHandler).
  void post_async(std::string pattern, AsyncHandler handler, RouteOptions options = {});
  void post_upload(std::string pattern, UploadFactory factory, std::uint64_t body_limit_bytes,
                   Pool pool = Pool::kWorker);
  // Any method (PATCH, DELETE, OPTIONS for tus). An explicit HEAD route wins
  // over the GET route of the same path for HEAD requests.
  void route(Method method, std::string pattern, Handler handler, RouteOptions options = {});
  void upload(Method method, std::string pattern, UploadFactory factory,
              std::uint64_t body_limit_bytes, Pool pool = Pool::kWorker);

  // Default: a plain-text page "404 Not Found".
  void set_error_pages(ErrorPages pages);
  Response error_page(unsigned status, const Request& request) const;

  // Finds the route for `request` and stores its captures in it.
  RouteMatch match(Request& request) const;

  // Socket-free dispatch of a small-body request whose body is already set:
  // the handler's response, or the error page for 404/405 (405 carries an
  // Allow header). An upload route is answered by its factory's rejection or,
  // if it accepts, by feeding the body as one chunk. Handler exceptions
  // become 500. An async handler's answer is waited for. The server uses match() instead, to stream
  // and pick pools.
  Response handle(Request& request) const;

  struct Route;  // internal, defined in router.cpp

 private:
  void add(Method method, std::string pattern, Route route);
  void add_handler(Method method, std::string pattern, Handler handler, RouteOptions options);

  std::vector<std::shared_ptr<const Route>> routes_;
  ErrorPages error_pages_;
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_ROUTER_H_
