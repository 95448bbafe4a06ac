// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/statement_cosign_test.cpp: observers' cosignatures of
// statements are C2SP cosignature/v1 (key type 0x04) over the statement's
// text, checked with the observer's recorded key (review/log_publisher.h):
// a good one is kept and served; a plain Ed25519 signature by the same key,
// one over another text, a tampered one or one by a key nobody accredited
// are refused; an observer recorded with an older Ed25519 (0x01) key line
// is checked as cosignature/v1 with the same public key. SQLite, no server.
#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "age/x25519.h"
#include "review/log_publisher.h"
#include "store/file_system.h"
#include "tlog/cosignature.h"
#include "tlog/encoding.h"
#include "tlog/note.h"

namespace safehouse::review {
namespace {

constexpr std::uint64_t kTime = 1'790'000'000;

class StatementCosign : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = store::LogStore::open(dir_.path(), "", store::FileSystem::posix());
    ASSERT_TRUE(log) << log.error().message();
    log_ = std::move(*log);
    ASSERT_TRUE(log_->create("example/c74f20a3/log", log_signer_));
    ASSERT_TRUE(add_observer(*log_, record("ngo-watch", identity_, cosigner().verifier_key())));
    auto period = tlog::parse_period("2026");
    ASSERT_TRUE(period);
    auto statement = publish_statement(*log_, log_signer_, *period, 10, 20261205);
    ASSERT_TRUE(statement) << statement.error().message();
    statement_ = *statement;
    auto note = tlog::parse_note(statement_.note);
    ASSERT_TRUE(note);
    text_ = note->text;
  }

  static store::ObserverRecord record(std::string name, const age::X25519Identity& identity,
                                      std::string key) {
    return {std::move(name), identity.recipient().to_string(), std::move(key), 20261205};
  }

  tlog::CosignatureV1Signer cosigner() const {
    return observer_cosigner(identity_, "ngo-watch", [] { return kTime; });
  }

  std::string signed_by(const tlog::NoteSigner& signer, std::string_view text) const {
    const tlog::NoteSigner* signers[] = {&signer};
    auto note = tlog::sign_note(text, signers);
    EXPECT_TRUE(note);
    return *note;
  }

  Result<std::string> served() {
    std::string note;
    SAFEHOUSE_TRY_VOID(log_->read_with([&](store::SqlSession& db) -> Result<void> {
      note = SAFEHOUSE_TRY(statement_with_cosignatures(db, statement_.id));
      return {};
    }));
    return note;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::LogStore> log_;
  const tlog::Ed25519Signer log_signer_{tlog::Ed25519Key::generate("example")};
  const age::X25519Identity identity_ = age::X25519Identity::generate();
  PublishedStatement statement_;
  std::string text_;
};

TEST_F(StatementCosign, KeygenKeyIsCosignatureV1) {
  auto key = tlog::parse_verifier_key_parts(cosigner().verifier_key());
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type, tlog::kKeyTypeCosignatureV1);
  EXPECT_EQ(key->name, "ngo-watch");
}

TEST_F(StatementCosign, CosignatureV1IsKeptAndServed) {
  const auto signer = cosigner();
  auto kept = add_cosignatures(*log_, statement_.id, signed_by(signer, text_));
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_EQ(*kept, std::vector<std::string>{"ngo-watch"});

  auto note = served();
  ASSERT_TRUE(note);
  // The log's signature and the observer's, which any cosignature/v1
  // verifier checks over the statement's text, time included.
  const auto verifier = signer.verifier();
  auto log_verifier = log_signer_.verifier();
  const tlog::NoteVerifier* known[] = {&log_verifier, &verifier};
  auto opened = tlog::open_note(*note, known);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->verified.size(), 2u);
  const auto& signature = opened->verified[1].signature;
  EXPECT_EQ(opened->verified[1].verifier, &verifier);
  EXPECT_EQ(tlog::cosignature_time(signature.signature), kTime);
  const std::string message = tlog::cosignature_message(kTime, text_);
  EXPECT_EQ(message.rfind("cosignature/v1\ntime 1790000000\nsafehouse/statement/v1\n", 0), 0u);
}

TEST_F(StatementCosign, PlainEd25519SignatureIsNotACosignature) {
  // The same Ed25519 key, signing the statement as a plain note (type
  // 0x01): another key ID, so no accredited observer signed it.
  const tlog::Ed25519Signer plain(observer_signing_key(identity_, "ngo-watch"));
  auto kept = add_cosignatures(*log_, statement_.id, signed_by(plain, text_));
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code(), ErrorCode::kNoMatch);
}

TEST_F(StatementCosign, OtherTextTamperedOrUnknownKeyIsRefused) {
  const auto signer = cosigner();
  std::string other = text_;
  other.replace(other.find("threshold 10"), 12, "threshold 11");
  auto kept = add_cosignatures(*log_, statement_.id, signed_by(signer, other));
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code(), ErrorCode::kInvalidArgument);

  // A cosignature whose signature bytes were changed (the time, here).
  std::string note = signed_by(signer, text_);
  const auto at = note.rfind(' ') + 1;
  auto bytes = tlog::base64_decode(std::string_view(note).substr(at, note.size() - at - 1));
  ASSERT_TRUE(bytes);
  (*bytes)[4 + 7] ^= 1;  // past the key ID: the timestamp's last byte
  note = note.substr(0, at) + tlog::base64_encode(*bytes) + "\n";
  kept = add_cosignatures(*log_, statement_.id, note);
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code(), ErrorCode::kIntegrity);

  const auto stranger = observer_cosigner(age::X25519Identity::generate(), "ngo-watch");
  kept = add_cosignatures(*log_, statement_.id, signed_by(stranger, text_));
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code(), ErrorCode::kNoMatch);

  auto served_note = served();
  ASSERT_TRUE(served_note);
  EXPECT_EQ(*served_note, statement_.note) << "nothing refused was kept";
}

TEST_F(StatementCosign, ObserverRecordedWithAnEd25519KeyCosignsAsV1) {
  const age::X25519Identity older = age::X25519Identity::generate();
  const tlog::Ed25519Signer plain(observer_signing_key(older, "old-watch"));
  ASSERT_TRUE(add_observer(*log_, record("old-watch", older, plain.verifier_key())));
  const auto v1 = observer_cosigner(older, "old-watch", [] { return kTime; });
  auto kept = add_cosignatures(*log_, statement_.id, signed_by(v1, text_));
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_EQ(*kept, std::vector<std::string>{"old-watch"});
  kept = add_cosignatures(*log_, statement_.id, signed_by(plain, text_));
  EXPECT_FALSE(kept) << "its plain Ed25519 signature is refused";
}

TEST_F(StatementCosign, ObserverKeyMustBeNamedForIt) {
  const age::X25519Identity other = age::X25519Identity::generate();
  const auto v1 = observer_cosigner(other, "someone-else");
  EXPECT_FALSE(add_observer(*log_, record("watcher", other, v1.verifier_key())));
}

}  // namespace
}  // namespace safehouse::review
