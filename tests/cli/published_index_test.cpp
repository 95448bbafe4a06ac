// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/cli/published_index_test.cpp: the published-files index behind
// /{lang}/published (cli/published_index.h) over a real LogStore (SQLite):
// it finds only published-file entries among others, keeps up with
// appends made after its first use (reading only the new bundles), gives
// an inclusion proof that verifies against the signed checkpoint, and
// refuses to prove an entry whose stored bundle was rewritten.
#include "cli/published_index.h"

#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "crypto/sha256.h"
#include "store/file_system.h"
#include "store/sql.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/note_key.h"

namespace safehouse::cli {
namespace {

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

class PublishedIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = store::LogStore::open(dir_.path(), "", store::FileSystem::posix());
    ASSERT_TRUE(log) << log.error().message();
    log_ = std::move(*log);
    ASSERT_TRUE(log_->create("example/c74f20a3/log", signer_));
  }

  // Appends `others` unrelated entries, then one published file; returns
  // the file's digest.
  crypto::Sha256Digest publish(std::string_view content, std::string language, int others) {
    std::vector<Bytes> entries;
    for (int i = 0; i < others; ++i)
      entries.push_back(bytes_of("other entry " + std::to_string(i)));
    const PublishedFile file{crypto::sha256(as_bytes(content)), std::move(language), "2026-12-05"};
    auto entry = format_published_file(file);
    EXPECT_TRUE(entry);
    entries.push_back(bytes_of(*entry));
    EXPECT_TRUE(log_->append(entries, signer_));
    return file.sha256;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::LogStore> log_;
  const tlog::Ed25519Signer signer_{tlog::Ed25519Key::generate("example")};
};

TEST_F(PublishedIndex, FindsPublishedFilesWithAProofOfTheSignedHead) {
  PublishedFileIndex index(*log_);
  auto none = index.files();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  const auto first = publish("We never ask for your name.\n", "en", 300);
  auto files = index.files();
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].index, 300u);
  EXPECT_EQ((*files)[0].file.language, "en");

  // Appended after the index's first use: found, with a proof of the new head.
  const auto second = publish("video bytes", "fa", 700);
  auto found = index.find(second);
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(found->has_value());
  const PublishedFileInclusion& inclusion = **found;
  EXPECT_EQ(inclusion.file.index, 1001u);
  EXPECT_EQ(inclusion.file.file.language, "fa");
  EXPECT_EQ(inclusion.head.checkpoint.size, 1002u);
  auto entry = format_published_file(inclusion.file.file);
  ASSERT_TRUE(entry);
  EXPECT_EQ(inclusion.leaf, tlog::leaf_hash(as_bytes(*entry)));
  EXPECT_TRUE(tlog::verify_inclusion(1001, 1002, inclusion.leaf, inclusion.proof,
                                     inclusion.head.checkpoint.root));
  auto verifier = signer_.verifier();
  const tlog::NoteVerifier* known[] = {&verifier};
  EXPECT_TRUE(tlog::open_note(inclusion.head.note, known)) << "the head shown is signed";

  auto earlier = index.find(first);
  ASSERT_TRUE(earlier);
  ASSERT_TRUE(earlier->has_value());
  EXPECT_EQ((*earlier)->file.index, 300u);
  files = index.files();
  ASSERT_TRUE(files);
  EXPECT_EQ(files->size(), 2u);

  auto missing = index.find(crypto::sha256(as_bytes(std::string_view("a fake"))));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(PublishedIndex, ARewrittenBundleIsNotProved) {
  const auto digest = publish("statement", "en", 3);
  PublishedFileIndex before(*log_);
  ASSERT_TRUE(before.files());
  // The operator rewrites the entry in the database (same length, so the
  // bundle still parses): the hash tiles no longer prove it.
  constexpr std::string_view kBundle = "tile/entries/000.p/4";
  auto bundle = log_->read(kBundle);
  ASSERT_TRUE(bundle);
  std::string text(bundle->begin(), bundle->end());
  const auto at = text.find("language en");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "language fa");
  ASSERT_TRUE(log_->update([&](store::SqlSession& db, const store::LogHead&) -> Result<void> {
    return db.exec("UPDATE log_tiles SET data = ? WHERE path = ?", {as_bytes(text), kBundle});
  }));
  // Indexed before: the entry changed under it. Indexed after: the
  // rewritten entry is not the one the signed root holds.
  auto found = before.find(digest);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code(), ErrorCode::kIntegrity);
  PublishedFileIndex after(*log_);
  found = after.find(digest);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code(), ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace safehouse::cli
