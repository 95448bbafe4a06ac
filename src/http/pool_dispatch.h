// SPDX-License-Identifier: AGPL-3.0-or-later
// http/pool_dispatch.h: handing a request's work from its connection's
// strand to a thread pool and back, for the session (http/session.cpp) and
// the response writer (http/response_writer.cpp). Internal: includes Asio,
// like server_internal.h, so nothing outside the server may include it.
#ifndef SAFEHOUSE_HTTP_POOL_DISPATCH_H_
#define SAFEHOUSE_HTTP_POOL_DISPATCH_H_

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "http/response.h"
#include "http/router.h"

namespace safehouse::http::detail {

namespace net = boost::asio;

// Runs `work` on `pool` and completes on the handler's associated executor
// (the connection's strand) with the result or what `work` threw. The pool
// only ever sees a plain function object: no coroutine frame is created,
// resumed or destroyed on a pool thread (a co_spawn onto the pool did all
// three, and Asio's frame recycling then crossed threads).
template <typename Work, typename CompletionToken>
auto async_run_on(net::thread_pool& pool, Work work, CompletionToken&& token) {
  using Value = std::optional<std::invoke_result_t<Work&>>;
  auto initiation = [&pool](auto handler, Work w) {
    // Tracked work keeps the io_context running while the pool works.
    auto executor = net::prefer(net::get_associated_executor(handler),
                                net::execution::outstanding_work.tracked);
    net::post(pool, [handler = std::move(handler), executor = std::move(executor),
                     w = std::move(w)]() mutable {
      std::exception_ptr thrown;
      Value value;
      try {
        value.emplace(w());
      } catch (...) {
        thrown = std::current_exception();
      }
      net::dispatch(executor,
                    [handler = std::move(handler), thrown, value = std::move(value)]() mutable {
                      std::move(handler)(thrown, std::move(value));
                    });
    });
  };
  return net::async_initiate<CompletionToken, void(std::exception_ptr, Value)>(initiation, token,
                                                                               std::move(work));
}

// The one answer of an AsyncHandler: completes the awaiting coroutine on its
// executor (the connection's strand) once, with the first response or what
// the handler threw; if every Respond is dropped unanswered, with an error
// (the caller's 500). Until then it counts as work of the pool, so the
// Server's final join of the pool waits for answers still owed.
template <typename Handler, typename Executor>
class PendingAnswer {
 public:
  PendingAnswer(Handler handler, Executor executor, net::thread_pool& pool)
      : handler_(std::move(handler)),
        executor_(std::move(executor)),
        pool_work_(net::make_work_guard(pool)) {}
  PendingAnswer(const PendingAnswer&) = delete;
  PendingAnswer& operator=(const PendingAnswer&) = delete;
  ~PendingAnswer() {
    complete(std::make_exception_ptr(std::runtime_error("http: the handler never answered")),
             std::nullopt);
  }

  void complete(std::exception_ptr thrown, std::optional<Response> response) {
    if (answered_.exchange(true)) return;
    net::dispatch(executor_, [handler = std::move(handler_), thrown,
                              response = std::move(response)]() mutable {
      std::move(handler)(thrown, std::move(response));
    });
    pool_work_.reset();
  }

 private:
  std::atomic<bool> answered_{false};
  Handler handler_;
  Executor executor_;
  net::executor_work_guard<net::thread_pool::executor_type> pool_work_;
};

// Runs `start(respond)` on `pool` and completes on the handler's associated
// executor when `respond` is called, from whatever thread calls it (a
// store's writer thread): the pool thread is free as soon as `start`
// returns, so a request waiting for a group commit holds no thread, and as
// many requests as are waiting can share one commit.
template <typename Start, typename CompletionToken>
auto async_respond_on(net::thread_pool& pool, Start start, CompletionToken&& token) {
  auto initiation = [&pool](auto handler, Start s) {
    auto executor = net::prefer(net::get_associated_executor(handler),
                                net::execution::outstanding_work.tracked);
    using Pending = PendingAnswer<decltype(handler), decltype(executor)>;
    auto pending = std::make_shared<Pending>(std::move(handler), std::move(executor), pool);
    net::post(pool, [pending, s = std::move(s)]() mutable {
      try {
        s(Respond(
            [pending](Response response) { pending->complete(nullptr, std::move(response)); }));
      } catch (...) {
        pending->complete(std::current_exception(), std::nullopt);
      }
    });
  };
  return net::async_initiate<CompletionToken, void(std::exception_ptr, std::optional<Response>)>(
      initiation, token, std::move(start));
}

// The coroutine wrappers live on the caller's strand (their frames are made
// and freed there); they only unwrap the value.
template <typename Work>
net::awaitable<std::invoke_result_t<Work&>> on_pool(net::thread_pool& pool, Work work) {
  co_return std::move(*co_await async_run_on(pool, std::move(work), net::use_awaitable));
}

template <typename Start>
net::awaitable<Response> on_pool_async(net::thread_pool& pool, Start start) {
  co_return std::move(*co_await async_respond_on(pool, std::move(start), net::use_awaitable));
}

}  // namespace safehouse::http::detail

#endif  // SAFEHOUSE_HTTP_POOL_DISPATCH_H_
