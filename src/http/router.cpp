// SPDX-License-Identifier: AGPL-3.0-or-later
// http/router.cpp: pattern matching and socket-free dispatch.
#include "http/router.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <future>
#include <iterator>
#include <stdexcept>

namespace safehouse::http {

struct Router::Route {
  Method method = Method::kGet;
  std::vector<std::string> segments;  // "{name}" captures one segment
  bool prefix = false;                // pattern ended in "/*"
  Handler handler;
  AsyncHandler async_handler;  // set instead of handler by post_async()
  UploadFactory factory;
  std::uint64_t body_limit_bytes = kDefaultBodyLimitBytes;
  Pool pool = Pool::kWorker;
  FairBudget* budget = nullptr;
};

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // skip the leading "/"
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` against `route`; on success fills `captures` and returns the
// number of literal segments (more literals = more specific).
std::optional<int> match_route(const std::vector<std::string>& path, std::string_view raw_path,
                               const Router::Route& route,
                               std::vector<std::pair<std::string, std::string>>& captures) {
  captures.clear();
  const auto& pattern = route.segments;
  if (route.prefix ? path.size() <= pattern.size() : path.size() != pattern.size()) {
    return std::nullopt;
  }
  int literals = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_capture(pattern[i])) {
      if (path[i].empty()) return std::nullopt;
      captures.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), path[i]);
    } else if (pattern[i] == path[i]) {
      ++literals;
    } else {
      return std::nullopt;
    }
  }
  if (route.prefix) {
    std::size_t offset = 0;  // the rest starts after pattern.size() + 1 slashes
    for (std::size_t i = 0; i <= pattern.size(); ++i) offset = raw_path.find('/', offset) + 1;
    std::string rest(raw_path.substr(offset));
    if (rest.empty()) return std::nullopt;
    captures.emplace_back("*", std::move(rest));
  }
  return literals;
}

Response default_error_page(unsigned status, const Request&) {
  return Response::text(std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n",
                        status);
}

}  // namespace

Router::Router() : error_pages_(default_error_page) {}

void Router::add(Method method, std::string pattern, Route route) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("router: pattern must be absolute");
  }
  route.method = method;
  if (pattern.size() >= 2 && pattern.ends_with("/*")) {
    route.prefix = true;
    pattern.resize(pattern.size() - 2);
  }
  route.segments = pattern.empty() ? std::vector<std::string>{} : split_path(pattern);
  routes_.push_back(std::make_shared<const Route>(std::move(route)));
}

void Router::add_handler(Method method, std::string pattern, Handler handler,
                         RouteOptions options) {
  Route route;
  route.handler = std::move(handler);
  route.body_limit_bytes = options.body_limit_bytes;
  route.pool = options.pool;
  route.budget = options.budget;
  add(method, std::move(pattern), std::move(route));
}

void Router::get(std::string pattern, Handler handler, RouteOptions options) {
  add_handler(Method::kGet, std::move(pattern), std::move(handler), options);
}

void Router::post(std::string pattern, Handler handler, RouteOptions options) {
  add_handler(Method::kPost, std::move(pattern), std::move(handler), options);
}

void Router::post_async(std::string pattern, AsyncHandler handler, RouteOptions options) {
  Route route;
  route.async_handler = std::move(handler);
  route.body_limit_bytes = options.body_limit_bytes;
  route.pool = options.pool;
  route.budget = options.budget;
  add(Method::kPost, std::move(pattern), std::move(route));
}

void Router::post_upload(std::string pattern, UploadFactory factory, std::uint64_t body_limit_bytes,
                         Pool pool) {
  Route route;
  route.factory = std::move(factory);
  route.body_limit_bytes = body_limit_bytes;
  route.pool = pool;
  add(Method::kPost, std::move(pattern), std::move(route));
}

void Router::route(Method method, std::string pattern, Handler handler, RouteOptions options) {
  add_handler(method, std::move(pattern), std::move(handler), options);
}

void Router::upload(Method method, std::string pattern, UploadFactory factory,
                    std::uint64_t body_limit_bytes, Pool pool) {
  Route route;
  route.factory = std::move(factory);
  route.body_limit_bytes = body_limit_bytes;
  route.pool = pool;
  add(method, std::move(pattern), std::move(route));
}

void Router::set_error_pages(ErrorPages pages) {
  error_pages_ = std::move(pages);
}

Response Router::error_page(unsigned status, const Request& request) const {
  try {
    return error_pages_(status, request);
  } catch (const std::exception& e) {
    spdlog::error("http: error page {} failed: {}", status, e.what());
    return default_error_page(status, request);
  }
}

RouteMatch Router::match(Request& request) const {
  const std::vector<std::string> path = split_path(request.path());
  // Which methods the path allows, in the order the Allow header names them.
  constexpr Method kAllowOrder[] = {Method::kGet,   Method::kHead,   Method::kPost,
                                    Method::kPatch, Method::kDelete, Method::kOptions};
  bool allowed[std::size(kAllowOrder)] = {};
  std::vector<std::pair<std::string, std::string>> captures, best_captures;
  // HEAD takes an explicit HEAD route, else the GET route.
  auto find = [&](Method method) {
    const Route* best = nullptr;
    int best_literals = -1;
    for (const auto& route : routes_) {
      auto literals = match_route(path, request.path(), *route, captures);
      if (!literals) continue;
      for (std::size_t i = 0; i < std::size(kAllowOrder); ++i) {
        if (route->method == kAllowOrder[i]) allowed[i] = true;
      }
      if (route->method != method || *literals <= best_literals) continue;
      best = route.get();
      best_literals = *literals;
      best_captures = captures;
    }
    return best;
  };
  const Route* best = find(request.method());
  if (best == nullptr && request.method() == Method::kHead) best = find(Method::kGet);
  RouteMatch result;
  if (best == nullptr) {
    if (allowed[0]) allowed[1] = true;  // GET routes answer HEAD
    for (std::size_t i = 0; i < std::size(kAllowOrder); ++i) {
      if (!allowed[i]) continue;
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += method_name(kAllowOrder[i]);
    }
    if (result.allow.empty()) return result;
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    return result;
  }
  for (auto& [name, value] : best_captures) request.set_path_param(name, std::move(value));
  result.kind = best->factory ? RouteMatch::Kind::kUpload : RouteMatch::Kind::kHandler;
  result.handler = best->factory || best->async_handler ? nullptr : &best->handler;
  result.async_handler = best->async_handler ? &best->async_handler : nullptr;
  result.factory = best->factory ? &best->factory : nullptr;
  result.body_limit_bytes = best->body_limit_bytes;
  result.pool = best->pool;
  result.budget = best->budget;
  return result;
}

namespace {

// The one answer that copies of a Respond share.
class Answer {
 public:
  Answer(std::function<void(Response)> deliver, std::function<Response()> if_dropped)
      : deliver_(std::move(deliver)), if_dropped_(std::move(if_dropped)) {}
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;
  ~Answer() {
    if (answered_.exchange(true)) return;
    try {
      deliver_(if_dropped_());
    } catch (const std::exception& e) {
      spdlog::error("http: an unanswered request could not be answered: {}", e.what());
    }
  }
  void give(Response response) {
    if (answered_.exchange(true)) return;
    deliver_(std::move(response));
  }

 private:
  std::atomic<bool> answered_{false};
  std::function<void(Response)> deliver_;
  std::function<Response()> if_dropped_;
};

// A Respond that runs `deliver` once: with the first response given, or with
// `if_dropped()` when the last copy is destroyed unanswered.
Respond respond_once(std::function<void(Response)> deliver, std::function<Response()> if_dropped) {
  auto answer = std::make_shared<Answer>(std::move(deliver), std::move(if_dropped));
  return [answer](Response response) { answer->give(std::move(response)); };
}

Response feed_upload(UploadHandler& upload, const std::string& body) {
  if (auto fed = upload.on_body(as_bytes(body)); !fed) return upload.fail(fed.error());
  return upload.finish();
}

}  // namespace

Response Router::handle(Request& request) const {
  RouteMatch found = match(request);
  try {
    switch (found.kind) {
      case RouteMatch::Kind::kNotFound:
        return error_page(404, request);
      case RouteMatch::Kind::kMethodNotAllowed: {
        Response response = error_page(405, request);
        response.set_header("Allow", found.allow);
        return response;
      }
      case RouteMatch::Kind::kHandler:
        if (request.body().size() > found.body_limit_bytes) return error_page(413, request);
        if (found.async_handler != nullptr) {
          // Shared: an answer given after a throw must not outlive the wait.
          auto promise = std::make_shared<std::promise<Response>>();
          auto answered = promise->get_future();
          (*found.async_handler)(
              request,
              respond_once([promise](Response r) { promise->set_value(std::move(r)); },
                           [] { return Response::text("500 Internal Server Error\n", 500); }));
          return answered.get();
        }
        return (*found.handler)(request);
      case RouteMatch::Kind::kUpload: {
        auto made = (*found.factory)(request);
        if (auto* rejected = std::get_if<Response>(&made)) return std::move(*rejected);
        auto& upload = std::get<std::unique_ptr<UploadHandler>>(made);
        if (request.body().size() > found.body_limit_bytes) {
          return upload->fail(Error(ErrorCode::kTooLarge, "http: request body is too large"));
        }
        return feed_upload(*upload, request.body());
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("http: handler failed: {}", e.what());
  }
  return error_page(500, request);
}

}  // namespace safehouse::http
