// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/note_test.cpp: signed notes and keys against the C2SP example,
// x/mod's note tests and key-ID known answers; compatibility with the log
// key of config/log_key.h; malformed notes.
#include "tlog/note.h"

#include <gtest/gtest.h>

#include "config/log_key.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

boost::json::object vectors() {
  return read_json(data_dir() / "signed-note/signed-note-vectors.json").as_object();
}

std::unique_ptr<NoteVerifier> verifier(std::string_view vkey) {
  return parse_verifier_key(vkey).value();
}

TEST(Note, C2spExample) {
  const auto v = vectors().at("c2sp_signed_note_example").as_object();
  const auto key = verifier(v.at("vkey").as_string());
  const NoteVerifier* known[] = {key.get()};
  const auto opened = open_note(v.at("note").as_string(), known).value();
  EXPECT_EQ(opened.text, "This is an example message.\n");
  ASSERT_EQ(opened.verified.size(), 1u);
  EXPECT_EQ(opened.verified[0].verifier, key.get());
  EXPECT_TRUE(opened.unverified.empty());
}

class GoNoteTest : public ::testing::Test {
 protected:
  boost::json::object v = vectors().at("golang_mod_note_test").as_object();
  std::string text{v.at("text").as_string()};
  std::string peter_line{v.at("peter_sig_line").as_string()};
  std::string enoch_line{v.at("enoch_sig_line").as_string()};
  std::unique_ptr<NoteVerifier> peter = verifier(v.at("peter_vkey").as_string());
  std::unique_ptr<NoteVerifier> enoch = verifier(v.at("enoch_vkey").as_string());
};

TEST_F(GoNoteTest, SignIsDeterministicAndMatchesGo) {
  const Ed25519Signer signer(Ed25519Key::parse_private_key(v.at("peter_skey").as_string()).value());
  EXPECT_EQ(signer.verifier_key(), v.at("peter_vkey").as_string());
  const NoteSigner* signers[] = {&signer};
  EXPECT_EQ(sign_note(text, signers).value(), text + "\n" + peter_line);
}

TEST_F(GoNoteTest, UnknownKeysAreIgnored) {
  const std::string note = text + "\n" + peter_line + enoch_line;
  const NoteVerifier* just_peter[] = {peter.get()};
  auto opened = open_note(note, just_peter).value();
  EXPECT_EQ(opened.text, text);
  ASSERT_EQ(opened.verified.size(), 1u);
  ASSERT_EQ(opened.unverified.size(), 1u);
  EXPECT_EQ(opened.unverified[0].name, "EnochRoot");
  const NoteVerifier* both[] = {peter.get(), enoch.get()};
  EXPECT_EQ(open_note(note, both).value().verified.size(), 2u);
  // A repeated signature counts once.
  EXPECT_EQ(open_note(note + peter_line, both).value().verified.size(), 2u);
  auto none = open_note(note, {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(none.error().message(), "note: no signature from a known key");
}

TEST_F(GoNoteTest, AlteredSignatureOrTextRejectsTheNote) {
  const NoteVerifier* known[] = {peter.get()};
  std::string note = text + "\n" + peter_line;
  std::string flipped = note;
  flipped[flipped.size() - 10] = flipped[flipped.size() - 10] == 'A' ? 'B' : 'A';
  auto opened = open_note(flipped, known);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(opened.error().message(), "note: invalid signature for key PeterNeumann+c74f20a3");
  std::string altered = note;
  altered[3] = 'X';
  EXPECT_EQ(open_note(altered, known).error().code(), ErrorCode::kIntegrity);
}

TEST_F(GoNoteTest, MoreThan100SignaturesIsMalformed) {
  std::string note = text + "\n";
  for (int i = 0; i < 100; ++i) note += peter_line;
  const NoteVerifier* known[] = {peter.get()};
  EXPECT_TRUE(open_note(note, known));
  note += enoch_line;
  auto opened = open_note(note, known);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kMalformed);
}

TEST(Note, KeyIdKnownAnswers) {
  const auto v = vectors().at("key_id_known_answers").as_object();
  int checked = 0;
  for (const auto& key : v.at("type_0x01").as_array()) {
    const auto parts = parse_verifier_key_parts(key.as_string()).value();
    EXPECT_EQ(parts.type, kKeyTypeEd25519);
    EXPECT_EQ(format_verifier_key(parts.name, parts.type, parts.public_key), key.as_string());
    ++checked;
  }
  for (const auto& item : v.at("type_0x04_cosignature_v1").as_array()) {
    const std::string text(item.as_string());
    const std::string key = text.substr(0, text.find(' '));
    const auto parsed = parse_verifier_key(key).value();
    EXPECT_NE(dynamic_cast<CosignatureV1Verifier*>(parsed.get()), nullptr);
    EXPECT_EQ(parsed->name(), "remora.n621.de");
    EXPECT_EQ(parsed->key_id(), 0xda77ade7u);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(Note, MalformedVerifierKeys) {
  const std::string good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  ASSERT_TRUE(parse_verifier_key(good));
  for (const std::string& bad : std::vector<std::string>{
           std::string(""), std::string("PeterNeumann"), std::string("PeterNeumann+c74f20a3"),
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",
           "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"}) {
    const auto parsed = parse_verifier_key(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << bad;
      EXPECT_TRUE(parsed.error().message().starts_with("verifier key: ")) << bad;
    }
  }
  // Type 0x02 is not one we verify.
  const Ed25519PublicKey zero{};
  const auto other = parse_verifier_key(format_verifier_key("x", 0x02, zero));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(Ed25519Key::parse_private_key("PRIVATE+KEY+x+00000000+AAAA"));
  EXPECT_FALSE(Ed25519Key::parse_private_key(good));
}

TEST(Note, MalformedNotes) {
  const std::string sig = "— k AAAAAAA=\n";
  for (const std::string& bad : std::vector<std::string>{
           std::string(""),
           std::string("text\n"),                       // no signatures
           std::string("text\n\n"),                     // blank line, nothing after
           "text\n\n" + sig.substr(0, sig.size() - 1),  // no final newline
           "text\n\n- k AAAAAAA=\n",                    // ASCII dash
           "text\n\n—k AAAAAAA=\n",                     // no space after the dash
           std::string("text\n\n— k\n"),                // no signature
           std::string("text\n\n— k AAAA\n"),           // fewer than 5 bytes
           std::string("text\n\n— k AAAAAAA\n"),        // not padded
           std::string("text\n\n— k+1 AAAAAAA=\n"),     // '+' in name
           std::string("text\n\n— k AAAAAAA= \n"),      // trailing space
           "text\twith tab\n\n" + sig,                  // control character
           "bad utf-8 \xff\n\n" + sig,
           "\n\n" + sig,             // empty text
           "text\n\n" + sig + "\n",  // blank line after signatures
           "text\n\n" + sig + "not a signature\n",
       }) {
    const auto note = parse_note(bad);
    EXPECT_FALSE(note) << bad;
    if (!note) {
      EXPECT_EQ(note.error().code(), ErrorCode::kMalformed) << bad;
      EXPECT_TRUE(note.error().message().starts_with("note: ")) << bad;
    }
  }
  EXPECT_EQ(parse_note(std::string(kMaxNoteSize + 1, 'a')).error().code(), ErrorCode::kTooLarge);
  // Well-formed: text with an inner blank line splits at the last one.
  const auto note = parse_note("a\n\nb\n\n" + sig).value();
  EXPECT_EQ(note.text, "a\n\nb\n");
  EXPECT_EQ(format_note(note), "a\n\nb\n\n" + sig);
  EXPECT_FALSE(sign_note("no newline", {}));
}

TEST(Note, KeyNames) {
  EXPECT_TRUE(is_valid_key_name("example.com/log"));
  EXPECT_TRUE(is_valid_key_name("ключ"));
  EXPECT_FALSE(is_valid_key_name(""));
  EXPECT_FALSE(is_valid_key_name("a+b"));
  EXPECT_FALSE(is_valid_key_name("a b"));
  EXPECT_FALSE(
      is_valid_key_name("a\xc2\xa0"
                        "b"));  // NO-BREAK SPACE
  EXPECT_FALSE(
      is_valid_key_name("a\xe3\x80\x80"
                        "b"));  // IDEOGRAPHIC SPACE
}

// The log key the landing page prints (config/log_key.h) is a key this
// module reads, and notes it signs open with it.
TEST(Note, ConfigLogKeyIsCompatible) {
  const auto log_key = config::LogKey::generate("example-org");
  const auto parsed = parse_verifier_key(log_key.verifier_key()).value();
  EXPECT_EQ(parsed->key_id(), log_key.key_hash());
  const auto private_text = log_key.private_key_text();
  const std::string_view text(reinterpret_cast<const char*>(private_text.reveal().data()),
                              private_text.size());
  const Ed25519Signer signer(Ed25519Key::parse_private_key(text).value());
  EXPECT_EQ(signer.verifier_key(), log_key.verifier_key());
  const std::string body = "example-org\n1\n" + base64_encode(Bytes(32, 7)) + "\n";
  const NoteSigner* signers[] = {&signer};
  const std::string note = sign_note(body, signers).value();
  const NoteVerifier* known[] = {parsed.get()};
  EXPECT_TRUE(open_note(note, known));
  // And a signature made by LogKey itself verifies.
  const auto signature =
      log_key.sign(ByteSpan(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  EXPECT_TRUE(parsed->verify(body, signature));
}

}  // namespace
}  // namespace safehouse::tlog
