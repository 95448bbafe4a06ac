// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/config_test.cpp: config.toml round trip and refusals, the
// signed-note log key encodings, and listen addresses.
#include "config/config.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "config/log_key.h"
#include "config/transparency_log.h"
#include "tlog/note_key.h"

namespace safehouse::config {
namespace {

TEST(Config, FormatThenParseRoundTrips) {
  Config config;
  config.organisation_name = "Example \"Org\" ۱";
  config.source_listen = {"::1", 9000};
  config.session_idle_minutes = 30;
  config.default_language = "fa";
  config.limits.max_upload_bytes = 123456789;
  config.storage.database = "postgresql://safehouse@10.0.0.5/safehouse";
  config.storage.blobs = "postgresql";
  auto parsed = parse_config(format_config(config));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, config);
}

TEST(Config, LogSettingsRoundTripAndDefaults) {
  EXPECT_EQ(Config().log.categories,
            (std::vector<std::string>{"army", "guard", "police", "intelligence", "other"}));
  EXPECT_EQ(Config().log.threshold, 10u);
  Config config;
  config.log.categories = {"border guard", "ارتش", "police"};
  config.log.threshold = 3;
  const std::string text = format_config(config);
  EXPECT_NE(text.find("[log]\n# The categories"), std::string::npos) << text;
  auto parsed = parse_config(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, config);
}

TEST(Config, BadLogSettingsAreRefused) {
  auto error = [](std::string_view text) -> std::string {
    auto parsed = parse_config(text);
    return parsed ? "ok" : parsed.error().message();
  };
  EXPECT_EQ(error("[log]\nthreshold = 0\n"),
            "config: log.threshold: must be between 1 and 1000000");
  EXPECT_EQ(error("[log]\ncategories = []\n"),
            "config: log.categories: must name 1 to 64 categories");
  EXPECT_EQ(error("[log]\ncategories = [\"a\", \"a\"]\n"),
            "config: log.categories: \"a\" appears twice");
  EXPECT_EQ(error("[log]\ncategories = [\"\"]\n"),
            "config: log.categories: \"\" is not 1..128 bytes without control characters");
  EXPECT_EQ(error("[log]\ncategories = \"army\"\n"),
            "config: log.categories: not an array of strings");
  EXPECT_EQ(error("[log]\ncategories = [1]\n"), "config: log.categories: not an array of strings");
  EXPECT_EQ(error("[log]\ncolour = 1\n"), "config: log.colour: unknown setting");
  EXPECT_EQ(error("log = 1\n"), "config: log: not a table");
}

TEST(Config, EmptyFileGivesDefaults) {
  auto parsed = parse_config("");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, Config());
  EXPECT_EQ(parsed->source_listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(parsed->staff_listen.to_string(), "127.0.0.1:8081");
  EXPECT_EQ(parsed->session_idle_minutes, 15);
  EXPECT_EQ(parsed->default_language, "en");
}

std::string error_of(std::string_view text) {
  auto parsed = parse_config(text);
  return parsed ? "ok" : parsed.error().message();
}

TEST(Config, RefusesWhatItDoesNotUnderstand) {
  EXPECT_EQ(error_of("[source]\nlisten = \"localhost:80\"\n"),
            "config: source.listen: host is not an IP address");
  EXPECT_EQ(error_of("[source]\nlisten = \"127.0.0.1:99999\"\n"),
            "config: source.listen: port is not a number from 0 to 65535");
  EXPECT_EQ(error_of("[source]\nlisen = \"127.0.0.1:80\"\n"),
            "config: source.lisen: unknown setting");
  EXPECT_EQ(error_of("[session]\nidle_minutes = 0\n"),
            "config: session.idle_minutes: must be between 1 and 1440");
  EXPECT_EQ(error_of("[session]\nidle_minutes = \"15\"\n"),
            "config: session.idle_minutes: not an integer");
  EXPECT_EQ(error_of("[organisation]\nname = \"\"\n"),
            "config: organisation.name: must be 1 to 200 bytes");
  EXPECT_EQ(error_of("colour = 1\n"), "config: colour: unknown setting");
  EXPECT_EQ(error_of("source = 1\n"), "config: source: not a table");
  EXPECT_EQ(error_of("[storage]\ndatabase = \"mysql://x\"\n"),
            "config: storage.database: must be empty (SQLite) or a postgresql:// URL");
  EXPECT_EQ(error_of("[storage]\nblobs = \"postgresql\"\n"),
            "config: storage.blobs: \"postgresql\" needs a postgresql:// database");
  EXPECT_TRUE(error_of("[storage]\nblobs = \"s3\"\n").starts_with("config: storage.blobs: "));
  EXPECT_TRUE(error_of("[source\n").starts_with("config: line 1: ")) << error_of("[source\n");
}

// [[witness]] tables and [onion] addresses (docs/tlog.md): round trip and
// refusals.
TEST(Config, WitnessesAndOnionAddresses) {
  const std::string key =
      tlog::format_verifier_key("w1", tlog::kKeyTypeCosignatureV1, tlog::Ed25519PublicKey{1, 2, 3});
  const std::string key2 =
      tlog::format_verifier_key("w2", tlog::kKeyTypeCosignatureV1, tlog::Ed25519PublicKey{4, 5, 6});
  const std::string onion(56, 'a');
  Config config;
  config.witnesses = {{"alpha", "http://127.0.0.1:9000/", key},
                      {"beta.2", "http://10.0.0.1/witness", key2}};
  config.onion.addresses = {onion + ".onion", std::string(55, 'b') + "7.onion"};
  auto parsed = parse_config(format_config(config));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, config);

  const std::string w = "[[witness]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\nkey = \"";
  EXPECT_EQ(error_of(w + key + "\"\n"), "ok");
  EXPECT_EQ(error_of(w + key + "\"\ncolour = 1\n"), "config: witness[1].colour: unknown setting");
  EXPECT_EQ(error_of("[[witness]]\nname = \"a\"\nkey = \"" + key + "\"\n"),
            "config: witness[1].url: missing");
  EXPECT_EQ(error_of("[[witness]]\nname = \"a b\"\nurl = \"http://x/\"\nkey = \"" + key + "\"\n"),
            "config: witness[1].name: must be 1 to 64 of A-Z a-z 0-9 . _ -");
  EXPECT_EQ(error_of("[[witness]]\nname = \"a\"\nurl = \"https://x/\"\nkey = \"" + key + "\"\n"),
            "config: witness[1].url: must be http://HOST[:PORT][/PATH]");
  EXPECT_TRUE(error_of(w + "nonsense\"\n").starts_with("config: witness[1].key: "));
  const std::string log_key =
      tlog::format_verifier_key("org", tlog::kKeyTypeEd25519, tlog::Ed25519PublicKey{7});
  EXPECT_EQ(error_of(w + log_key + "\"\n"),
            "config: witness[1].key: not a cosignature/v1 (type 0x04) verifier key");
  EXPECT_EQ(error_of(w + key + "\"\n" + w + key + "\"\n"), "config: witness[2].name: used twice");
  EXPECT_EQ(error_of("witness = 1\n"),
            "config: witness: not an array of tables (write [[witness]])");

  EXPECT_EQ(error_of("[onion]\naddresses = [\"" + onion + ".onion\"]\n"), "ok");
  EXPECT_EQ(error_of("[onion]\naddresses = [\"" + onion + "\"]\n"),
            "config: onion.addresses: '" + onion +
                "' is not a v3 onion address (56 of a-z 2-7, then .onion)");
  EXPECT_EQ(
      error_of("[onion]\naddresses = [\"" + std::string(56, 'A') + ".onion\"]\n").substr(0, 26),
      "config: onion.addresses: '");
  EXPECT_EQ(error_of("[onion]\naddresses = [1]\n"),
            "config: onion.addresses: not an array of strings");
  EXPECT_EQ(error_of("[onion]\nlist = []\n"), "config: onion.list: unknown setting");
  EXPECT_EQ(error_of("onion = 1\n"), "config: onion: not a table");
  EXPECT_TRUE(is_onion_address(onion + ".onion"));
  EXPECT_FALSE(is_onion_address(std::string(56, '1') + ".onion"));
  EXPECT_FALSE(is_onion_address("example.onion"));
}

// The onion-address note: signed with the log key, opened with its
// verifier key, refused once a character changes (docs/tlog.md).
TEST(Config, OnionAddressNoteIsSignedWithTheLogKey) {
  const LogKey key = LogKey::generate("example-org");
  const std::vector<std::string> onions = {std::string(56, 'a') + ".onion"};
  auto note = onion_addresses_note(key, onions);
  ASSERT_TRUE(note) << note.error().message();
  EXPECT_TRUE(note->starts_with("safehouse/onion-addresses/v1\nlog " + log_origin(key) +
                                "\nonion " + onions[0] + "\n\n— example-org "));
  const auto verifier = log_signer(key).verifier();
  const tlog::NoteVerifier* known[] = {&verifier};
  auto opened = tlog::open_note(*note, known);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->text, onion_addresses_text(log_origin(key), onions));
  std::string forged = *note;
  forged[forged.find(".onion") - 1] = 'b';
  auto refused = tlog::open_note(forged, known);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kIntegrity);
}

// init writes default_language with a comment saying what it does; "fa" is
// allowed, anything else refused.
TEST(Config, DefaultLanguage) {
  const std::string text = format_config(Config());
  EXPECT_NE(text.find("# Where the bare address (/) leads"), std::string::npos);
  EXPECT_NE(text.find("default_language = \"en\"\n"), std::string::npos);
  auto persian = parse_config("[organisation]\ndefault_language = \"fa\"\n");
  ASSERT_TRUE(persian);
  EXPECT_EQ(persian->default_language, "fa");
  for (std::string_view bad : {"\"de\"", "\"FA\"", "\"fa-IR\"", "\"\""}) {
    EXPECT_EQ(error_of("[organisation]\ndefault_language = " + std::string(bad) + "\n"),
              "config: organisation.default_language: must be \"en\" or \"fa\"");
  }
  EXPECT_EQ(error_of("[organisation]\ndefault_language = 1\n"),
            "config: organisation.default_language: not a string");
}

TEST(Config, QuotasAreWrittenWithDefaultsAndComments) {
  const std::string text = format_config(Config());
  const auto table = text.find("[quotas]\n");
  ASSERT_NE(table, std::string::npos);
  for (const QuotaKey& quota : quota_keys()) {
    const std::string line =
        "\n" + std::string(quota.name) + " = " + std::to_string(Quotas().*quota.member) + "\n";
    const auto at = text.find(line, table);
    ASSERT_NE(at, std::string::npos) << quota.name;
    // A comment line right above each key.
    EXPECT_EQ(text.rfind("\n# ", at - 1), text.rfind('\n', at - 1)) << quota.name;
  }
  EXPECT_EQ(parse_config(text).value().quotas, Quotas());
}

TEST(Config, QuotasRoundTripAndZeroMeansNoLimit) {
  Config config;
  config.quotas.source_connections = 0;
  config.quotas.bytes_per_source_per_day = 12345;
  config.quotas.free_space_reserve_bytes = 0;
  auto parsed = parse_config(format_config(config));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->quotas, config.quotas);
  auto lifted = parse_config("[quotas]\nsign_ins_per_minute = 0\n");
  ASSERT_TRUE(lifted);
  EXPECT_EQ(lifted->quotas.sign_ins_per_minute, 0u);
  EXPECT_EQ(lifted->quotas.staff_connections, Quotas().staff_connections);
  EXPECT_EQ(error_of("[quotas]\nsign_ins_per_minute = -1\n"),
            "config: quotas.sign_ins_per_minute: must be between 0 and 1000000000");
  EXPECT_EQ(error_of("[quotas]\nsign_ins = 5\n"), "config: quotas.sign_ins: unknown setting");
  EXPECT_EQ(error_of("quotas = 5\n"), "config: quotas: not a table");
}

TEST(ListenAddress, Parses) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:0").value(), (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(parse_listen_address("[::1]:8080").value(), (ListenAddress{"::1", 8080}));
  EXPECT_EQ(parse_listen_address("[::1]:8080")->to_string(), "[::1]:8080");
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:8o"));
}

TEST(LogKey, KeyNames) {
  EXPECT_EQ(key_name_for("Example Org (Berlin)"), "example-org-berlin");
  EXPECT_EQ(key_name_for("سازمان"), "safehouse");
  EXPECT_TRUE(is_valid_key_name("example.org/log"));
  EXPECT_FALSE(is_valid_key_name("a+b"));
  EXPECT_FALSE(is_valid_key_name("a b"));
  EXPECT_FALSE(is_valid_key_name(""));
}

// The example from golang.org/x/mod/sumdb/note's documentation.
TEST(LogKey, VerifierKeyMatchesTheGoNoteExample) {
  constexpr std::string_view kSkey =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  auto key = LogKey::parse_private(kSkey);
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key->verifier_key(),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  const crypto::SecretBytes text = key->private_key_text();
  EXPECT_EQ(std::string(text.reveal().begin(), text.reveal().end()), kSkey);
  EXPECT_EQ(check_verifier_key(key->verifier_key()).value(), "PeterNeumann");
}

TEST(LogKey, GeneratedKeysRoundTripAndSign) {
  LogKey key = LogKey::generate("example-org");
  const crypto::SecretBytes text = key.private_key_text();
  auto again = LogKey::parse_private(
      std::string_view(reinterpret_cast<const char*>(text.reveal().data()), text.size()));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->verifier_key(), key.verifier_key());
  const auto signature = key.sign(as_bytes("hello\n"));
  EXPECT_EQ(crypto_sign_verify_detached(signature.data(),
                                        reinterpret_cast<const unsigned char*>("hello\n"), 6,
                                        key.public_key().data()),
            0);
}

TEST(LogKey, RefusesMalformedKeys) {
  EXPECT_EQ(LogKey::parse_private("PeterNeumann+c74f20a3+AYEK").error().message(),
            "log key: missing PRIVATE+KEY+ prefix");
  EXPECT_EQ(LogKey::parse_private(
                "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
                .error()
                .message(),
            "log key: key hash does not match");
  EXPECT_EQ(LogKey::parse_private("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK").error().message(),
            "log key: key data is not base64 of 33 bytes");
  EXPECT_EQ(check_verifier_key("a+b").error().message(), "verifier key: not name+hash+key");
  EXPECT_EQ(check_verifier_key("PeterNeumann+C74F20A3+ARpc").error().message(),
            "verifier key: key hash is not 8 lower-case hex digits");
  EXPECT_EQ(check_verifier_key("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX")
                .error()
                .message(),
            "verifier key: key hash does not match");
}

}  // namespace
}  // namespace safehouse::config
