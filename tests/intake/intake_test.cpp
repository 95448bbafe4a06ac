// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/intake_test.cpp: end to end without HTTP. An installation is
// created in a temporary directory; a source makes first contact (a message,
// claims and two files, one large enough to spill to a blob), follows up and
// reads a reply; a reviewer decrypts everything with the identity `init`
// sealed with a passphrase. Also: what fails changes nothing. Every test
// runs on both engines (SQLite in the data directory; PostgreSQL with its
// blobs in the database, on SAFEHOUSE_TEST_POSTGRES_URL's cluster).
#include "intake/intake.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../store/engines.h"
#include "age/age.h"
#include "age/identity_file.h"
#include "age/scrypt.h"
#include "config/installation.h"
#include "intake/item_reader.h"
#include "intake/sources.h"
#include "store/faulty_file_system.h"
#include "store/pack_blob_store.h"

namespace safehouse::intake {
namespace {

namespace fs = std::filesystem;

constexpr store::Day kToday = 20261125;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed ^ (i * 7));
  return bytes;
}

// Every regular file under `dir`, whole.
std::string all_file_bytes(const fs::path& dir) {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) all += read_text(entry.path());
  }
  return all;
}

using store::testing::Engine;

class IntakeTest : public ::testing::TestWithParam<Engine> {
 protected:
  IntakeTest() : db_(GetParam()) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(db_.require());
    root_ = db_.root();
    dir_ = db_.dir();
    config::InitOptions options;
    options.organisation_name = "Test Org";
    options.demo = true;
    options.scrypt_work_factor = 10;  // fast; production uses 18
    options.database = db_.database();
    auto created = config::create_installation(dir_, options, store::FileSystem::posix());
    ASSERT_TRUE(created) << created.error().message();
    init_ = std::make_unique<config::InitResult>(std::move(*created));
    auto opened = config::Installation::open(dir_, store::FileSystem::posix());
    ASSERT_TRUE(opened) << opened.error().message();
    installation_ = std::move(*opened);
    IntakeOptions intake_options;
    intake_options.recipients = installation_->recipients();
    intake_options.limits.max_message_bytes = 100'000;
    intake_options.today = [] { return kToday; };
    intake_ = std::make_unique<Intake>(installation_->store(), std::move(intake_options));
  }
  void TearDown() override {
    intake_.reset();
    installation_.reset();
  }

  // Blobs the installation holds (read as another process would).
  std::size_t blob_files() const { return db_.blob_count(); }

  // The reviewer identity, unsealed the way a reviewer would: the
  // passphrase `init` printed opens reviewers/reviewer.age.
  std::unique_ptr<age::Identity> reviewer_identity() {
    const std::string sealed = read_text(dir_ / "reviewers" / "reviewer.age");
    age::ScryptIdentity passphrase(
        crypto::SecretBytes::copy_of(init_->reviewer_passphrase.reveal()));
    const age::Identity* identities[] = {&passphrase};
    SpanSource in(as_bytes(sealed));
    Bytes text;
    VectorSink out(text);
    EXPECT_TRUE(age::decrypt(identities, in, out));
    auto parsed = age::parse_identity_file(
        std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
    EXPECT_TRUE(parsed);
    EXPECT_EQ(parsed->size(), 1U);
    return std::move(parsed->front());
  }

  Frame read(store::ItemId item, const age::Identity& identity) {
    const age::Identity* identities[] = {&identity};
    Frame frame;
    auto header = read_item(installation_->store(), item, identities, frame.content, 1 << 24);
    EXPECT_TRUE(header) << header.error().message();
    if (header) frame.header = *header;
    return frame;
  }

  Receipt first_contact(const codename::SourceKeys& keys, const Bytes& big_file) {
    auto submission = intake_->start_first_contact(
        NewSource{keys.source_id, keys.reply_identity.recipient()}, "fa");
    EXPECT_TRUE(submission->append_text(TextField::kMessage, as_bytes("I want to ")));
    EXPECT_TRUE(submission->append_text(TextField::kMessage, as_bytes("talk.")));
    EXPECT_TRUE(submission->append_text(TextField::kClaimBranch, as_bytes("police")));
    EXPECT_TRUE(submission->append_text(TextField::kClaimUnit, as_bytes("unit 7")));
    EXPECT_TRUE(submission->append_text(TextField::kClaimRank, as_bytes("sergeant")));
    EXPECT_TRUE(submission->append_text(TextField::kClaimRegion, as_bytes("north")));
    EXPECT_TRUE(submission->begin_file("notes.txt", "text/plain"));
    EXPECT_TRUE(submission->append_file(as_bytes("small file")));
    EXPECT_TRUE(submission->end_file());
    EXPECT_TRUE(submission->begin_file("", "application/octet-stream"));  // empty input
    EXPECT_TRUE(submission->end_file());
    EXPECT_TRUE(submission->begin_file("video.mp4", "video/mp4"));
    for (std::size_t i = 0; i < big_file.size(); i += 10'000) {
      EXPECT_TRUE(submission->append_file(
          ByteSpan(big_file).subspan(i, std::min<std::size_t>(10'000, big_file.size() - i))));
    }
    EXPECT_TRUE(submission->end_file());
    auto receipt = submission->commit();
    EXPECT_TRUE(receipt) << receipt.error().message();
    return receipt ? *receipt : Receipt{};
  }

  store::testing::EngineInstallation db_;  // first: outlives the store
  fs::path root_, dir_;
  std::unique_ptr<config::InitResult> init_;
  std::unique_ptr<config::Installation> installation_;
  std::unique_ptr<Intake> intake_;
};

TEST_P(IntakeTest, InitWritesTheInstallation) {
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(dir_ / "keys" / "log.key.age").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(installation_->config().organisation_name, "Test Org");
  EXPECT_EQ(installation_->verifier_key(), init_->verifier_key);
  EXPECT_TRUE(init_->verifier_key.starts_with("test-org+"));
  ASSERT_EQ(installation_->recipient_strings().size(), 1U);
  EXPECT_EQ(installation_->recipient_strings()[0], init_->reviewer_recipient);
  // The sealed identity and the demo copy are the same key.
  auto demo = age::parse_identity_file(read_text(dir_ / "demo-reviewer.key")).value();
  auto reviewer = reviewer_identity();
  EXPECT_NE(read_text(dir_ / "demo-reviewer.key").find(init_->reviewer_recipient),
            std::string::npos);
  // The passphrase is never stored.
  const std::string passphrase(init_->reviewer_passphrase.reveal().begin(),
                               init_->reviewer_passphrase.reveal().end());
  EXPECT_EQ(all_file_bytes(dir_).find(passphrase), std::string::npos);
}

TEST_P(IntakeTest, InitRefusesAnExistingInstallation) {
  auto again = config::create_installation(dir_, {}, store::FileSystem::posix());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(fs::exists(dir_ / "config.toml"));
  auto missing = config::Installation::open(root_ / "nothing", store::FileSystem::posix());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("safehouse init"), std::string::npos);
  if (GetParam() == Engine::kPostgres) {
    // A database that holds an installation is joined, never re-created.
    config::InitOptions again_options;
    again_options.scrypt_work_factor = 10;
    again_options.database = db_.database();
    auto second =
        config::create_installation(root_ / "second", again_options, store::FileSystem::posix());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), ErrorCode::kConflict) << second.error().message();
    EXPECT_FALSE(fs::exists(root_ / "second" / "config.toml"));
  }
}

TEST_P(IntakeTest, FirstContactFollowUpAndReply) {
  const codename::Codename codename = codename::Codename::generate();
  const codename::SourceKeys keys = codename::derive_source_keys(codename);
  const Bytes big_file = pattern(200'000, 5);
  const Receipt receipt = first_contact(keys, big_file);
  ASSERT_EQ(receipt.item_ids.size(), 3U);  // message, notes.txt, video.mp4

  auto& store = installation_->store();
  const store::CaseRecord record = store.get_case(receipt.case_id).value();
  EXPECT_EQ(record.status, store::CaseStatus::kReceived);
  EXPECT_EQ(record.source_id, keys.source_id);
  EXPECT_EQ(record.created_day, kToday);
  EXPECT_EQ(record.item_count, 3);
  const store::SourceRecord source = store.get_source(keys.source_id).value();
  EXPECT_NE(source.alias.find('-'), std::string::npos);
  EXPECT_EQ(reply_recipient(store, keys.source_id)->to_string(),
            keys.reply_identity.recipient().to_string());
  EXPECT_EQ(source.reply_recipient, keys.reply_identity.recipient().to_string());
  const auto items = store.list_items(receipt.case_id).value();
  EXPECT_EQ(items[0].location, store::BodyLocation::kInline);
  EXPECT_EQ(items[2].location, store::BodyLocation::kBlob);
  EXPECT_EQ(blob_files(), 1U);

  auto reviewer = reviewer_identity();
  Frame message = read(receipt.item_ids[0], *reviewer);
  EXPECT_EQ(message.header.kind, ItemKind::kMessage);
  EXPECT_EQ(message.header.language, "fa");
  EXPECT_EQ(message.header.claims, (Claims{"police", "unit 7", "sergeant", "north"}));
  EXPECT_EQ(std::string(message.content.begin(), message.content.end()), "I want to talk.");
  Frame notes = read(receipt.item_ids[1], *reviewer);
  EXPECT_EQ(notes.header.file_name, "notes.txt");
  EXPECT_EQ(std::string(notes.content.begin(), notes.content.end()), "small file");
  Frame video = read(receipt.item_ids[2], *reviewer);
  EXPECT_EQ(video.header.kind, ItemKind::kFile);
  EXPECT_EQ(video.header.media_type, "video/mp4");
  EXPECT_EQ(video.content, big_file);
  // Sizes are padded: the stored ciphertext reveals only the Padmé bucket.
  EXPECT_GT(items[2].ciphertext_size, big_file.size());

  // The source comes back with the codename as typed, and follows up.
  auto signed_in = intake_->sign_in(codename.render(codename::Language::kEnglish));
  ASSERT_TRUE(signed_in) << signed_in.error().message();
  EXPECT_EQ(signed_in->source_id, keys.source_id);
  auto follow_up = intake_->start_follow_up(signed_in->source_id, "en").value();
  ASSERT_TRUE(follow_up->append_text(TextField::kMessage, as_bytes("one more thing")));
  EXPECT_FALSE(follow_up->append_text(TextField::kClaimRank, as_bytes("general")));
  const Receipt second = follow_up->commit().value();
  EXPECT_EQ(second.case_id, receipt.case_id);
  ASSERT_EQ(second.item_ids.size(), 1U);
  Frame more = read(second.item_ids[0], *reviewer);
  EXPECT_FALSE(more.header.claims.has_value());
  EXPECT_EQ(std::string(more.content.begin(), more.content.end()), "one more thing");

  // A reviewer replies; the source reads it with the identity from sign-in.
  const store::ItemId reply =
      intake_->send_reply(receipt.case_id, "ممنون. Thank you.", "fa").value();
  EXPECT_EQ(store.get_item(reply)->direction, store::Direction::kReviewer);
  auto replies = intake_->replies(signed_in->source_id, signed_in->reply_identity);
  ASSERT_TRUE(replies) << replies.error().message();
  ASSERT_EQ(replies->size(), 1U);
  EXPECT_EQ((*replies)[0].text, "ممنون. Thank you.");
  EXPECT_EQ(format_day((*replies)[0].day), "2026-11-25");
  // ... and so can the reviewers (the reply is also encrypted to them).
  Frame reply_frame = read(reply, *reviewer);
  EXPECT_EQ(reply_frame.header.kind, ItemKind::kReply);

  EXPECT_EQ(store.get_case(receipt.case_id)->item_count, 5);
  const IntakeStats stats = intake_->stats();
  EXPECT_EQ(stats.submissions, 2U);
  EXPECT_EQ(stats.first_contacts, 1U);
  EXPECT_EQ(stats.items, 5U);
  EXPECT_EQ(stats.replies, 1U);

  // No plaintext at rest, no codename at rest: in the data directory, and
  // on PostgreSQL in the whole database (pg_dump; its bytea values are hex,
  // so each secret is looked for as hex too).
  std::string disk = all_file_bytes(dir_);
  if (GetParam() == Engine::kPostgres) {
    const char* bin = std::getenv("SAFEHOUSE_TEST_POSTGRES_BIN");
    ASSERT_NE(bin, nullptr) << "SAFEHOUSE_TEST_POSTGRES_BIN (pg_dump's folder) is not set";
    const fs::path dump = root_ / "dump.sql";
    const std::string command = std::string(bin) + "/pg_dump --data-only --no-owner -f '" +
                                dump.string() + "' '" + db_.database() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    const std::string dumped = read_text(dump);
    EXPECT_NE(dumped.find("COPY public.items"), std::string::npos);
    disk += dumped;
  }
  auto hex = [](std::string_view text) {
    std::string out;
    for (unsigned char c : text)
      out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
    return out;
  };
  const std::string words = codename.render(codename::Language::kEnglish);
  const std::string_view secrets[] = {"I want to", "small file", "one more thing", "sergeant",
                                      "notes.txt", "video.mp4",  "Thank you",      words};
  for (std::string_view secret : secrets) {
    EXPECT_EQ(disk.find(secret), std::string::npos) << secret;
    EXPECT_EQ(disk.find(hex(secret)), std::string::npos) << secret;
  }
}

TEST_P(IntakeTest, SignInFailsTheSameForUnknownAndMalformedCodenames) {
  auto unknown =
      intake_->sign_in(codename::Codename::generate().render(codename::Language::kPersian));
  auto malformed_codename = intake_->sign_in("not a codename at all");
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(malformed_codename);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(malformed_codename.error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(unknown.error().message(), malformed_codename.error().message());
}

// /metrics publishes source events per complete UTC day only: today's count
// becomes visible when the day is over, and a day without events reads 0.
TEST_P(IntakeTest, PreviousDayCountsMoveOnlyWhenTheDayEnds) {
  store::Day today = 20261130;
  IntakeOptions options;
  options.recipients = installation_->recipients();
  options.today = [&today] { return today; };
  Intake intake(installation_->store(), std::move(options));
  for (int i = 0; i < 2; ++i) {
    const auto keys = codename::derive_source_keys(codename::Codename::generate());
    auto submission = intake.start_first_contact(
        NewSource{keys.source_id, keys.reply_identity.recipient()}, "en");
    ASSERT_TRUE(submission->append_text(TextField::kMessage, as_bytes("hello")));
    ASSERT_TRUE(submission->commit());
  }
  EXPECT_EQ(intake.stats().submissions, 2U);
  EXPECT_EQ(intake.stats().previous_day.submissions, 0U);  // the day is not over
  today = 20261201;                                        // across a month end
  EXPECT_EQ(intake.stats().previous_day.submissions, 2U);
  EXPECT_EQ(intake.stats().previous_day.first_contacts, 2U);
  today = 20261203;  // a day without events in between
  EXPECT_EQ(intake.stats().previous_day.submissions, 0U);
}

TEST_P(IntakeTest, AnUncommittedSubmissionLeavesNothing) {
  const codename::SourceKeys keys = codename::derive_source_keys(codename::Codename::generate());
  {
    auto submission = intake_->start_first_contact(
        NewSource{keys.source_id, keys.reply_identity.recipient()}, "en");
    ASSERT_TRUE(submission->begin_file("a.bin", "application/octet-stream"));
    ASSERT_TRUE(submission->append_file(pattern(150'000, 1)));
    ASSERT_TRUE(submission->end_file());  // a finished blob...
    ASSERT_TRUE(submission->begin_file("b.bin", "application/octet-stream"));
    ASSERT_TRUE(submission->append_file(pattern(150'000, 2)));  // ...and one mid-way
    EXPECT_EQ(blob_files(), 1U);
  }  // the connection broke: the submission is dropped
  EXPECT_EQ(blob_files(), 0U);
  if (GetParam() == Engine::kSqlite) {
    // Neither blob's bytes stay on the disk (both were punched out of the pack).
    struct stat pack {};
    ASSERT_EQ(::stat((dir_ / "blobs" / store::kPackFileName).c_str(), &pack), 0);
    EXPECT_LT(pack.st_blocks * 512, 64 * 1024);
  } else {
    // Neither blob left a chunk row (the unfinished one was rolled back).
    EXPECT_EQ(db_.sql("SELECT count(*) FROM blob_chunks"), "0");
  }
  EXPECT_EQ(installation_->store().get_source(keys.source_id).error().code(), ErrorCode::kNotFound);
}

TEST_P(IntakeTest, RefusesEmptyAndOversizedSubmissions) {
  const codename::SourceKeys keys = codename::derive_source_keys(codename::Codename::generate());
  const NewSource source{keys.source_id, keys.reply_identity.recipient()};
  auto empty = intake_->start_first_contact(source, "en");
  EXPECT_EQ(empty->commit().error().message(), "submission: nothing to send");

  auto large = intake_->start_first_contact(source, "en");
  EXPECT_TRUE(large->append_text(TextField::kMessage, pattern(100'000, 1)));
  EXPECT_EQ(large->append_text(TextField::kMessage, pattern(1, 1)).error().code(),
            ErrorCode::kTooLarge);
  EXPECT_EQ(
      large->append_text(TextField::kClaimUnit, pattern(kMaxClaimBytes + 1, 1)).error().code(),
      ErrorCode::kTooLarge);

  auto branch = intake_->start_first_contact(source, "en");
  EXPECT_TRUE(branch->append_text(TextField::kClaimBranch, as_bytes("navy")));
  EXPECT_EQ(branch->commit().error().message(), "submission: unknown branch");

  // Invalid UTF-8, even split across pieces, is refused whole.
  auto bad_text = intake_->start_first_contact(source, "en");
  EXPECT_TRUE(bad_text->append_text(TextField::kMessage, as_bytes("caf\xC3")));
  EXPECT_TRUE(bad_text->append_text(TextField::kMessage, as_bytes("\xA9 ok")));
  EXPECT_TRUE(bad_text->append_text(TextField::kMessage, as_bytes(" \xC0\xAF")));
  auto refused = bad_text->commit();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(refused.error().message(), "submission: the message is not valid UTF-8");
  auto bad_claim = intake_->start_first_contact(source, "en");
  EXPECT_TRUE(bad_claim->append_text(TextField::kClaimRank, as_bytes("\xFF")));
  EXPECT_EQ(bad_claim->commit().error().message(), "submission: a claim is not valid UTF-8");

  EXPECT_EQ(intake_->start_follow_up(keys.source_id, "en").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(installation_->store().stats().batches, 0U);
}

// Invariant 5: the source is told "received" only after the records are
// durable. A failing fsync (SQLite) or a connection cut during COMMIT
// (PostgreSQL: a deferred trigger ends the server process running the
// COMMIT) fails the commit; since its outcome is then unknown (the records
// may be there), the blob stays. PostgreSQL's store then goes on without a
// restart on a new connection.
TEST_P(IntakeTest, NoAcknowledgementWithoutDurability) {
  intake_.reset();
  installation_.reset();
  store::FaultyFileSystem faulty(store::FileSystem::posix());
  installation_ = config::Installation::open(dir_, faulty).value();
  IntakeOptions options;
  options.recipients = installation_->recipients();
  Intake intake(installation_->store(), std::move(options));
  const codename::SourceKeys keys = codename::derive_source_keys(codename::Codename::generate());
  auto submission =
      intake.start_first_contact(NewSource{keys.source_id, keys.reply_identity.recipient()}, "en");
  ASSERT_TRUE(submission->begin_file("a.bin", "application/octet-stream"));
  ASSERT_TRUE(submission->append_file(pattern(100'000, 3)));
  ASSERT_TRUE(submission->end_file());  // the blob is durable...
  EXPECT_EQ(blob_files(), 1U);
  // ...but the database commit is not.
  if (GetParam() == Engine::kSqlite) {
    faulty.fail_sync(1, /*sticky=*/true);
  } else {
    db_.sql(
        "CREATE FUNCTION cut_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(10); RETURN NULL; "
        "END $$; CREATE CONSTRAINT TRIGGER cut_commit AFTER INSERT ON items DEFERRABLE "
        "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cut_commit()");
  }
  auto receipt = submission->commit();
  ASSERT_FALSE(receipt);
  // kIo: SQLite's store now refuses writes until reopened; kOutcomeUnknown:
  // PostgreSQL's takes a new connection.
  EXPECT_EQ(receipt.error().code(),
            GetParam() == Engine::kSqlite ? ErrorCode::kIo : ErrorCode::kOutcomeUnknown)
      << receipt.error().message();
  submission.reset();
  EXPECT_EQ(blob_files(), 1U);
  EXPECT_EQ(intake.stats().submissions, 0U);
  if (GetParam() == Engine::kPostgres) {
    EXPECT_NE(receipt.error().message().find("outcome unknown"), std::string::npos);
    db_.sql("DROP TRIGGER cut_commit ON items; DROP FUNCTION cut_commit()");
    auto again = intake.start_first_contact(
        NewSource{keys.source_id, keys.reply_identity.recipient()}, "en");
    ASSERT_TRUE(again->append_text(TextField::kMessage, as_bytes("still here")));
    auto second = again->commit();
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(installation_->store().get_case(second->case_id)->item_count, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, IntakeTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::intake
