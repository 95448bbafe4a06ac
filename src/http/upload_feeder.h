// SPDX-License-Identifier: AGPL-3.0-or-later
// http/upload_feeder.h: hands an upload's body from the connection's strand
// to its UploadHandler on the worker pool through a short queue. The strand
// reads chunks into a few buffers and queues them; one pool task at a time
// feeds what is queued to on_body(), in order, and gives each buffer back
// through a channel once fed. While the client sends faster than the handler
// encrypts, that task feeds chunk after chunk: no strand → pool → strand round
// trip per chunk (each one two thread wake-ups; uploads are CPU-bound on two
// cores). Included by session.cpp (and its test) only: it pulls in Asio.
#ifndef SAFEHOUSE_HTTP_UPLOAD_FEEDER_H_
#define SAFEHOUSE_HTTP_UPLOAD_FEEDER_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/error.h"
#include "crypto/wiping_allocator.h"
#include "http/router.h"

namespace safehouse::http::detail {

namespace net = boost::asio;

class UploadFeeder : public std::enable_shared_from_this<UploadFeeder> {
 public:
  // `buffers` (at least 2) chunk buffers; `handler` must outlive drained().
  static std::shared_ptr<UploadFeeder> create(net::any_io_executor strand, net::thread_pool& pool,
                                              UploadHandler& handler, std::size_t buffers);
  UploadFeeder(const UploadFeeder&) = delete;
  UploadFeeder& operator=(const UploadFeeder&) = delete;

  // The rest is for the strand only.

  // A buffer to read the next chunk into: one not in use, else the next one
  // the pool gives back (waits for it). Each must go back through feed() or
  // put_back().
  net::awaitable<crypto::WipedBytes*> free_buffer();
  // Queues the first `used` bytes of `buffer` for on_body(); an empty piece
  // is not fed (the buffer is put back).
  void feed(crypto::WipedBytes* buffer, std::size_t used);
  void put_back(crypto::WipedBytes* buffer);
  // True once on_body() failed: read no more, the rest would be dropped.
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // Waits until every queued chunk is fed or dropped and no on_body() runs,
  // so that finish() or fail() may follow; then the first error of on_body()
  // (kInternal if it threw).
  net::awaitable<Result<void>> drained();

 private:
  using Channel =
      net::experimental::concurrent_channel<void(boost::system::error_code, std::size_t)>;
  struct Piece {
    std::size_t buffer = 0;
    std::size_t used = 0;
  };

  UploadFeeder(net::any_io_executor strand, net::thread_pool& pool, UploadHandler& handler,
               std::size_t buffers);
  std::size_t index_of(const crypto::WipedBytes* buffer) const;
  net::awaitable<std::size_t> take_returned();
  void drain();
  Result<void> feed_one(ByteSpan piece);

  net::any_io_executor strand_;
  net::thread_pool& pool_;
  UploadHandler& handler_;
  std::vector<crypto::WipedBytes> buffers_;  // never resized: the strand holds pointers
  Channel returned_;                         // pool → strand: fed buffers, by index

  // Strand only.
  std::vector<std::size_t> idle_;  // buffers neither queued nor being fed
  std::size_t outstanding_ = 0;    // buffers queued, being fed, or in returned_

  std::mutex mutex_;
  std::deque<Piece> queue_;     // guarded: waiting for on_body(), in order
  bool running_ = false;        // guarded: a pool task is feeding
  std::optional<Error> error_;  // guarded: the first failure of on_body()
  std::atomic<bool> failed_{false};
};

}  // namespace safehouse::http::detail

#endif  // SAFEHOUSE_HTTP_UPLOAD_FEEDER_H_
