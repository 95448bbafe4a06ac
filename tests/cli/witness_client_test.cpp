// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/cli/witness_client_test.cpp: serve's tlog-witness client
// (cli/witness_client.h) against in-process witnesses decided by tlog's
// witness_add_checkpoint: cosignatures verified and kept, 409 followed with
// a consistency proof, and answers that do not verify with the configured
// key refused. Real `witness serve` processes: integration.tlog_extras.*.
#include "cli/witness_client.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "../store/temp_dir.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "tlog/witness.h"

namespace safehouse::cli {
namespace {

constexpr const char* kOrigin = "example-org/c0ffee00/log";

// A witness in memory: what it last cosigned, and how it answers.
struct FakeWitness {
  explicit FakeWitness(std::string name)
      : signer(tlog::Ed25519Key::generate(std::move(name)), [] { return 1700000000; }) {}
  tlog::CosignatureV1Signer signer;
  std::uint64_t size = 0;
  tlog::Hash root{};
  int requests = 0;
  std::vector<std::uint64_t> old_sizes;
  bool tamper = false;  // flips a bit of its cosignature
};

class WitnessClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::LogStore::open(dir_.path(), "", store::FileSystem::posix());
    ASSERT_TRUE(opened) << opened.error().message();
    log_ = std::move(*opened);
    ASSERT_TRUE(log_->create(kOrigin, log_signer_));
  }

  WitnessTransport transport() {
    return [this](const std::string& url, const std::string& body) -> Result<WitnessHttpAnswer> {
      auto found = witnesses_.find(url);
      if (found == witnesses_.end()) return Error(ErrorCode::kUnavailable, "no such witness");
      FakeWitness& w = *found->second;
      ++w.requests;
      if (auto request = tlog::parse_add_checkpoint(body)) w.old_sizes.push_back(request->old_size);
      const auto log_verifier = log_signer_.verifier();
      const tlog::NoteSigner* cosigners[] = {&w.signer};
      tlog::WitnessReply reply = tlog::witness_add_checkpoint(
          body,
          [&](std::string_view origin) -> std::optional<tlog::WitnessedLog> {
            if (origin != kOrigin) return std::nullopt;
            return tlog::WitnessedLog{{&log_verifier}, w.size, w.root};
          },
          cosigners);
      if (reply.status == 200) {
        w.size = reply.cosigned->size;
        w.root = reply.cosigned->root;
        if (w.tamper) {
          auto lines = tlog::parse_signature_lines(reply.body);
          (*lines)[0].signature.back() ^= 1;
          reply.body = tlog::format_signature_line((*lines)[0]);
        }
      }
      return WitnessHttpAnswer{reply.status, reply.body};
    };
  }

  config::WitnessSettings settings(const std::string& name, FakeWitness& w, std::string key = "") {
    const std::string url = "http://" + name + "/";
    witnesses_[url + "add-checkpoint"] = &w;
    return {name, url, key.empty() ? w.signer.verifier_key() : key};
  }

  void append(int n) {
    std::vector<Bytes> entries;
    for (int i = 0; i < n; ++i) {
      const std::string text = "entry " + std::to_string(appended_++) + "\n";
      entries.emplace_back(text.begin(), text.end());
    }
    ASSERT_TRUE(log_->append(entries, log_signer_));
  }

  std::string served() {
    auto bytes = log_->cosigned_checkpoint();
    return std::string(bytes->begin(), bytes->end());
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::LogStore> log_;
  tlog::Ed25519Signer log_signer_{tlog::Ed25519Key::generate("example-org")};
  std::map<std::string, FakeWitness*> witnesses_;
  int appended_ = 0;
};

TEST_F(WitnessClientTest, CosignaturesAreVerifiedKeptAndServed) {
  FakeWitness a("alpha"), b("beta");
  auto client = WitnessClient::create({settings("a", a), settings("b", b)}, *log_, transport());
  ASSERT_TRUE(client) << client.error().message();
  auto round = (*client)->round();
  ASSERT_TRUE(round) << round.error().message();
  ASSERT_EQ(round->size(), 2u);
  EXPECT_TRUE((*round)[0].cosigned && (*round)[1].cosigned) << (*round)[0].message;

  append(3);
  append(300);
  round = (*client)->round();
  ASSERT_TRUE(round);
  EXPECT_TRUE((*round)[0].cosigned) << (*round)[0].message;
  EXPECT_EQ(a.size, 303u);
  EXPECT_EQ(a.old_sizes, (std::vector<std::uint64_t>{0, 0}));  // 0 was cosigned, then 0 → 303

  // The served checkpoint opens with the log key and both witness keys.
  const auto log_verifier = log_signer_.verifier();
  const auto va = a.signer.verifier();
  const auto vb = b.signer.verifier();
  const tlog::NoteVerifier* others[] = {&va, &vb};
  auto opened = tlog::open_checkpoint(served(), kOrigin, log_verifier, others);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->note.verified.size(), 3u);

  // Nothing new: no request.
  const int before = a.requests;
  ASSERT_TRUE((*client)->round());
  EXPECT_EQ(a.requests, before);

  // The next one carries a consistency proof from 303.
  append(1);
  ASSERT_TRUE((*client)->round());
  EXPECT_EQ(a.old_sizes.back(), 303u);
  EXPECT_EQ(a.size, 304u);
}

TEST_F(WitnessClientTest, ConflictIsRetriedFromTheWitnessSize) {
  FakeWitness a("alpha");
  auto client = WitnessClient::create({settings("a", a)}, *log_, transport());
  ASSERT_TRUE(client);
  // Another server (or a restored database) brought the witness to size 10
  // without this database knowing.
  append(10);
  auto head = log_->head();
  ASSERT_TRUE(head);
  tlog::AddCheckpointRequest request;
  request.checkpoint = head->note;
  auto direct = transport()("http://a/add-checkpoint", tlog::format_add_checkpoint(request));
  ASSERT_TRUE(direct);
  ASSERT_EQ(direct->status, 200);
  append(7);
  // The client asks from 0, gets 409 "10", and retries from 10 with a proof.
  auto round = (*client)->round();
  ASSERT_TRUE(round);
  EXPECT_TRUE((*round)[0].cosigned) << (*round)[0].message;
  EXPECT_EQ(a.old_sizes, (std::vector<std::uint64_t>{0, 0, 10}));
  EXPECT_EQ(a.size, 17u);
  auto all = log_->cosignatures();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].size, 17u);
}

TEST_F(WitnessClientTest, WrongKeyAndBadSignatureAreRefused) {
  FakeWitness liar("liar"), tampering("tampering"), other("other");
  tampering.tamper = true;
  auto client = WitnessClient::create(
      {settings("liar", liar, other.signer.verifier_key()), settings("tampering", tampering)},
      *log_, transport());
  ASSERT_TRUE(client);
  append(2);
  auto round = (*client)->round();
  ASSERT_TRUE(round);
  EXPECT_FALSE((*round)[0].cosigned);
  EXPECT_NE((*round)[0].message.find("no cosignature from its configured key"), std::string::npos)
      << (*round)[0].message;
  EXPECT_FALSE((*round)[1].cosigned);
  EXPECT_NE((*round)[1].message.find("does not verify"), std::string::npos) << (*round)[1].message;
  auto all = log_->cosignatures();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  auto bare = log_->read("checkpoint");
  ASSERT_TRUE(bare);
  EXPECT_EQ(served(), std::string(bare->begin(), bare->end()));
  // Not asked again at once.
  const int before = liar.requests;
  ASSERT_TRUE((*client)->round());
  EXPECT_EQ(liar.requests, before);
}

TEST_F(WitnessClientTest, KeyThatIsNotACosignatureKeyIsRefused) {
  FakeWitness a("alpha");
  auto client =
      WitnessClient::create({settings("a", a, log_signer_.verifier_key())}, *log_, transport());
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().message().find("cosignature/v1"), std::string::npos);
}

}  // namespace
}  // namespace safehouse::cli
