// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/cli/files_test.cpp: the CLI's InputFile over a mapped file
// (cli/files.h, cli/file_mapping.h): every byte arrives once through next(),
// and through read() and peek(), which do not map; a file that grows is read to its new end; a file
// that shrinks while it is read gives an error, never a crash and never zeros passed off as
// content, also in the middle of `safehouse encrypt`'s loop.
#include "cli/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "age/age.h"
#include "age/x25519.h"
#include "cli/file_mapping.h"

namespace safehouse::cli {
namespace {

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("safehouse-files-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `size` pseudo-random bytes (no zeros, so lost pages show) to a
  // file; returns its path.
  std::string make_file(std::size_t size) {
    content_.resize(size);
    std::mt19937 random(static_cast<unsigned>(size));
    for (auto& byte : content_) byte = static_cast<std::uint8_t>(1 + random() % 255);
    return write_file(content_);
  }
  std::string write_file(const Bytes& bytes) {
    std::string path = (dir_ / "input").string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  static void truncate_to(const std::string& path, std::size_t size) {
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0);
  }

  // Everything next() hands out until the end or an error.
  static Result<Bytes> drain(InputFile& in) {
    Bytes all;
    for (;;) {
      auto span = SAFEHOUSE_TRY(in.next());
      if (span.empty()) return all;
      EXPECT_LE(span.size(), InputFile::kMapSpanBytes);
      all.insert(all.end(), span.begin(), span.end());
    }
  }

  std::filesystem::path dir_;
  Bytes content_;
};

TEST_F(InputFileTest, NextHandsOutEveryByteOfAMappedFileOnce) {
  // Over one mapping span, and not a whole number of pages.
  auto path = make_file(InputFile::kMapSpanBytes + 3 * 4096 + 17);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in) << in.error().message();
  auto all = drain(**in);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(*all, content_);
}

TEST_F(InputFileTest, SmallFilesAreReadNotMapped) {
  auto path = make_file(InputFile::kMapMinBytes - 1);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  auto all = drain(**in);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, content_);
}

TEST_F(InputFileTest, ReadAndPeekReadTheFileWithoutAMapping) {
  auto path = make_file(3 * 1024 * 1024 + 5);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  auto first = (*in)->peek(64);
  ASSERT_TRUE(first);
  EXPECT_EQ(Bytes(first->begin(), first->end()), Bytes(content_.begin(), content_.begin() + 64));
  // age chunk-sized reads, as decrypt does them.
  Bytes all;
  Bytes chunk(65536 + 16);
  for (;;) {
    auto n = (*in)->read(chunk);
    ASSERT_TRUE(n) << n.error().message();
    if (*n == 0) break;
    all.insert(all.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  EXPECT_EQ(all, content_);
}

TEST_F(InputFileTest, NextAfterPeekGoesOnFromTheBuffer) {
  auto path = make_file(3 * 1024 * 1024 + 5);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  ASSERT_TRUE((*in)->peek(64));
  auto all = drain(**in);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, content_);
}

TEST_F(InputFileTest, ReadAfterNextOnAMappedFileIsRefused) {
  auto path = make_file(3 * 1024 * 1024);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  ASSERT_TRUE((*in)->next());
  Bytes chunk(100);
  auto n = (*in)->read(chunk);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code(), ErrorCode::kInternal);
}

TEST_F(InputFileTest, AFileThatGrowsIsReadToItsNewEnd) {
  auto path = make_file(2 * 1024 * 1024);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  Bytes grown = content_;
  for (int i = 0; i < 5000; ++i) grown.push_back(static_cast<std::uint8_t>(i));
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<const char*>(grown.data() + content_.size()), 5000);
  }
  auto all = drain(**in);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(*all, grown);
}

TEST_F(InputFileTest, AFileTruncatedWhileReadGivesAnErrorNotACrash) {
  auto path = make_file(3 * InputFile::kMapSpanBytes);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  auto span = (*in)->next();
  ASSERT_TRUE(span);
  ASSERT_EQ(span->size(), InputFile::kMapSpanBytes);
  truncate_to(path, 1024 * 1024);
  // What a sealer would do with the span: read every byte. Past the new end
  // the pages are gone; without the handler this read dies of SIGBUS.
  std::size_t zeros = 0;
  for (std::uint8_t byte : *span) zeros += byte == 0;
  EXPECT_GT(zeros, 0u);       // the lost pages read as zeros ...
  auto next = (*in)->next();  // ... and the reader says so
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code(), ErrorCode::kIo);
  EXPECT_NE(next.error().message().find("shrank"), std::string::npos) << next.error().message();
}

TEST_F(InputFileTest, AFileTruncatedAfterItsLastSpanGivesAnError) {
  auto path = make_file(2 * 1024 * 1024);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  auto span = (*in)->next();
  ASSERT_TRUE(span);
  ASSERT_EQ(span->size(), content_.size());
  EXPECT_TRUE(std::equal(span->begin(), span->end(), content_.begin()));
  truncate_to(path, 1024 * 1024 + 100);  // within what was already read
  auto end = (*in)->next();
  ASSERT_FALSE(end);
  EXPECT_NE(end.error().message().find("shrank"), std::string::npos);
}

// A sink that truncates the input file when the encryptor writes its first
// sealed chunk (the header comes before), i.e. while the plaintext's first
// mapped span is being sealed.
class TruncatingSink final : public ByteSink {
 public:
  TruncatingSink(std::string path, Bytes& out) : path_(std::move(path)), out_(out) {}
  Result<void> write(ByteSpan data) override {
    if (!truncated_ && data.size() > 65536) {
      truncated_ = true;
      if (::truncate(path_.c_str(), 4096) != 0) return io_error("truncate failed");
    }
    return out_.write(data);
  }
  Result<void> finish() override { return out_.finish(); }

 private:
  std::string path_;
  VectorSink out_;
  bool truncated_ = false;
};

class EncryptTruncatedInput : public InputFileTest,
                              public ::testing::WithParamInterface<unsigned> {};

TEST_P(EncryptTruncatedInput, FailsAndLeavesNoFinalChunk) {
  auto path = make_file(3 * InputFile::kMapSpanBytes);
  auto identity = age::X25519Identity::generate();
  auto recipient = identity.recipient();
  const age::Recipient* recipients[] = {&recipient};
  Bytes ciphertext;
  TruncatingSink sink(path, ciphertext);
  auto plaintext = age::encrypt(recipients, sink, age::EncryptOptions{.threads = GetParam()});
  ASSERT_TRUE(plaintext);
  auto in = InputFile::open(path);
  ASSERT_TRUE(in);
  // The loop of `safehouse encrypt` (cli/age_io.cpp, copy_stream).
  Result<void> copied;
  for (;;) {
    auto bytes = (*in)->next();
    if (!bytes) {
      copied = bytes.error();
      break;
    }
    if (bytes->empty()) break;
    copied = (*plaintext)->write(*bytes);
    if (!copied) break;
  }
  ASSERT_FALSE(copied) << "encrypting a file that shrank must fail";
  EXPECT_NE(copied.error().message().find("shrank"), std::string::npos);
  // The command stops here without finish(): what reached the output has no
  // final chunk, so no age implementation accepts it as a whole file.
  const age::Identity* identities[] = {&identity};
  SpanSource source(ciphertext);
  Bytes decrypted;
  VectorSink decrypted_sink(decrypted);
  auto opened = age::decrypt(identities, source, decrypted_sink);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message().find("truncated"), std::string::npos)
      << opened.error().message();
}

INSTANTIATE_TEST_SUITE_P(SealingThreads, EncryptTruncatedInput, ::testing::Values(1u, 2u));

TEST(FileMapping, AFaultOutsideEveryMappingIsNotAbsorbed) {
  int local = 0;
  EXPECT_FALSE(absorb_mapping_fault(&local));
}

TEST(FileMapping, AtMostMaxLiveMappingsAtOnce) {
  auto path = (std::filesystem::temp_directory_path() /
               ("safehouse-mapping-limit-" + std::to_string(::getpid())))
                  .string();
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::vector<std::unique_ptr<FileMapping>> live;
  for (std::size_t i = 0; i < FileMapping::kMaxLive; ++i) {
    auto mapping = FileMapping::map(fd, 4096, path);
    ASSERT_TRUE(mapping) << mapping.error().message();
    live.push_back(std::move(*mapping));
  }
  auto one_more = FileMapping::map(fd, 4096, path);
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code(), ErrorCode::kUnavailable);
  live.pop_back();  // a slot comes free again
  EXPECT_TRUE(FileMapping::map(fd, 4096, path));
  ::close(fd);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace safehouse::cli
