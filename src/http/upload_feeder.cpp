// SPDX-License-Identifier: AGPL-3.0-or-later
// http/upload_feeder.cpp: the queue between a connection's reads and its
// upload handler. One mutex guards the queue and the running flag; buffers
// come back to the strand through an Asio concurrent channel, which resumes
// the strand only when it is waiting for one.
#include "http/upload_feeder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <numeric>
#include <utility>

namespace safehouse::http::detail {

std::shared_ptr<UploadFeeder> UploadFeeder::create(net::any_io_executor strand,
                                                   net::thread_pool& pool, UploadHandler& handler,
                                                   std::size_t buffers) {
  return std::shared_ptr<UploadFeeder>(
      new UploadFeeder(std::move(strand), pool, handler, std::max<std::size_t>(buffers, 2)));
}

UploadFeeder::UploadFeeder(net::any_io_executor strand, net::thread_pool& pool,
                           UploadHandler& handler, std::size_t buffers)
    : strand_(std::move(strand)),
      pool_(pool),
      handler_(handler),
      buffers_(buffers),
      // Room for every buffer, so that giving one back never fails.
      returned_(strand_, buffers),
      idle_(buffers) {
  // Taken from the back: buffer 0 first.
  std::iota(idle_.rbegin(), idle_.rend(), std::size_t{0});
}

std::size_t UploadFeeder::index_of(const crypto::WipedBytes* buffer) const {
  return static_cast<std::size_t>(buffer - buffers_.data());
}

net::awaitable<std::size_t> UploadFeeder::take_returned() {
  auto [ec, index] = co_await returned_.async_receive(net::as_tuple(net::use_awaitable));
  // The channel is never closed or cancelled while the strand waits on it.
  if (ec) throw boost::system::system_error(ec, "http: upload buffer channel");
  --outstanding_;
  co_return index;
}

net::awaitable<crypto::WipedBytes*> UploadFeeder::free_buffer() {
  std::size_t index = 0;
  if (!idle_.empty()) {
    index = idle_.back();
    idle_.pop_back();
  } else {
    index = co_await take_returned();
  }
  co_return &buffers_[index];
}

void UploadFeeder::put_back(crypto::WipedBytes* buffer) {
  idle_.push_back(index_of(buffer));
}

void UploadFeeder::feed(crypto::WipedBytes* buffer, std::size_t used) {
  if (used == 0) {
    put_back(buffer);
    return;
  }
  ++outstanding_;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Piece{index_of(buffer), used});
    if (running_) return;
    running_ = true;
  }
  // Tracked work keeps the io_context running while the pool feeds, as
  // async_run_on does; `self` keeps the buffers and channel alive.
  auto work = net::prefer(strand_, net::execution::outstanding_work.tracked);
  net::post(pool_, [self = shared_from_this(), work = std::move(work)] { self->drain(); });
}

net::awaitable<Result<void>> UploadFeeder::drained() {
  while (outstanding_ > 0) idle_.push_back(co_await take_returned());
  std::lock_guard lock(mutex_);
  if (error_) co_return *error_;
  co_return Result<void>();
}

// On the pool: feeds what is queued until the queue is empty. After a
// failure the rest is only given back: on_body() is not called again.
void UploadFeeder::drain() {
  std::unique_lock lock(mutex_);
  while (!queue_.empty()) {
    Piece piece = queue_.front();
    queue_.pop_front();
    const bool skip = error_.has_value();
    lock.unlock();
    if (!skip) {
      Result<void> fed = feed_one(ByteSpan(buffers_[piece.buffer].data(), piece.used));
      if (!fed) {
        std::lock_guard failed(mutex_);
        error_ = fed.error();
        failed_.store(true, std::memory_order_release);
      }
    }
    // Never full: it has room for every buffer.
    if (!returned_.try_send(boost::system::error_code(), piece.buffer)) {
      spdlog::critical("http: upload buffer not given back");
      std::terminate();  // the strand would wait for it forever
    }
    lock.lock();
  }
  running_ = false;
}

Result<void> UploadFeeder::feed_one(ByteSpan piece) {
  // A throwing on_body() is a bug, but fail() must still remove partial data.
  try {
    return handler_.on_body(piece);
  } catch (const std::exception& e) {
    spdlog::error("http: upload handler failed: {}", e.what());
    return Error(ErrorCode::kInternal, "http: upload handler failed");
  }
}

}  // namespace safehouse::http::detail
