// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/source_api_test.cpp: what the JavaScript client gets from the
// source listener (docs/routes.md, "The JavaScript client"): the page with
// its script and policy, the recipient set as a note signed by the log key
// that follows the recipients file as it changes, and the JSON API: first
// contact with public keys and pre-encrypted items, sign-in by signing a
// single-use challenge, follow-ups, replies as ciphertext, sign-out, and
// the refusals, which store nothing.
#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <map>

#include "age/age.h"
#include "age/x25519.h"
#include "config/transparency_log.h"
#include "http/request.h"
#include "http/router.h"
#include "http/source_routes.h"
#include "intake/sealed_items.h"
#include "intake/sources.h"
#include "source_stack.h"
#include "store/faulty_file_system.h"
#include "tlog/note.h"
#include "tlog/note_key.h"

namespace safehouse::http {
namespace {

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

class SourceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(stack_.open("Api Org", false, 400'000, faulty_));
    // A log key of its own: the test installation's is locked.
    signer_.emplace(config::log_signer(key_));
    stack_.source->note_signer = &*signer_;
    stack_.source->live_recipients = [this]() -> Result<std::vector<std::string>> { return live_; };
    live_ = stack_.installation->recipient_strings();
    add_source_routes(router_, *stack_.source);
  }

  Response call(Method method, const std::string& target, std::string body = {},
                HeaderMap headers = {}) {
    if (!cookie_.empty()) headers["cookie"] = "safehouse_session=" + cookie_;
    auto request = Request::create(method, target, headers, std::move(body));
    EXPECT_TRUE(request);
    Response response = router_.handle(*request);
    if (auto set = response.header("Set-Cookie")) {
      cookie_ = match(std::string(*set), "safehouse_session=([0-9a-f]*)");
    }
    return response;
  }
  Response post_json(const std::string& target, const std::string& body,
                     const std::string& csrf = {}) {
    HeaderMap headers{{"content-type", "application/json"}};
    if (!csrf.empty()) headers["x-csrf-token"] = csrf;
    return call(Method::kPost, target, body, headers);
  }

  static std::string b64(ByteSpan bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), 0);
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();
    return out;
  }
  static Bytes from_b64(const std::string& text) {
    Bytes out(text.size());
    std::size_t length = 0;
    EXPECT_EQ(sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length,
                                nullptr, sodium_base64_VARIANT_ORIGINAL),
              0);
    out.resize(length);
    return out;
  }

  // An age file of `text` to the installation's recipient set (what the
  // browser sends; the server cannot tell a frame from other bytes).
  Bytes sealed(std::string_view text) {
    Bytes out;
    VectorSink sink(out);
    auto encryptor = age::encrypt(stack_.intake->recipients(), sink).value();
    EXPECT_TRUE(encryptor->write(as_bytes(text)));
    EXPECT_TRUE(encryptor->finish());
    return out;
  }

  // A browser's keys: an Ed25519 pair and a reply identity.
  struct Keys {
    std::array<std::uint8_t, 32> public_key{};
    std::array<std::uint8_t, 64> secret_key{};
    store::SourceId source_id{};
    age::X25519Identity reply = age::X25519Identity::generate();
    Keys() {
      crypto_sign_keypair(public_key.data(), secret_key.data());
      randombytes_buf(source_id.data(), source_id.size());
    }
    std::string sign(const Bytes& challenge) const {
      Bytes message(intake::kSignInContext.begin(), intake::kSignInContext.end());
      message.insert(message.end(), challenge.begin(), challenge.end());
      std::array<std::uint8_t, 64> signature{};
      crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                           secret_key.data());
      return b64(signature);
    }
  };

  Bytes challenge() {
    Response response = post_json("/api/v1/challenge", "{}");
    EXPECT_EQ(response.status(), 200U);
    return from_b64(match(response.body(), R"re("challenge":"([^"]+)")re"));
  }

  // `extra`: more members of first_contact (e.g. `,"audit_consent":true`).
  Response first_contact(const Keys& keys, const std::vector<Bytes>& items,
                         const std::string& extra = {}) {
    const std::string signature = keys.sign(challenge());
    std::string list;
    for (const Bytes& item : items) list += (list.empty() ? "\"" : ",\"") + b64(item) + "\"";
    return post_json("/api/v1/submissions",
                     R"({"first_contact":{"source_id":")" + intake::source_id_hex(keys.source_id) +
                         R"(","reply_recipient":")" + keys.reply.recipient().to_string() +
                         R"(","signing_key":")" + b64(keys.public_key) + R"(","signature":")" +
                         signature + "\"" + extra + R"(},"items":[)" + list + "]}");
  }

  Response sign_in(const Keys& keys) {
    const std::string signature = keys.sign(challenge());
    return post_json("/api/v1/sign-in", R"({"source_id":")" +
                                            intake::source_id_hex(keys.source_id) +
                                            R"(","signature":")" + signature + R"("})");
  }

  std::size_t cases() {
    return stack_.installation->store().list_cases(store::CaseQuery{}).value().size();
  }

  // The note of the metadata, opened with the installation's verifier key.
  Result<std::string> opened_note() {
    Response metadata = call(Method::kGet, "/api/v1/metadata");
    EXPECT_EQ(metadata.status(), 200U);
    const std::string note = match(metadata.body(), R"re("recipients_note":"([^"]*)")re");
    std::string unescaped;
    for (std::size_t i = 0; i < note.size(); ++i) {
      if (note[i] == '\\' && i + 1 < note.size() && note[i + 1] == 'n') {
        unescaped += '\n';
        ++i;
      } else {
        unescaped += note[i];
      }
    }
    auto verifier = tlog::parse_verifier_key(key_.verifier_key()).value();
    const tlog::NoteVerifier* known[] = {verifier.get()};
    auto opened = tlog::open_note(unescaped, known);
    if (!opened) return opened.error();
    return opened->text;
  }

  // Passes everything through until a test makes it fail.
  store::FaultyFileSystem faulty_{store::FileSystem::posix()};
  SourceStack stack_;
  config::LogKey key_ = config::LogKey::generate("api-org");
  std::optional<tlog::Ed25519Signer> signer_;
  std::vector<std::string> live_;
  Router router_;
  std::string cookie_;
};

std::string csrf_of(const Response& response) {
  return match(response.body(), R"re("csrf":"([0-9a-f]+)")re");
}

TEST_F(SourceApiTest, MetadataCarriesTheRecipientSetSignedByTheLogKey) {
  auto text = opened_note();
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "safehouse/recipients/v1\n" + live_[0] + "\n");
}

TEST_F(SourceApiTest, TheNoteFollowsTheLiveRecipientSet) {
  live_.push_back("age1pu8p0zketzt20tvty8s3fpansh7dzxk4vc2kjv6aea76mhcyaecqtw0c9u");
  auto text = opened_note();
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "safehouse/recipients/v1\n" + live_[0] + "\n" + live_[1] + "\n");
  Response metadata = call(Method::kGet, "/api/v1/metadata");
  EXPECT_NE(metadata.body().find(live_[1]), std::string::npos);
}

TEST_F(SourceApiTest, ANoteByAnotherKeyDoesNotOpen) {
  config::LogKey other = config::LogKey::generate("api-org");
  signer_.emplace(config::log_signer(other));
  stack_.source->note_signer = &*signer_;
  auto text = opened_note();
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::kNoMatch);
}

TEST_F(SourceApiTest, WithoutASignerThereIsNoNote) {
  stack_.source->note_signer = nullptr;
  Response metadata = call(Method::kGet, "/api/v1/metadata");
  EXPECT_EQ(metadata.status(), 200U);
  EXPECT_EQ(metadata.body().find("recipients_note"), std::string::npos);
}

TEST_F(SourceApiTest, AppPageAllowsSameOriginScriptOnlyAndOtherPagesNone) {
  for (const char* lang : {"en", "fa"}) {
    Response app = call(Method::kGet, std::string("/") + lang + "/app");
    EXPECT_EQ(app.status(), 200U);
    EXPECT_EQ(app.header("Content-Security-Policy"), kScriptPageCsp);
    EXPECT_NE(app.body().find(R"(<script src="/static/source.js" defer></script>)"),
              std::string::npos);
    EXPECT_NE(app.body().find(stack_.installation->verifier_key()), std::string::npos);
  }
  EXPECT_FALSE(call(Method::kGet, "/en/").header("Content-Security-Policy"));
  EXPECT_EQ(call(Method::kGet, "/de/app").status(), 404U);
  Response bundle = call(Method::kGet, "/static/source.js");
  EXPECT_EQ(bundle.status(), 200U);
  EXPECT_EQ(bundle.content_type(), "text/javascript; charset=utf-8");
}

TEST_F(SourceApiTest, JavaScriptJourneyKeepsTheCodenameAndPlaintextInTheBrowser) {
  Keys keys;
  const Bytes message = sealed("first message, encrypted in the browser");
  Response first = first_contact(keys, {message});
  ASSERT_EQ(first.status(), 200U) << first.body();
  std::string csrf = csrf_of(first);
  ASSERT_EQ(csrf.size(), 64U);
  // The source holds the browser's public keys; the item is its bytes.
  auto source = stack_.installation->store().get_source(keys.source_id).value();
  EXPECT_EQ(source.signing_key, Bytes(keys.public_key.begin(), keys.public_key.end()));
  EXPECT_EQ(source.reply_recipient, keys.reply.recipient().to_string());
  auto all = stack_.installation->store().list_cases(store::CaseQuery{}).value();
  ASSERT_EQ(all.size(), 1U);
  auto items = stack_.installation->store().list_items(all[0].case_id).value();
  ASSERT_EQ(items.size(), 1U);
  Bytes stored;
  {
    auto body = stack_.installation->store().open_item_body(items[0].item_id).value();
    std::uint8_t buffer[4096];
    for (std::size_t n; (n = body->read(buffer).value()) != 0;)
      stored.insert(stored.end(), buffer, buffer + n);
  }
  EXPECT_EQ(stored, message);

  // A follow-up needs the session's CSRF token in X-CSRF-Token.
  const std::string follow = R"({"items":[")" + b64(sealed("more")) + R"("]})";
  EXPECT_EQ(post_json("/api/v1/submissions", follow).status(), 403U);
  EXPECT_EQ(post_json("/api/v1/submissions", follow, csrf).status(), 200U);
  EXPECT_EQ(stack_.installation->store().list_items(all[0].case_id).value().size(), 2U);

  // A reply comes back as an age file only the browser's identity opens.
  ASSERT_TRUE(stack_.intake->send_reply(all[0].case_id, "We read you", "en"));
  Response replies = call(Method::kGet, "/api/v1/replies");
  ASSERT_EQ(replies.status(), 200U);
  EXPECT_EQ(replies.body().find("We read you"), std::string::npos);
  const Bytes reply = from_b64(match(replies.body(), R"re("age":"([^"]+)")re"));
  Bytes plain;
  VectorSink plain_sink(plain);
  SpanSource reply_source(reply);
  const age::Identity* identities[] = {&keys.reply};
  ASSERT_TRUE(age::decrypt(identities, reply_source, plain_sink));
  const std::string text(plain.begin(), plain.end());
  EXPECT_NE(text.find("We read you"), std::string::npos);

  // Sign out, then back in by signing a fresh challenge.
  EXPECT_EQ(post_json("/api/v1/sign-out", "{}", "0000").status(), 403U);
  EXPECT_EQ(post_json("/api/v1/sign-out", "{}", csrf).status(), 200U);
  EXPECT_EQ(call(Method::kGet, "/api/v1/replies").status(), 403U);
  Response back = sign_in(keys);
  ASSERT_EQ(back.status(), 200U) << back.body();
  csrf = csrf_of(back);
  EXPECT_EQ(call(Method::kGet, "/api/v1/replies").status(), 200U);
  EXPECT_EQ(post_json("/api/v1/submissions", follow, csrf).status(), 200U);
  EXPECT_EQ(cases(), 1U);
}

// The API answers a submission only once its commit is durable (the route
// answers from the store's group commit, not from a worker that waited): a
// 200 comes after the database's sync, and a sync that fails is never
// answered as received.
TEST_F(SourceApiTest, SubmissionsAreAnsweredOnlyAfterTheirCommitIsDurable) {
  Keys keys;
  const std::int64_t syncs_before = faulty_.syncs();
  Response first = first_contact(keys, {sealed("first")});
  ASSERT_EQ(first.status(), 200U) << first.body();
  EXPECT_GT(faulty_.syncs(), syncs_before);
  const std::string csrf = csrf_of(first);
  const std::string follow = R"({"items":[")" + b64(sealed("more")) + R"("]})";
  const std::int64_t syncs_between = faulty_.syncs();
  Response second = post_json("/api/v1/submissions", follow, csrf);
  ASSERT_EQ(second.status(), 200U) << second.body();
  EXPECT_EQ(second.body(), R"({"received":1})");
  EXPECT_GT(faulty_.syncs(), syncs_between);
  EXPECT_EQ(stack_.intake->stats().submissions, 2U);

  faulty_.fail_sync(1, /*sticky=*/true);
  Response failed = post_json("/api/v1/submissions", follow, csrf);
  EXPECT_EQ(failed.status(), 500U) << failed.body();
  EXPECT_EQ(failed.body().find("received"), std::string::npos);
  EXPECT_EQ(stack_.intake->stats().submissions, 2U);
  // A first contact is refused alike, and signs nobody in.
  cookie_.clear();
  Keys other;
  Response refused = first_contact(other, {sealed("lost")});
  EXPECT_EQ(refused.status(), 500U) << refused.body();
  EXPECT_EQ(refused.body().find("csrf"), std::string::npos);
  EXPECT_EQ(stack_.intake->stats().submissions, 2U);
}

TEST_F(SourceApiTest, SignInNeedsTheRegisteredKeyAndAFreshChallenge) {
  Keys keys;
  ASSERT_EQ(first_contact(keys, {sealed("hello")}).status(), 200U);
  cookie_.clear();
  // Another key, an unknown source, no challenge: the same 403.
  Keys other;
  other.source_id = keys.source_id;
  EXPECT_EQ(sign_in(other).status(), 403U);
  EXPECT_EQ(sign_in(Keys()).status(), 403U);
  cookie_.clear();
  const std::string body = R"({"source_id":")" + intake::source_id_hex(keys.source_id) +
                           R"(","signature":")" + keys.sign(Bytes(32, 0)) + R"("})";
  EXPECT_EQ(post_json("/api/v1/sign-in", body).status(), 403U);
  // A challenge answers once: the same cookie and signature again fail.
  const Bytes fresh = challenge();
  const std::string cookie = cookie_;
  const std::string signed_body = R"({"source_id":")" + intake::source_id_hex(keys.source_id) +
                                  R"(","signature":")" + keys.sign(fresh) + R"("})";
  EXPECT_EQ(post_json("/api/v1/sign-in", signed_body).status(), 200U);
  cookie_ = cookie;
  EXPECT_EQ(post_json("/api/v1/sign-in", signed_body).status(), 403U);
  // Malformed bodies and other content types.
  EXPECT_EQ(post_json("/api/v1/sign-in", "[1,2").status(), 400U);
  EXPECT_EQ(call(Method::kPost, "/api/v1/sign-in", "{}",
                 HeaderMap{{"content-type", "application/x-www-form-urlencoded"}})
                .status(),
            415U);
}

TEST_F(SourceApiTest, FirstContactRefusalsStoreNothing) {
  Keys keys;
  // Not age, the wrong number of recipients, a cut-off payload, no items.
  EXPECT_EQ(first_contact(keys, {bytes_of("plain text, not age")}).status(), 400U);
  const Bytes good = sealed("hello");
  Bytes cut(good.begin(), good.end() - 6);  // the last chunk shorter than its tag
  EXPECT_EQ(first_contact(keys, {cut}).status(), 400U);
  live_.push_back("age1pu8p0zketzt20tvty8s3fpansh7dzxk4vc2kjv6aea76mhcyaecqtw0c9u");
  EXPECT_EQ(first_contact(keys, {good}).status(), 400U);
  live_.pop_back();
  EXPECT_EQ(first_contact(keys, {}).status(), 400U);
  // A signature by another key than the one registered.
  Keys other;
  const std::string signature = other.sign(challenge());
  Response forged =
      post_json("/api/v1/submissions",
                R"({"first_contact":{"source_id":")" + intake::source_id_hex(keys.source_id) +
                    R"(","reply_recipient":")" + keys.reply.recipient().to_string() +
                    R"(","signing_key":")" + b64(keys.public_key) + R"(","signature":")" +
                    signature + R"("},"items":[")" + b64(good) + R"("]})");
  EXPECT_EQ(forged.status(), 403U);
  // Without a session or first_contact there is nobody to file it under.
  cookie_.clear();
  EXPECT_EQ(post_json("/api/v1/submissions", R"({"items":[")" + b64(good) + R"("]})").status(),
            403U);
  EXPECT_EQ(cases(), 0U);
  EXPECT_EQ(first_contact(keys, {good}).status(), 200U);
  EXPECT_EQ(cases(), 1U);
}

// The source's consent to a sampled audit is stored with the case it
// opens: ticked (true), unticked (false or absent); any other value is a
// 400 that stores nothing.
TEST_F(SourceApiTest, FirstContactCarriesTheAuditConsent) {
  const Bytes good = sealed("hello");
  Keys malformed;
  EXPECT_EQ(first_contact(malformed, {good}, R"(,"audit_consent":"yes")").status(), 400U);
  EXPECT_EQ(cases(), 0U);
  Keys ticked, unticked, absent;
  ASSERT_EQ(first_contact(ticked, {good}, R"(,"audit_consent":true)").status(), 200U);
  cookie_.clear();
  ASSERT_EQ(first_contact(unticked, {good}, R"(,"audit_consent":false)").status(), 200U);
  cookie_.clear();
  ASSERT_EQ(first_contact(absent, {good}).status(), 200U);
  std::map<store::SourceId, bool> consent;
  for (const auto& c : stack_.installation->store().list_cases(store::CaseQuery{}).value()) {
    consent[c.source_id] = c.audit_consent;
  }
  ASSERT_EQ(consent.size(), 3U);
  EXPECT_TRUE(consent.at(ticked.source_id));
  EXPECT_FALSE(consent.at(unticked.source_id));
  EXPECT_FALSE(consent.at(absent.source_id));
}

Bytes sealed_to(std::span<const age::Recipient* const> recipients, std::size_t size) {
  Bytes out;
  VectorSink sink(out);
  auto encryptor = age::encrypt(recipients, sink).value();
  EXPECT_TRUE(encryptor->write(Bytes(size, 7)));
  EXPECT_TRUE(encryptor->finish());
  return out;
}

TEST(SealedItems, ShapeChecks) {
  auto identity = age::X25519Identity::generate();
  auto recipient = identity.recipient();
  const age::Recipient* recipients[] = {&recipient, &recipient};
  for (std::size_t size : {0U, 1U, 65535U, 65536U, 65537U, 200000U}) {
    const Bytes out = sealed_to(recipients, size);
    EXPECT_TRUE(intake::check_sealed_item(out, 2)) << size;
    EXPECT_FALSE(intake::check_sealed_item(out, 1)) << size;
    EXPECT_FALSE(intake::check_sealed_item(out, 3)) << size;
  }
  // Payload lengths no STREAM has: part of a tag, no chunk at all, an empty
  // chunk after a full one.
  const Bytes empty = sealed_to(recipients, 0);
  EXPECT_FALSE(intake::check_sealed_item(Bytes(empty.begin(), empty.end() - 1), 2));
  EXPECT_FALSE(intake::check_sealed_item(Bytes(empty.begin(), empty.end() - 16), 2));
  EXPECT_FALSE(intake::check_sealed_item(Bytes(empty.begin(), empty.end() - 20), 2));
  const Bytes full = sealed_to(recipients, 65536);
  for (std::size_t extra : {1U, 15U, 16U}) {
    Bytes longer = full;
    longer.resize(full.size() + extra);
    EXPECT_FALSE(intake::check_sealed_item(longer, 2)) << extra;
  }
  EXPECT_FALSE(intake::check_sealed_item({}, 1));
  EXPECT_FALSE(intake::check_sealed_item(bytes_of("age-encryption.org/v1\n"), 1));
  EXPECT_FALSE(intake::check_sealed_item(bytes_of("not age at all"), 1));
}

}  // namespace
}  // namespace safehouse::http
