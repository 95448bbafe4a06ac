// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/case_reader_test.cpp: a reviewer's view of a real
// installation: case summaries, identities from the demo key file and the
// passphrase-sealed one (right and wrong passphrase), and reading a case
// whose file names are hostile: every file lands inside the output
// directory under a sanitized name, with the right content. On both
// engines (SQLite; PostgreSQL with its blobs in the database).
#include "review/case_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../store/engines.h"
#include "config/installation.h"
#include "intake/intake.h"
#include "review/cases.h"
#include "review/identities.h"

namespace safehouse::review {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

using store::testing::Engine;

class CaseReaderTest : public ::testing::TestWithParam<Engine> {
 protected:
  CaseReaderTest() : db_(GetParam()) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(db_.require());
    root_ = db_.root();
    dir_ = db_.dir();
    config::InitOptions options;
    options.demo = true;
    options.scrypt_work_factor = 10;
    options.database = db_.database();
    auto created = config::create_installation(dir_, options, store::FileSystem::posix());
    ASSERT_TRUE(created) << created.error().message();
    passphrase_ = std::string(created->reviewer_passphrase.reveal().begin(),
                              created->reviewer_passphrase.reveal().end());
    installation_ = config::Installation::open(dir_, store::FileSystem::posix()).value();
    intake::IntakeOptions intake_options;
    intake_options.recipients = installation_->recipients();
    intake_options.today = [] { return store::Day{20261125}; };
    intake_ = std::make_unique<intake::Intake>(installation_->store(), std::move(intake_options));
  }
  void TearDown() override {
    intake_.reset();
    installation_.reset();
  }

  store::CaseId first_contact(const std::vector<std::pair<std::string, std::string>>& files) {
    auto keys = codename::derive_source_keys(codename::Codename::generate());
    auto submission = intake_->start_first_contact(
        intake::NewSource{keys.source_id, keys.reply_identity.recipient()}, "en");
    EXPECT_TRUE(submission->append_text(intake::TextField::kMessage, as_bytes("hello there")));
    EXPECT_TRUE(submission->append_text(intake::TextField::kClaimBranch, as_bytes("army")));
    for (const auto& [name, content] : files) {
      EXPECT_TRUE(submission->begin_file(name, "application/octet-stream"));
      EXPECT_TRUE(submission->append_file(as_bytes(content)));
      EXPECT_TRUE(submission->end_file());
    }
    return submission->commit().value().case_id;
  }

  std::vector<std::unique_ptr<age::Identity>> demo_identities() {
    const std::string text = read_text(dir_ / "demo-reviewer.key");
    return load_identities(as_bytes(text),
                           [] {
                             ADD_FAILURE() << "a plain key file must not ask for a passphrase";
                             return Result<crypto::SecretBytes>(crypto::SecretBytes(1));
                           })
        .value();
  }

  store::testing::EngineInstallation db_;  // first: outlives the store
  fs::path root_, dir_;
  std::string passphrase_;
  std::unique_ptr<config::Installation> installation_;
  std::unique_ptr<intake::Intake> intake_;
};

TEST_P(CaseReaderTest, SummariesCountItemsPerDirection) {
  const auto first = first_contact({{"a.txt", "aaa"}});
  const auto second = first_contact({});
  ASSERT_TRUE(intake_->send_reply(second, "a question", "en"));
  const auto all = list_case_summaries(installation_->store()).value();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].record.case_id, first);
  EXPECT_EQ(all[0].source_items, 2);
  EXPECT_EQ(all[0].reviewer_items, 0);
  EXPECT_EQ(all[1].source_items, 1);
  EXPECT_EQ(all[1].reviewer_items, 1);
  EXPECT_FALSE(all[0].alias.empty());
  EXPECT_EQ(list_case_summaries(installation_->store(), store::CaseStatus::kVerified)->size(), 0U);
  EXPECT_EQ(case_summary(installation_->store(), 999).error().code(), ErrorCode::kNotFound);
}

TEST_P(CaseReaderTest, SealedIdentityNeedsTheRightPassphrase) {
  const std::string sealed = read_text(dir_ / "reviewers" / "reviewer.age");
  EXPECT_TRUE(is_age_file(as_bytes(sealed)));
  auto with = [](std::string p) {
    return [p] { return Result<crypto::SecretBytes>(crypto::SecretBytes::copy_of(as_bytes(p))); };
  };
  auto good = load_identities(as_bytes(sealed), with(passphrase_));
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->size(), 1U);
  auto bad = load_identities(as_bytes(sealed), with("wrong"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("wrong passphrase"), std::string::npos);
  EXPECT_FALSE(load_identities(as_bytes("# nothing here\n"), with("x")));
  EXPECT_FALSE(load_identities(as_bytes("AGE-SECRET-KEY-1BROKEN\n"), with("x")));
}

TEST_P(CaseReaderTest, ReadsEveryItemAndKeepsFilesInside) {
  // 300 kB: a blob body, read through the store's verifying stream (which
  // once failed when age read past the end a second time).
  const std::string big(300'000, 'b');
  const auto case_id = first_contact({{"../../etc/passwd", "root:x:0:0"},
                                      {"/abs/path.txt", "absolute"},
                                      {"..", "dots"},
                                      {"photo\u202Egpj.exe", big}});
  ASSERT_TRUE(intake_->send_reply(case_id, "thank you", "en"));
  const fs::path out_path = root_ / "out" / "inner";
  auto out = OutputDir::open(out_path).value();
  const auto identities = demo_identities();
  std::vector<const age::Identity*> raw;
  for (const auto& i : identities) raw.push_back(i.get());
  const auto items = read_case(installation_->store(), case_id, raw, out.get()).value();
  ASSERT_EQ(items.size(), 6U);
  for (const auto& item : items) ASSERT_FALSE(item.error) << item.error->message();
  EXPECT_EQ(items[0].text, "hello there");
  ASSERT_TRUE(items[0].header->claims);
  EXPECT_EQ(items[0].header->claims->branch, "army");
  EXPECT_EQ(items[1].header->file_name, "../../etc/passwd");
  EXPECT_EQ(items[5].header->kind, intake::ItemKind::kReply);
  EXPECT_EQ(items[5].text, "thank you");

  const std::vector<std::string> expected = {"passwd", "path.txt", "file", "photo_gpj.exe"};
  const std::vector<std::string> contents = {"root:x:0:0", "absolute", "dots", big};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& item = items[i + 1];
    EXPECT_EQ(item.saved_as, std::to_string(item.record.item_id) + "-" + expected[i]);
    EXPECT_EQ(read_text(out_path / item.saved_as), contents[i]);
  }
  // Nothing but those four files anywhere under root/out.
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "out")) {
    if (entry.is_regular_file()) {
      ++files;
      EXPECT_EQ(entry.path().parent_path(), out_path);
    }
  }
  EXPECT_EQ(files, 4U);
  EXPECT_FALSE(fs::exists(root_ / "etc"));
}

TEST_P(CaseReaderTest, WrongIdentityFailsPerItemAndLeavesNoFile) {
  const auto case_id = first_contact({{"x.bin", "content"}});
  auto stranger = age::X25519Identity::generate();
  const age::Identity* raw[] = {&stranger};
  auto out = OutputDir::open(root_ / "out").value();
  const auto items = read_case(installation_->store(), case_id, raw, out.get()).value();
  ASSERT_EQ(items.size(), 2U);
  for (const auto& item : items) {
    ASSERT_TRUE(item.error);
    EXPECT_EQ(item.error->code(), ErrorCode::kNoMatch);
    EXPECT_TRUE(item.text.empty());
  }
  EXPECT_TRUE(fs::is_empty(root_ / "out"));
  EXPECT_EQ(read_case(installation_->store(), 12345, raw, nullptr).error().code(),
            ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, CaseReaderTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::review
