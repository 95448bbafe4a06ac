// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/tus_test.cpp: the tus 1.0.0 endpoint (/api/v1/uploads/)
// through the socket-free Router, on a real installation: every status code
// the protocol names (201, 204, 200, 400, 403, 404, 409, 410, 412, 413, 415,
// 460), the malformed headers (Upload-Offset: -1, huge Upload-Length, bad
// base64 metadata), expiration, termination, checksums, an interrupted
// PATCH that keeps what arrived, the age-header check, and attaching a
// complete upload to the source's case (POST /api/v1/uploads/attach).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>

#include "age/age.h"
#include "http/request.h"
#include "http/router.h"
#include "http/source_routes.h"
#include "http/tus_headers.h"
#include "http/tus_routes.h"
#include "intake/frame.h"
#include "intake/resumable_uploads.h"
#include "source_stack.h"

namespace safehouse::http {
namespace {

constexpr std::string_view kBoundary = "----safehouse-tus-boundary";
constexpr std::string_view kOffsetType = "application/offset+octet-stream";

std::string digest_base64(const EVP_MD* md, const std::string& data) {
  std::uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, md, nullptr);
  return tus::base64_encode(ByteSpan(out, length));
}

class TusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(stack_.open("Tus Org", false, 400'000));
    add_source_routes(router_, *stack_.source);
    intake::ResumableUploadOptions options;
    options.max_size_bytes = kMaxSize;
    options.expiry = std::chrono::hours(2);
    options.recipient_count = [n = stack_.installation->recipients().size()] { return n; };
    options.now = [this] { return now_; };
    uploads_ = std::make_unique<intake::ResumableUploads>(stack_.installation->store().blobs(),
                                                          std::move(options));
    add_tus_routes(router_, *stack_.source, *uploads_);
  }
  void TearDown() override { uploads_.reset(); }

  Response call(Method method, const std::string& target, HeaderMap headers = {},
                std::string body = {}) {
    if (!cookie_.empty()) headers["cookie"] = "safehouse_session=" + cookie_;
    auto request = Request::create(method, target, headers, std::move(body));
    EXPECT_TRUE(request);
    Response response = router_.handle(*request);
    if (auto set = response.header("Set-Cookie")) {
      cookie_ = match(std::string(*set), "safehouse_session=([0-9a-f]*)");
    }
    return response;
  }
  static HeaderMap tus(HeaderMap headers = {}) {
    headers["tus-resumable"] = "1.0.0";
    return headers;
  }
  // A first contact through the pages: the session cookie is then a
  // signed-in source's.
  void sign_in() {
    Response form = call(Method::kGet, "/en/first-contact");
    ASSERT_EQ(form.status(), 200U);
    const std::string csrf = match(form.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
    std::string body = "--" + std::string(kBoundary) +
                       "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
                       "\r\n--" + std::string(kBoundary) +
                       "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhello\r\n--" +
                       std::string(kBoundary) + "--\r\n";
    HeaderMap headers{{"content-type", "multipart/form-data; boundary=" + std::string(kBoundary)}};
    ASSERT_EQ(call(Method::kPost, "/en/first-contact", headers, body).status(), 303U);
  }
  // Creates an upload of `length`; its path.
  std::string create(std::uint64_t length) {
    Response created =
        call(Method::kPost, "/api/v1/uploads/", tus({{"upload-length", std::to_string(length)}}));
    EXPECT_EQ(created.status(), 201U) << created.body();
    EXPECT_EQ(created.header("Upload-Offset"), "0");
    return std::string(created.header("Location").value_or(""));
  }
  Response patch(const std::string& path, std::uint64_t offset, std::string body,
                 HeaderMap extra = {}) {
    extra["upload-offset"] = std::to_string(offset);
    extra["content-type"] = std::string(kOffsetType);
    extra["content-length"] = std::to_string(body.size());
    return call(Method::kPatch, path, tus(std::move(extra)), std::move(body));
  }
  std::string offset_of(const std::string& path) {
    Response head = call(Method::kHead, path, tus());
    EXPECT_EQ(head.status(), 200U);
    return std::string(head.header("Upload-Offset").value_or("?"));
  }
  // The age file of a padded file frame for the installation's recipients.
  std::string age_file(std::size_t content_bytes) {
    intake::FrameHeader header;
    header.kind = intake::ItemKind::kFile;
    header.file_name = "video.mp4";
    header.media_type = "video/mp4";
    header.language = "en";
    std::string content(content_bytes, 'v');
    Bytes frame = intake::encode_frame(header, as_bytes(content)).value();
    Bytes out;
    VectorSink sink(out);
    auto encryptor = age::encrypt(stack_.intake->recipients(), sink).value();
    EXPECT_TRUE(encryptor->write(frame));
    EXPECT_TRUE(encryptor->finish());
    return std::string(out.begin(), out.end());
  }
  std::int64_t item_count() {
    auto cases = stack_.installation->store().list_cases(store::CaseQuery{}).value();
    return cases.empty() ? 0 : cases[0].item_count;
  }

  static constexpr std::uint64_t kMaxSize = 8 << 20;
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  SourceStack stack_;
  std::unique_ptr<intake::ResumableUploads> uploads_;
  Router router_;
  std::string cookie_;
};

TEST_F(TusTest, OptionsAnnouncesTheProtocol) {
  Response options = call(Method::kOptions, "/api/v1/uploads/");
  EXPECT_EQ(options.status(), 204U);
  EXPECT_EQ(options.header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(options.header("Tus-Version"), "1.0.0");
  EXPECT_EQ(options.header("Tus-Extension"),
            "creation,creation-with-upload,termination,expiration,checksum");
  EXPECT_EQ(options.header("Tus-Max-Size"), std::to_string(kMaxSize));
  EXPECT_EQ(options.header("Tus-Checksum-Algorithm"), "sha1,sha256");
  // Other methods on the endpoint: 405 with every method it has.
  Response put = call(Method::kOther, "/api/v1/uploads/");
  EXPECT_EQ(put.status(), 405U);
  EXPECT_EQ(put.header("Allow"), "POST, OPTIONS");
  EXPECT_EQ(call(Method::kGet, "/api/v1/uploads/abc").header("Allow"),
            "HEAD, PATCH, DELETE, OPTIONS");
}

TEST_F(TusTest, VersionAndSignInAreChecked) {
  EXPECT_EQ(call(Method::kPost, "/api/v1/uploads/", {{"upload-length", "10"}}).status(), 412U);
  Response old = call(Method::kPost, "/api/v1/uploads/",
                      {{"upload-length", "10"}, {"tus-resumable", "0.2.2"}});
  EXPECT_EQ(old.status(), 412U);
  EXPECT_EQ(old.header("Tus-Version"), "1.0.0");
  // Not signed in: no uploads.
  EXPECT_EQ(call(Method::kPost, "/api/v1/uploads/", tus({{"upload-length", "10"}})).status(), 403U);
  EXPECT_EQ(uploads_->size(), 0U);
}

TEST_F(TusTest, MalformedCreationHeaders) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  auto post = [&](HeaderMap headers) {
    return call(Method::kPost, "/api/v1/uploads/", tus(std::move(headers))).status();
  };
  EXPECT_EQ(post({}), 400U);
  EXPECT_EQ(post({{"upload-length", "-1"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "+5"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "1e6"}}), 400U);
  EXPECT_EQ(post({{"upload-length", ""}}), 400U);
  EXPECT_EQ(post({{"upload-length", "99999999999999999999999"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "9223372036854775808"}}), 400U);
  EXPECT_EQ(post({{"upload-length", std::to_string(kMaxSize + 1)}}), 413U);
  EXPECT_EQ(post({{"upload-defer-length", "1"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "100"}, {"upload-metadata", "filename !!!!"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "100"}, {"upload-metadata", "filename aGVsbG8"}}), 400U);
  EXPECT_EQ(post({{"upload-length", "100"}, {"upload-metadata", "a aGk=,a aGk="}}), 400U);
  EXPECT_EQ(post({{"upload-length", "100"}, {"upload-metadata", ",,"}}), 400U);
  // A body with the wrong type: 415.
  EXPECT_EQ(post({{"upload-length", "100"},
                  {"content-length", "3"},
                  {"content-type", "application/octet-stream"}}),
            415U);
  EXPECT_EQ(uploads_->size(), 0U);
  // Well-formed metadata is accepted (and not kept).
  EXPECT_EQ(post({{"upload-length", "100"}, {"upload-metadata", "filename aGVsbG8=,is_secret"}}),
            201U);
}

TEST_F(TusTest, PatchStatusCodes) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  const std::string file = age_file(1000);
  const std::string path = create(file.size());
  ASSERT_TRUE(path.starts_with("/api/v1/uploads/")) << path;
  Response head = call(Method::kHead, path, tus());
  EXPECT_EQ(head.status(), 200U);
  EXPECT_EQ(head.header("Upload-Length"), std::to_string(file.size()));
  EXPECT_EQ(head.header("Cache-Control"), std::nullopt);  // the server adds no-store
  EXPECT_TRUE(head.header("Upload-Expires").has_value());

  // Wrong Content-Type, malformed and wrong offsets.
  HeaderMap wrong_type = tus({{"upload-offset", "0"}, {"content-type", "text/plain"}});
  EXPECT_EQ(call(Method::kPatch, path, wrong_type, "x").status(), 415U);
  EXPECT_EQ(call(Method::kPatch, path, tus({{"upload-offset", "0"}}), "x").status(), 415U);
  HeaderMap negative = tus({{"upload-offset", "-1"}, {"content-type", std::string(kOffsetType)}});
  EXPECT_EQ(call(Method::kPatch, path, negative, "x").status(), 400U);
  HeaderMap missing = tus({{"content-type", std::string(kOffsetType)}});
  EXPECT_EQ(call(Method::kPatch, path, missing, "x").status(), 400U);
  EXPECT_EQ(patch(path, 5, "x").status(), 409U);
  EXPECT_EQ(call(Method::kPatch, path, {{"upload-offset", "0"}}, "x").status(), 412U);
  EXPECT_EQ(offset_of(path), "0");

  // Two PATCHes, then the offset and the completion.
  Response first = patch(path, 0, file.substr(0, 300));
  EXPECT_EQ(first.status(), 204U) << first.body();
  EXPECT_EQ(first.header("Upload-Offset"), "300");
  EXPECT_EQ(patch(path, 0, "again").status(), 409U);
  EXPECT_EQ(offset_of(path), "300");
  // More than Upload-Length: 413, and what came before stays.
  EXPECT_EQ(patch(path, 300, file.substr(300) + "extra").status(), 413U);
  EXPECT_EQ(offset_of(path), "300");
  Response last = patch(path, 300, file.substr(300));
  EXPECT_EQ(last.status(), 204U) << last.body();
  EXPECT_EQ(last.header("Upload-Offset"), std::to_string(file.size()));
  // Complete: no more PATCHes.
  EXPECT_EQ(patch(path, file.size(), "").status(), 409U);
  // Another source does not see it.
  cookie_.clear();
  ASSERT_NO_FATAL_FAILURE(sign_in());
  EXPECT_EQ(call(Method::kHead, path, tus()).status(), 404U);
  EXPECT_EQ(patch(path, file.size(), "").status(), 404U);
  EXPECT_EQ(call(Method::kDelete, path, tus()).status(), 404U);
  EXPECT_EQ(call(Method::kHead, "/api/v1/uploads/00000000000000000000000000000000", tus()).status(),
            404U);
}

TEST_F(TusTest, Checksums) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  const std::string file = age_file(5000);
  const std::string path = create(file.size());
  const std::string part = file.substr(0, 1000);
  EXPECT_EQ(
      patch(path, 0, part, {{"upload-checksum", "sha256 " + digest_base64(EVP_sha256(), "x")}})
          .status(),
      460U);
  EXPECT_EQ(offset_of(path), "0");
  EXPECT_EQ(
      patch(path, 0, part, {{"upload-checksum", "md5 " + digest_base64(EVP_md5(), part)}}).status(),
      400U);
  EXPECT_EQ(patch(path, 0, part, {{"upload-checksum", "sha1 !!!!"}}).status(), 400U);
  EXPECT_EQ(patch(path, 0, part, {{"upload-checksum", "sha1 " + digest_base64(EVP_sha256(), part)}})
                .status(),
            400U);  // a sha256-sized digest named sha1
  EXPECT_EQ(offset_of(path), "0");
  Response sha1 =
      patch(path, 0, part, {{"upload-checksum", "sha1 " + digest_base64(EVP_sha1(), part)}});
  EXPECT_EQ(sha1.status(), 204U) << sha1.body();
  const std::string rest = file.substr(1000);
  Response sha256 =
      patch(path, 1000, rest, {{"upload-checksum", "sha256 " + digest_base64(EVP_sha256(), rest)}});
  EXPECT_EQ(sha256.status(), 204U) << sha256.body();
  EXPECT_EQ(sha256.header("Upload-Offset"), std::to_string(file.size()));
}

TEST_F(TusTest, TerminationAndExpiry) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  const std::string file = age_file(2000);
  const std::string path = create(file.size());
  EXPECT_EQ(patch(path, 0, file.substr(0, 500)).status(), 204U);
  Response deleted = call(Method::kDelete, path, tus());
  EXPECT_EQ(deleted.status(), 204U);
  EXPECT_EQ(deleted.header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(call(Method::kHead, path, tus()).status(), 410U);
  EXPECT_EQ(patch(path, 500, file.substr(500)).status(), 410U);
  EXPECT_EQ(call(Method::kDelete, path, tus()).status(), 410U);

  // Expiry: idle beyond the period, the upload is gone (410), and the
  // sweeper deletes the ones nobody asks about.
  const std::string stale = create(file.size());
  const std::string swept = create(file.size());
  EXPECT_EQ(patch(stale, 0, file.substr(0, 100)).status(), 204U);
  now_ += std::chrono::hours(1);
  EXPECT_EQ(patch(stale, 100, file.substr(100, 100)).status(), 204U);  // activity extends it
  now_ += std::chrono::minutes(90);
  EXPECT_EQ(offset_of(stale), "200");
  EXPECT_EQ(call(Method::kHead, swept, tus()).status(), 410U);
  now_ += std::chrono::hours(3);
  EXPECT_EQ(uploads_->sweep(), 1U);
  EXPECT_EQ(uploads_->size(), 0U);
  EXPECT_EQ(call(Method::kHead, stale, tus()).status(), 410U);
}

TEST_F(TusTest, OnlyAgeFilesForTheRecipientSet) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  // Not age at all: refused at the first bytes, and the upload is gone.
  const std::string plain = create(1 << 20);
  EXPECT_EQ(patch(plain, 0, "hello, this is plaintext").status(), 400U);
  EXPECT_EQ(call(Method::kHead, plain, tus()).status(), 410U);
  // An age file for another recipient set (two stanzas): refused once the
  // header is in.
  const std::string good = age_file(3000);
  std::string twice = good;
  const auto first_stanza = twice.find("-> X25519");
  const auto second = twice.find("\n-> ", first_stanza + 1);
  const auto mac = twice.find("\n--- ");
  ASSERT_NE(first_stanza, std::string::npos);
  ASSERT_EQ(second, std::string::npos);  // the test installation has one recipient
  twice.insert(mac + 1, twice.substr(first_stanza, mac + 1 - first_stanza));
  const std::string other = create(twice.size());
  EXPECT_EQ(patch(other, 0, twice.substr(0, 100)).status(), 204U);  // header not whole yet
  EXPECT_EQ(patch(other, 100, twice.substr(100)).status(), 400U);
  EXPECT_EQ(call(Method::kHead, other, tus()).status(), 410U);
  // The right header but a length no padded item has.
  const std::string wrong_length = create(good.size() + 1);
  EXPECT_EQ(patch(wrong_length, 0, good).status(), 400U);
  EXPECT_EQ(uploads_->size(), 0U);  // each refused upload is deleted
}

TEST_F(TusTest, InterruptedPatchKeepsWhatArrived) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  const std::string file = age_file(200'000);
  const std::string path = create(file.size());
  // The server hands the bytes that arrived to the handler, then fail()
  // with kIo when the connection breaks (http/session.cpp).
  auto request = Request::create(Method::kPatch, path,
                                 tus({{"upload-offset", "0"},
                                      {"content-type", std::string(kOffsetType)},
                                      {"content-length", std::to_string(file.size())},
                                      {"cookie", "safehouse_session=" + cookie_}}));
  ASSERT_TRUE(request);
  RouteMatch found = router_.match(*request);
  ASSERT_EQ(found.kind, RouteMatch::Kind::kUpload);
  auto made = (*found.factory)(*request);
  ASSERT_EQ(made.index(), 0U);
  auto& handler = std::get<0>(made);
  auto fed = handler->on_body(as_bytes(file.substr(0, 70'000)));
  ASSERT_TRUE(fed) << fed.error().message();
  fed = handler->on_body(as_bytes(file.substr(70'000, 30'000)));
  ASSERT_TRUE(fed) << fed.error().message();
  (void)handler->fail(io_error("http: connection lost"));
  handler.reset();
  EXPECT_EQ(offset_of(path), "100000");
  // The client resumes from there.
  EXPECT_EQ(patch(path, 100'000, file.substr(100'000)).status(), 204U);
  EXPECT_EQ(offset_of(path), std::to_string(file.size()));
}

TEST_F(TusTest, CreationWithUploadAndAttach) {
  ASSERT_NO_FATAL_FAILURE(sign_in());
  const std::int64_t items_before = item_count();
  const std::string file = age_file(100'000);
  Response created = call(Method::kPost, "/api/v1/uploads",
                          tus({{"upload-length", std::to_string(file.size())},
                               {"content-type", std::string(kOffsetType)},
                               {"content-length", "4000"}}),
                          file.substr(0, 4000));
  ASSERT_EQ(created.status(), 201U) << created.body();
  EXPECT_EQ(created.header("Upload-Offset"), "4000");
  const std::string path(created.header("Location").value());
  const std::string id = path.substr(path.rfind('/') + 1);
  EXPECT_EQ(id.size(), 32U);

  // The session's CSRF token, as the inbox page shows it.
  std::string csrf =
      match(call(Method::kGet, "/en/inbox").body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_EQ(csrf.size(), 64U);
  auto submit = [&](const std::string& body, const std::string& type = "application/json") {
    return call(Method::kPost, "/api/v1/uploads/attach",
                {{"content-type", type}, {"x-csrf-token", csrf}}, body);
  };
  // Not complete yet: 409; malformed requests: 400 / 415; unknown: 404.
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\"]}").status(), 409U);
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\"]}", "text/plain").status(), 415U);
  const std::string good_csrf = csrf;
  csrf = std::string(64, 'a');
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\"]}").status(), 403U);
  csrf = good_csrf;
  EXPECT_EQ(submit("{\"uploads\":[]}").status(), 400U);
  EXPECT_EQ(submit("{\"uploads\":[1]}").status(), 400U);
  EXPECT_EQ(submit("not json").status(), 400U);
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\"],\"language\":\"de\"}").status(), 400U);
  EXPECT_EQ(submit("{\"uploads\":[\"ffffffffffffffffffffffffffffffff\"]}").status(), 404U);
  EXPECT_EQ(item_count(), items_before);

  ASSERT_EQ(patch(path, 4000, file.substr(4000)).status(), 204U);
  // Complete now, but named twice: one upload is never attached twice.
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\",\"" + id + "\"]}").status(), 400U);
  EXPECT_EQ(item_count(), items_before);
  Response attached = submit("{\"uploads\":[\"" + id + "\"],\"language\":\"fa\"}");
  ASSERT_EQ(attached.status(), 200U) << attached.body();
  EXPECT_EQ(attached.body(), "{\"items\":1}");
  EXPECT_EQ(item_count(), items_before + 1);
  // The item's blob is exactly the uploaded age file.
  auto cases = stack_.installation->store().list_cases(store::CaseQuery{}).value();
  auto items = stack_.installation->store().list_items(cases[0].case_id).value();
  const store::ItemRecord& item = items.back();
  EXPECT_EQ(item.location, store::BodyLocation::kBlob);
  EXPECT_EQ(item.ciphertext_size, file.size());
  Bytes stored = stack_.installation->store()
                     .blobs()
                     .read_blob(store::BlobRef{item.sha256, item.ciphertext_size}, 1 << 20)
                     .value();
  EXPECT_EQ(std::string(stored.begin(), stored.end()), file);
  // Attached once: the upload is gone.
  EXPECT_EQ(submit("{\"uploads\":[\"" + id + "\"]}").status(), 410U);
  EXPECT_EQ(call(Method::kHead, path, tus()).status(), 410U);
  EXPECT_EQ(uploads_->size(), 0U);
}

}  // namespace
}  // namespace safehouse::http
