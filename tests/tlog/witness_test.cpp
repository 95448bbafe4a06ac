// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/witness_test.cpp: tlog-witness add-checkpoint against the
// vectors (request bytes, and a response identical to the vector's), every
// status the spec names, malformed bodies, and the client's reading.
#include "tlog/witness.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

const std::filesystem::path kTilesLog = data_dir() / "generated/tiles-log";

class Witness : public ::testing::Test {
 protected:
  Witness() {
    const auto seed_text = std::string(v.at("witness_ed25519_seed_is_sha256_of").as_string());
    const auto seed = crypto::sha256(bytes_of(seed_text));
    cosigner.emplace(Ed25519Key::from_seed(std::string(v.at("witness_name").as_string()), seed),
                     [] { return std::uint64_t{1700000000}; });
    state.keys = {log_key.get()};
    state.size = 600;
    state.root = checkpoint_root("checkpoint.600");
  }
  Hash checkpoint_root(const std::string& name) {
    return parse_checkpoint(parse_note(read_text(kTilesLog / name)).value().text).value().root;
  }
  WitnessReply add(std::string_view body) {
    const NoteSigner* signers[] = {&*cosigner};
    return witness_add_checkpoint(
        body,
        [&](std::string_view origin) -> std::optional<WitnessedLog> {
          if (origin != "example.com/tlog-vectors") return std::nullopt;
          return state;
        },
        signers);
  }

  boost::json::object v = read_json(kTilesLog / "vectors.json").as_object();
  std::unique_ptr<NoteVerifier> log_key = parse_verifier_key(v.at("log_vkey").as_string()).value();
  std::optional<CosignatureV1Signer> cosigner;
  WitnessedLog state;
  std::string request = read_text(kTilesLog / "witness/add-checkpoint.request.txt");
};

TEST_F(Witness, RequestVectorParsesAndFormatsBack) {
  const auto parsed = parse_add_checkpoint(request).value();
  EXPECT_EQ(parsed.old_size, 600u);
  ASSERT_EQ(parsed.proof.size(), 8u);
  EXPECT_EQ(parsed.proof[0], hash_of(v.at("consistency_600_1000").as_array()[0].as_string()));
  EXPECT_EQ(parsed.checkpoint, read_text(kTilesLog / "checkpoint.1000"));
  EXPECT_EQ(format_add_checkpoint(parsed), request);
}

TEST_F(Witness, CosignsTheVectorExactly) {
  const auto reply = add(request);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, read_text(kTilesLog / "witness/add-checkpoint.response.txt"));
  ASSERT_TRUE(reply.cosigned);
  EXPECT_EQ(reply.cosigned->size, 1000u);
  // The client side: the answer's lines attach to the checkpoint and verify.
  const auto answer = read_witness_answer(200, reply.body).value();
  ASSERT_EQ(answer.kind, WitnessAnswer::Kind::kCosigned);
  const std::string cosigned =
      add_signatures(read_text(kTilesLog / "checkpoint.1000"), answer.cosignatures).value();
  EXPECT_EQ(cosigned, read_text(kTilesLog / "checkpoint.1000.cosigned"));
}

TEST_F(Witness, StatusCodes) {
  auto parsed = parse_add_checkpoint(request).value();
  // 404: an origin the witness does not know.
  {
    std::string body = request;
    body.replace(body.find("example.com/tlog-vectors"), 24, "example.com/other-log!!!");
    EXPECT_EQ(add(body).status, 404);
  }
  // 403: signed by a key the witness does not trust for the origin.
  {
    const Ed25519Signer stranger(Ed25519Key::generate("example.com/tlog-vectors"));
    const NoteSigner* signers[] = {&stranger};
    auto forged = parsed;
    forged.checkpoint = sign_note(parse_note(parsed.checkpoint).value().text, signers).value();
    EXPECT_EQ(add(format_add_checkpoint(forged)).status, 403);
    // A known key whose signature does not verify.
    forged.checkpoint = parsed.checkpoint;
    forged.checkpoint.replace(forged.checkpoint.find("z24uk"), 5, "y24uk");
    EXPECT_EQ(add(format_add_checkpoint(forged)).status, 403);
  }
  // 400: old size above the checkpoint's.
  {
    auto bigger = parsed;
    bigger.old_size = 1001;
    const auto reply = add(format_add_checkpoint(bigger));
    EXPECT_EQ(reply.status, 400);
    EXPECT_FALSE(reply.cosigned);
  }
  // 409: the old size is not the one last cosigned; body gives it.
  {
    state.size = 500;
    const auto reply = add(request);
    EXPECT_EQ(reply.status, 409);
    EXPECT_EQ(reply.body, "500\n");
    EXPECT_EQ(reply.content_type, "text/x.tlog.size");
    const auto answer = read_witness_answer(reply.status, reply.body).value();
    EXPECT_EQ(answer.kind, WitnessAnswer::Kind::kConflict);
    EXPECT_EQ(answer.witness_size, 500u);
    state.size = 600;
  }
  // 409: same size, another root (a fork).
  {
    state.size = 1000;
    state.root = leaf_hash(bytes_of("fork"));
    auto same = parsed;
    same.old_size = 1000;
    same.proof.clear();
    EXPECT_EQ(add(format_add_checkpoint(same)).status, 409);
    state.root = checkpoint_root("checkpoint.1000");
    EXPECT_EQ(add(format_add_checkpoint(same)).status, 200);
    state.size = 600;
    state.root = checkpoint_root("checkpoint.600");
  }
  // 422: a proof that does not verify, or the witness's root is another.
  {
    auto broken = parsed;
    broken.proof[3][0] ^= 1;
    const auto reply = add(format_add_checkpoint(broken));
    EXPECT_EQ(reply.status, 422);
    EXPECT_FALSE(reply.cosigned);
    state.root = leaf_hash(bytes_of("forked history"));
    EXPECT_EQ(add(request).status, 422);
    state.root = checkpoint_root("checkpoint.600");
    broken = parsed;
    broken.proof.pop_back();
    EXPECT_EQ(add(format_add_checkpoint(broken)).status, 422);
  }
  // 422: a proof from size 0 must be empty; from 0 without one, 200.
  {
    state.size = 0;
    auto from_zero = parsed;
    from_zero.old_size = 0;
    EXPECT_EQ(add(format_add_checkpoint(from_zero)).status, 422);
    from_zero.proof.clear();
    EXPECT_EQ(add(format_add_checkpoint(from_zero)).status, 200);
  }
}

TEST_F(Witness, MalformedRequestsAre400) {
  const std::string cp = read_text(kTilesLog / "checkpoint.1000");
  for (const std::string& bad : std::vector<std::string>{
           std::string(""), std::string("old 600"), "old 600\n" + cp, "old 0600\n\n" + cp,
           "old -1\n\n" + cp, "Old 600\n\n" + cp, "old  600\n\n" + cp, "old 600\nAAAA\n\n" + cp,
           "old 600\n\n", "old 600\nnot base64!\n\n" + cp, "old 600\n\nnot a note\n"}) {
    const auto reply = add(bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_TRUE(reply.body.starts_with("add-checkpoint: ")) << reply.body;
  }
  std::string many = "old 600\n";
  for (int i = 0; i < 64; ++i) many += "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
  auto parsed = parse_add_checkpoint(many + "\n" + cp);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "add-checkpoint: more than 63 proof lines");
}

TEST(WitnessAnswer, ClientReading) {
  using Kind = WitnessAnswer::Kind;
  EXPECT_EQ(read_witness_answer(404, "").value().kind, Kind::kUnknownOrigin);
  EXPECT_EQ(read_witness_answer(403, "").value().kind, Kind::kNotSigned);
  EXPECT_EQ(read_witness_answer(400, "").value().kind, Kind::kBadRequest);
  EXPECT_EQ(read_witness_answer(422, "").value().kind, Kind::kRejected);
  EXPECT_FALSE(read_witness_answer(409, "12"));
  EXPECT_FALSE(read_witness_answer(409, "012\n"));
  EXPECT_FALSE(read_witness_answer(200, "not a signature\n"));
  EXPECT_FALSE(read_witness_answer(200, ""));
  EXPECT_EQ(read_witness_answer(500, "").error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace safehouse::tlog
