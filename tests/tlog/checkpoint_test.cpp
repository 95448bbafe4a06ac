// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/checkpoint_test.cpp: the 16 serverless-log checkpoints, the
// generated log's checkpoints (signed and cosigned), reproducing both
// signatures from the vectors' keys, and malformed checkpoints.
#include "tlog/checkpoint.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

const std::filesystem::path kTilesLog = data_dir() / "generated/tiles-log";

boost::json::object tiles_vectors() {
  return read_json(kTilesLog / "vectors.json").as_object();
}

Ed25519Key key_from_seed_text(std::string name, std::string_view seed_text) {
  const auto seed = crypto::sha256(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(seed_text.data()), seed_text.size()));
  return Ed25519Key::from_seed(std::move(name), seed);
}

TEST(Checkpoint, ServerlessLogCheckpoints) {
  const auto dir = data_dir() / "serverless-log";
  const std::string keys = read_text(dir / "keys.txt");
  const auto key =
      parse_verifier_key("astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b").value();
  ASSERT_NE(keys.find("astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b"),
            std::string::npos);
  // leaves.txt: one entry per line.
  std::vector<Hash> leaves;
  const std::string lines = read_text(dir / "leaves.txt");
  for (std::size_t at = 0; at < lines.size();) {
    const auto end = lines.find('\n', at);
    leaves.push_back(leaf_hash(bytes_of(lines.substr(at, end - at))));
    at = end == std::string::npos ? lines.size() : end + 1;
  }
  ASSERT_EQ(leaves.size(), 15u);
  for (int n = 0; n <= 15; ++n) {
    SCOPED_TRACE(n);
    const std::string note = read_text(dir / ("checkpoint." + std::to_string(n)));
    const auto opened = open_checkpoint(note, "example.com/testdata", *key).value();
    EXPECT_EQ(opened.checkpoint.size, static_cast<std::uint64_t>(n));
    EXPECT_EQ(opened.checkpoint.root, root_of(std::span(leaves).first(n)));
    EXPECT_EQ(format_checkpoint(opened.checkpoint), opened.note.text);
    // Another origin is refused even with a valid signature.
    auto other = open_checkpoint(note, "example.com/other", *key);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code(), ErrorCode::kNoMatch);
  }
}

TEST(Checkpoint, GeneratedLogSignaturesAreReproduced) {
  const auto v = tiles_vectors();
  const Ed25519Signer log_signer(
      Ed25519Key::parse_private_key(v.at("log_private_key").as_string()).value());
  EXPECT_EQ(log_signer.verifier_key(), v.at("log_vkey").as_string());
  // The seed is documented as SHA-256 of a fixed string.
  const Ed25519Signer from_seed(key_from_seed_text(
      "example.com/tlog-vectors", v.at("log_ed25519_seed_is_sha256_of").as_string()));
  EXPECT_EQ(from_seed.verifier_key(), v.at("log_vkey").as_string());
  for (const char* size : {"600", "1000"}) {
    const std::string body(v.at("checkpoints").at(size).as_string());
    const NoteSigner* signers[] = {&log_signer};
    EXPECT_EQ(sign_note(body, signers).value(),
              read_text(kTilesLog / ("checkpoint." + std::string(size))));
  }
  EXPECT_EQ(read_text(kTilesLog / "checkpoint"), read_text(kTilesLog / "checkpoint.1000"));
}

TEST(Checkpoint, CosignatureV1) {
  const auto v = tiles_vectors();
  const auto log_key = parse_verifier_key(v.at("log_vkey").as_string()).value();
  const auto witness_key = parse_verifier_key(v.at("witness_vkey_0x04").as_string()).value();
  const std::string cosigned = read_text(kTilesLog / "checkpoint.1000.cosigned");
  const NoteVerifier* others[] = {witness_key.get()};
  const auto opened =
      open_checkpoint(cosigned, "example.com/tlog-vectors", *log_key, others).value();
  ASSERT_EQ(opened.note.verified.size(), 2u);
  const auto& cosig = opened.note.verified[1];
  EXPECT_EQ(cosig.verifier, witness_key.get());
  EXPECT_EQ(cosignature_time(cosig.signature.signature), 1700000000u);
  EXPECT_EQ(cosignature_message(1700000000, opened.note.text),
            read_text(kTilesLog / "witness/cosignature-v1.signed-message.txt"));
  // Without the witness key its cosignature is ignored, not an error.
  const auto log_only = open_checkpoint(cosigned, "example.com/tlog-vectors", *log_key).value();
  EXPECT_EQ(log_only.note.unverified.size(), 1u);

  // Our cosigner, with the vectors' seed and time, signs the same bytes.
  const CosignatureV1Signer cosigner(
      key_from_seed_text(std::string(v.at("witness_name").as_string()),
                         v.at("witness_ed25519_seed_is_sha256_of").as_string()),
      [] { return std::uint64_t{1700000000}; });
  EXPECT_EQ(cosigner.verifier_key(), v.at("witness_vkey_0x04").as_string());
  const auto line =
      format_signature_line({cosigner.name(), cosigner.key_id(), cosigner.sign(opened.note.text)});
  EXPECT_EQ(line, read_text(kTilesLog / "witness/add-checkpoint.response.txt"));

  // A cosignature over another checkpoint, or with its time changed, fails.
  Bytes altered = cosig.signature.signature;
  altered[7] ^= 1;
  EXPECT_FALSE(witness_key->verify(opened.note.text, altered));
  EXPECT_FALSE(witness_key->verify(read_text(kTilesLog / "checkpoint.600").substr(0, 70),
                                   cosig.signature.signature));
  // A type 0x01 key of the same name and public key has another key ID.
  EXPECT_NE(note_key_id(cosigner.name(), kKeyTypeEd25519, {}), cosigner.key_id());
  Bytes high(72, 0);
  high[0] = 0x80;  // timestamp above 2^63-1
  EXPECT_FALSE(cosignature_time(high));
  EXPECT_FALSE(cosignature_time(Bytes(71, 0)));
}

TEST(Checkpoint, ExtensionLinesRoundTrip) {
  Checkpoint cp{"example.com/log", 42, leaf_hash(bytes_of("x")), {"ext one", "ext two"}};
  const std::string text = format_checkpoint(cp);
  EXPECT_EQ(parse_checkpoint(text).value(), cp);
}

TEST(Checkpoint, MalformedCheckpoints) {
  const std::string root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  for (const std::string& bad : std::vector<std::string>{
           std::string(""), "o\n1\n" + root, "o\n1\n", "\n1\n" + root + "\n",
           "o\n01\n" + root + "\n", "o\n-1\n" + root + "\n", "o\n+1\n" + root + "\n",
           "o\n1 \n" + root + "\n", "o\n18446744073709551616\n" + root + "\n",
           std::string("o\n1\nAAAA\n"), "o\n1\n" + root.substr(0, 43) + "\n",
           "o\n1\n" + root + "\n\n", "o\n1\n" + root + "\next\n\n"}) {
    const auto cp = parse_checkpoint(bad);
    EXPECT_FALSE(cp) << bad;
    if (!cp) {
      EXPECT_EQ(cp.error().code(), ErrorCode::kMalformed);
      EXPECT_TRUE(cp.error().message().starts_with("checkpoint: ")) << bad;
    }
  }
  EXPECT_EQ(parse_checkpoint("o\n18446744073709551615\n" + root + "\n").value().size, UINT64_MAX);
}

}  // namespace
}  // namespace safehouse::tlog
