// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/crash_test.cpp: invariant 5 against kill -9. A child process
// commits first contacts (inline and blob bodies) from several threads and
// reports each acknowledged case id on a pipe; the parent kills it mid-way,
// reopens the store and checks every acknowledged record and body is there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "store/sqlite_store.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

constexpr Day kDay = 20261125;

struct Ack {
  std::int64_t case_id;
  std::int64_t item_id;
  std::uint32_t n;
};

Bytes body_for(std::uint32_t n) {
  // Every fourth item is large enough to go to a blob.
  Bytes body(n % 4 == 0 ? 100000 : 300);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::uint8_t>(n + i);
  return body;
}

SourceId source_for(std::uint32_t n) {
  SourceId id{};
  std::memcpy(id.data(), &n, sizeof n);
  return id;
}

Result<Ack> submit(Store& store, std::uint32_t n) {
  Bytes body = body_for(n);
  ItemBody item = InlineBody{body};
  if (body.size() > kMaxInlineBodyBytes) {
    auto writer = SAFEHOUSE_TRY(store.blobs().create_writer());
    SAFEHOUSE_TRY_VOID(writer->write(body));
    SAFEHOUSE_TRY_VOID(writer->finish());
    item = writer->result();
  }
  WriteBatch batch;
  batch.create_source(source_for(n), "crash-test", kDay);
  std::size_t c = batch.create_case(source_for(n), kDay);
  std::size_t i = batch.add_item(CaseRef::created_by(c), Direction::kSource, std::move(item), kDay);
  auto result = SAFEHOUSE_TRY(store.commit(std::move(batch)));
  return Ack{result.id(c), result.id(i), n};
}

// The child: commit forever from 4 threads, acknowledging on `fd`.
[[noreturn]] void run_child(const std::filesystem::path& dir, int fd) {
  auto store = open_sqlite(dir, FileSystem::posix());
  if (!store) _exit(2);
  std::mutex write_mu;
  std::atomic<std::uint32_t> next{1};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        auto ack = submit(**store, next++);
        if (!ack) _exit(3);
        std::lock_guard lock(write_mu);
        if (::write(fd, &*ack, sizeof *ack) != sizeof *ack) _exit(4);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  _exit(0);
}

TEST(Crash, KillNineLosesNoAcknowledgedSubmission) {
  testing::TempDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    run_child(dir.path(), fds[1]);
  }
  ::close(fds[1]);
  std::vector<Ack> acks;
  Ack ack;
  // Pipe writes of a few bytes are atomic, so acks arrive whole.
  while (acks.size() < 300 && ::read(fds[0], &ack, sizeof ack) == sizeof ack) acks.push_back(ack);
  ::kill(child, SIGKILL);
  while (::read(fds[0], &ack, sizeof ack) == sizeof ack) acks.push_back(ack);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_GE(acks.size(), 300u);

  auto store = open_sqlite(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store) << store.error().message();
  for (const Ack& a : acks) {
    auto c = (*store)->get_case(a.case_id);
    ASSERT_TRUE(c) << "acknowledged case " << a.case_id << " lost";
    EXPECT_EQ(c->source_id, source_for(a.n));
    auto body = (*store)->read_item_body(a.item_id, 1 << 20);
    ASSERT_TRUE(body) << body.error().message();
    EXPECT_EQ(*body, body_for(a.n));
  }
  // Whatever was in flight at the kill left no temporary files behind after
  // the reopen's cleanup.
  EXPECT_EQ(testing::count_entries(dir.path() / "blobs" / "tmp"), 0u);
  store->reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / kSqliteFileName).c_str(), &db), SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  sqlite3_close(db);
}

}  // namespace
}  // namespace safehouse::store
