// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/file_times_test.cpp: invariant 2 on the disk itself — after
// file submissions at different seconds, no modification, inode change or
// birth time (statx) of any file or folder in the data directory dates a
// submission other than the latest one. The directory engine, which makes a
// file per blob, is run through the same check to show that it catches a
// layout that dates submissions.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "store/sqlite_store.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::TempDir;
using Clock = std::chrono::system_clock;

constexpr Day kDay = 20261125;

struct Window {
  Clock::time_point from, to;
};

Clock::time_point to_time_point(const struct statx_timestamp& t) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec)));
}

// One source sends a file (a blob item) and, in the next batch, a message.
Result<void> submit(Store& store, std::uint8_t n, bool with_file) {
  SourceId source{};
  source[0] = n;
  WriteBatch batch;
  batch.create_source(source, "amber-heron", kDay);
  std::size_t c = batch.create_case(source, kDay);
  if (with_file) {
    auto writer = SAFEHOUSE_TRY(store.blobs().create_writer());
    Bytes body(300000, n);
    SAFEHOUSE_TRY_VOID(writer->write(body));
    SAFEHOUSE_TRY_VOID(writer->finish());
    batch.add_item(CaseRef::created_by(c), Direction::kSource, writer->result(), kDay);
  } else {
    batch.add_item(CaseRef::created_by(c), Direction::kSource, InlineBody{Bytes(100, n)}, kDay);
  }
  SAFEHOUSE_TRY(store.commit(std::move(batch)));
  return {};
}

// "path: ctime dates submission 2" for every time in the data directory
// that falls into the window of a submission other than the last.
std::vector<std::string> dated_submissions(const std::filesystem::path& dir,
                                           const std::vector<Window>& earlier) {
  // File times come from a coarse clock that may lag by a tick.
  constexpr auto kSlack = std::chrono::milliseconds(50);
  std::vector<std::filesystem::path> paths{dir};
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    paths.push_back(e.path());
  std::vector<std::string> found;
  for (const auto& path : paths) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW,
                STATX_MTIME | STATX_CTIME | STATX_BTIME, &stx) != 0) {
      found.push_back(path.string() + ": statx failed");
      continue;
    }
    std::vector<std::pair<const char*, struct statx_timestamp>> times{{"mtime", stx.stx_mtime},
                                                                      {"ctime", stx.stx_ctime}};
    if (stx.stx_mask & STATX_BTIME) times.emplace_back("birth time", stx.stx_btime);
    for (const auto& [name, t] : times) {
      for (std::size_t i = 0; i < earlier.size(); ++i) {
        auto at = to_time_point(t);
        if (at >= earlier[i].from - kSlack && at <= earlier[i].to + kSlack) {
          found.push_back(path.string() + ": " + name + " dates submission " +
                          std::to_string(i + 1));
        }
      }
    }
  }
  return found;
}

// Three file submissions a second or more apart, then a text-only one: the
// windows of all but the last.
std::vector<Window> submit_four(Store& store) {
  std::vector<Window> windows;
  for (std::uint8_t n = 1; n <= 4; ++n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    Window w{Clock::now(), {}};
    auto submitted = submit(store, n, n <= 3);
    EXPECT_TRUE(submitted) << submitted.error().message();
    w.to = Clock::now();
    windows.push_back(w);
  }
  windows.pop_back();
  return windows;
}

TEST(FileTimes, NoFileOrFolderDatesAnEarlierSubmission) {
  TempDir dir;
  auto store = open_sqlite(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store) << store.error().message();
  auto windows = submit_four(**store);
  auto dated = dated_submissions(dir.path(), windows);
  EXPECT_TRUE(dated.empty()) << dated.size() << " times date earlier submissions, e.g. "
                             << dated.front();
  // Also once the store is closed (the WAL is checkpointed and removed).
  store->reset();
  dated = dated_submissions(dir.path(), windows);
  EXPECT_TRUE(dated.empty()) << dated.front();
}

// The check itself can fail: a file per blob dates every submission.
TEST(FileTimes, TheDirectoryEngineDatesEverySubmission) {
  TempDir dir;
  SqliteOptions options;
  options.blob_engine = BlobEngine::kDirectory;
  auto store = open_sqlite(dir.path(), FileSystem::posix(), options);
  ASSERT_TRUE(store) << store.error().message();
  auto windows = submit_four(**store);
  auto dated = dated_submissions(dir.path(), windows);
  bool first = false, second = false;
  for (const auto& line : dated) {
    first = first || line.ends_with("dates submission 1");
    second = second || line.ends_with("dates submission 2");
  }
  EXPECT_TRUE(first && second) << dated.size();
}

}  // namespace
}  // namespace safehouse::store
