// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/upload_feeder_test.cpp: the queue between an upload's reads and
// its handler, driven by a coroutine on a strand as session.cpp drives it,
// with a real worker pool: order, one on_body() at a time, buffers never
// reused while queued, a failure stops the feeding, drained() waits.
#include "http/upload_feeder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace safehouse::http::detail {
namespace {

constexpr std::size_t kChunk = 4096;

// Records what on_body() saw; `on_call(n)` runs inside the n-th call.
class RecordingUpload : public UploadHandler {
 public:
  Result<void> on_body(ByteSpan chunk) override {
    if (inside_.exchange(true)) overlapped_ = true;
    const std::size_t n = calls_++;
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the reader run ahead
    Result<void> result;
    if (on_call) result = on_call(n);
    {
      std::lock_guard lock(mutex_);
      seen_.emplace_back(chunk.begin(), chunk.end());
    }
    inside_ = false;
    return result;
  }
  Response finish() override { return Response::text("done", 200); }
  Response fail(const Error& /*error*/) override { return Response::text("failed", 500); }

  std::function<Result<void>(std::size_t)> on_call;
  std::vector<std::vector<std::uint8_t>> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  bool overlapped() const { return overlapped_; }
  bool inside() const { return inside_; }
  std::size_t calls() const { return calls_; }

 private:
  std::atomic<bool> inside_{false};
  std::atomic<bool> overlapped_{false};
  std::atomic<std::size_t> calls_{0};
  std::mutex mutex_;
  std::vector<std::vector<std::uint8_t>> seen_;
};

// Chunk i is `size` bytes of the value i + 1.
std::vector<std::uint8_t> chunk_of(std::size_t i, std::size_t size = kChunk) {
  return std::vector<std::uint8_t>(size, static_cast<std::uint8_t>(i + 1));
}

struct Outcome {
  std::size_t queued = 0;  // chunks handed to feed()
  std::optional<Result<void>> drained;
  bool inside_when_drained = true;
};

// Feeds `chunks` chunks (as the session does: take a buffer, fill it, queue
// it; stop once failed()), then waits for drained(), on a strand of an
// io_context run by two threads, with a pool of four threads.
Outcome run(RecordingUpload& upload, std::size_t chunks, std::size_t buffers,
            std::function<std::size_t(std::size_t)> size_of = nullptr) {
  net::io_context io;
  net::thread_pool pool(4);
  Outcome outcome;
  auto strand = net::make_strand(io);
  net::co_spawn(
      strand,
      [&]() -> net::awaitable<void> {
        auto feeder =
            UploadFeeder::create(co_await net::this_coro::executor, pool, upload, buffers);
        for (std::size_t i = 0; i < chunks && !feeder->failed(); ++i) {
          crypto::WipedBytes* buffer = co_await feeder->free_buffer();
          const std::size_t size = size_of ? size_of(i) : kChunk;
          buffer->resize(std::max(buffer->size(), size));
          if (size > 0) std::memset(buffer->data(), static_cast<int>(i + 1), size);
          feeder->feed(buffer, size);
          ++outcome.queued;
        }
        outcome.drained = co_await feeder->drained();
        outcome.inside_when_drained = upload.inside();
      },
      net::detached);
  std::thread second([&] { io.run(); });
  io.run();
  second.join();
  pool.join();
  return outcome;
}

TEST(UploadFeeder, ChunksReachTheHandlerWholeInOrderOneAtATime) {
  RecordingUpload upload;
  Outcome outcome = run(upload, 200, 3);
  ASSERT_TRUE(outcome.drained.has_value());
  EXPECT_TRUE(outcome.drained->has_value());
  EXPECT_FALSE(upload.overlapped());
  EXPECT_FALSE(outcome.inside_when_drained);
  auto seen = upload.seen();
  ASSERT_EQ(seen.size(), 200u);
  // A buffer refilled while still queued would show another chunk's bytes.
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], chunk_of(i)) << "chunk " << i;
}

TEST(UploadFeeder, AnEmptyPieceIsNotFed) {
  RecordingUpload upload;
  Outcome outcome = run(upload, 6, 2, [](std::size_t i) { return i % 2 == 0 ? 0 : kChunk; });
  ASSERT_TRUE(outcome.drained.has_value());
  EXPECT_TRUE(outcome.drained->has_value());
  auto seen = upload.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], chunk_of(1));
  EXPECT_EQ(seen[2], chunk_of(5));
}

TEST(UploadFeeder, AFailureStopsTheFeedingAndDrainedReturnsIt) {
  RecordingUpload upload;
  upload.on_call = [](std::size_t n) -> Result<void> {
    if (n == 4) return Error(ErrorCode::kTooLarge, "test: file over its limit");
    return {};
  };
  Outcome outcome = run(upload, 1000, 3);
  ASSERT_TRUE(outcome.drained.has_value());
  ASSERT_FALSE(outcome.drained->has_value());
  EXPECT_EQ(outcome.drained->error().code(), ErrorCode::kTooLarge);
  EXPECT_EQ(upload.calls(), 5u);  // nothing after the failing call
  // The reader stopped soon after: at most the buffers in flight were queued.
  EXPECT_LE(outcome.queued, 5u + 3u);
  EXPECT_FALSE(outcome.inside_when_drained);
}

TEST(UploadFeeder, AThrowingHandlerIsAnInternalError) {
  RecordingUpload upload;
  upload.on_call = [](std::size_t n) -> Result<void> {
    if (n == 1) throw std::runtime_error("test: bug in the handler");
    return {};
  };
  Outcome outcome = run(upload, 10, 2);
  ASSERT_TRUE(outcome.drained.has_value());
  ASSERT_FALSE(outcome.drained->has_value());
  EXPECT_EQ(outcome.drained->error().code(), ErrorCode::kInternal);
  EXPECT_EQ(upload.calls(), 2u);
}

TEST(UploadFeeder, DrainedWaitsForTheCallInProgress) {
  RecordingUpload upload;
  std::atomic<bool> release{false};
  upload.on_call = [&](std::size_t n) -> Result<void> {
    if (n == 2) {
      // Hold the last call; drained() must not return meanwhile.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      release = true;
    }
    return {};
  };
  Outcome outcome = run(upload, 3, 3);
  ASSERT_TRUE(outcome.drained.has_value());
  EXPECT_TRUE(outcome.drained->has_value());
  EXPECT_TRUE(release.load());
  EXPECT_FALSE(outcome.inside_when_drained);
  EXPECT_EQ(upload.seen().size(), 3u);
}

}  // namespace
}  // namespace safehouse::http::detail
