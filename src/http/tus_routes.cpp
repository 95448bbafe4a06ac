// SPDX-License-Identifier: AGPL-3.0-or-later
// http/tus_routes.cpp: tus requests to intake::ResumableUploads calls and
// back to tus status codes and headers. Errors are short text/plain bodies
// (the JavaScript client reads the status, not a page).
#include "http/tus_routes.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>

#include "crypto/secret_bytes.h"
#include "http/session_store.h"
#include "http/source_api_json.h"
#include "http/tus_headers.h"

namespace safehouse::http {

namespace {

constexpr std::string_view kUploadsPath = "/api/v1/uploads/";
constexpr std::string_view kOffsetContentType = "application/offset+octet-stream";
// The attach request's body: a few hundred upload ids at most.
constexpr std::size_t kSubmissionBodyBytes = 16 * 1024;

// Attach requests of one source in the last minute, against
// [quotas] submissions_per_session_per_minute (counted per source here,
// whichever kind of session it signed in with).
class AttachBudget {
 public:
  bool take(const store::SourceId& source, std::uint64_t per_minute) {
    if (per_minute == 0) return true;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    for (auto it = recent_.begin(); it != recent_.end();) {
      while (!it->second.empty() && now - it->second.front() >= std::chrono::minutes(1)) {
        it->second.pop_front();
      }
      it = it->second.empty() ? recent_.erase(it) : std::next(it);
    }
    auto& mine = recent_[source];
    if (mine.size() >= per_minute) return false;
    mine.push_back(now);
    return true;
  }

 private:
  std::mutex mu_;
  std::map<store::SourceId, std::deque<std::chrono::steady_clock::time_point>> recent_;
};

struct TusContext {
  TusContext(SourceContext& s, intake::ResumableUploads& u) : source(s), uploads(u) {}
  SourceContext& source;
  intake::ResumableUploads& uploads;
  AttachBudget attach_budget;
};

void add_tus_headers(Response& response) {
  response.set_header("Tus-Resumable", std::string(tus::kVersion));
}

Response tus_error(unsigned status, std::string message) {
  Response response = Response::text(std::move(message) + "\n", status);
  add_tus_headers(response);
  return response;
}

Response tus_error(const Error& error) {
  unsigned status = status_for(error);
  if (error.code() == ErrorCode::kUnavailable) status = 423;  // another PATCH holds it: retry
  // Upload-Checksum with an unknown algorithm is a 400 in tus, not a 415.
  if (error.code() == ErrorCode::kUnsupported) status = 400;
  return tus_error(status, error.message());
}

// RFC 9110 IMF-fixdate of a steady-clock instant, for Upload-Expires.
std::string http_date(std::chrono::steady_clock::time_point when) {
  const auto wall = std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(
                        when - std::chrono::steady_clock::now());
  const std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

void add_status_headers(Response& response, const intake::UploadStatus& status) {
  response.set_header("Upload-Offset", std::to_string(status.offset));
  response.set_header("Upload-Expires", http_date(status.expires));
}

// The checks every tus request except OPTIONS makes first: protocol
// version (412) and a signed-in source (403).
std::variant<SignedInSource, Response> check_request(TusContext& ctx, const Request& request) {
  auto version = request.header("tus-resumable");
  if (!version || *version != tus::kVersion) {
    Response response = tus_error(412, "Tus-Resumable: only 1.0.0 is supported");
    response.set_header("Tus-Version", std::string(tus::kVersion));
    return response;
  }
  auto source = signed_in_source(ctx.source, request);
  if (!source) return tus_error(403, "uploads: sign in first");
  return std::move(*source);
}

Result<std::uint64_t> header_integer(const Request& request, std::string_view lower_name,
                                     std::string_view name) {
  auto value = request.header(lower_name);
  if (!value) return malformed(std::string(name) + ": missing");
  return tus::parse_integer(name, *value);
}

bool is_offset_stream(const Request& request) {
  auto type = request.header("content-type");
  return type && *type == kOffsetContentType;
}

Result<Bytes> digest_of(tus::ChecksumAlgorithm algorithm, ByteSpan data) {
  const EVP_MD* md = algorithm == tus::ChecksumAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256();
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr) != 1) {
    return Error(ErrorCode::kInternal, "upload: digest failed");
  }
  out.resize(length);
  return out;
}

// The body of a PATCH (or of a POST with creation-with-upload) into one
// UploadAppend. With a checksum the body is held until it is checked.
class AppendHandler final : public UploadHandler {
 public:
  AppendHandler(std::unique_ptr<intake::UploadAppend> append, std::optional<tus::Checksum> checksum,
                unsigned success_status, std::string location)
      : append_(std::move(append)),
        checksum_(std::move(checksum)),
        success_status_(success_status),
        location_(std::move(location)) {}
  ~AppendHandler() override { crypto::wipe(held_); }

  Result<void> on_body(ByteSpan chunk) override {
    if (!checksum_) return append_->write(chunk);
    if (held_.size() + chunk.size() > kMaxChecksumPatchBytes) {
      return Error(ErrorCode::kTooLarge, "upload: a PATCH with Upload-Checksum is larger than " +
                                             std::to_string(kMaxChecksumPatchBytes) + " bytes");
    }
    held_.insert(held_.end(), chunk.begin(), chunk.end());
    return {};
  }

  Response finish() override {
    if (checksum_) {
      auto digest = digest_of(checksum_->algorithm, held_);
      if (!digest) return tus_error(digest.error());
      if (*digest != checksum_->digest) {
        (void)append_->finish();  // nothing was written: the offset stays
        return tus_error(460, "Upload-Checksum: the body does not match");
      }
      if (auto wrote = append_->write(held_); !wrote) return fail_with(wrote.error());
    }
    auto status = append_->finish();
    if (!status) return tus_error(status.error());
    Response response(success_status_, "", "");
    add_tus_headers(response);
    add_status_headers(response, *status);
    if (!location_.empty()) response.set_header("Location", location_);
    return response;
  }

  Response fail(const Error& error) override { return fail_with(error); }

 private:
  // Keeps what was written before the error (an interrupted PATCH: the
  // connection broke, the response is not sent) and answers the error.
  Response fail_with(const Error& error) {
    auto kept = append_->finish();
    Response response = tus_error(error);
    if (kept) add_status_headers(response, *kept);
    return response;
  }

  std::unique_ptr<intake::UploadAppend> append_;
  std::optional<tus::Checksum> checksum_;
  Bytes held_;
  unsigned success_status_;
  std::string location_;
};

// POST without a body (plain creation): answers once the body (none) ends.
class CreatedHandler final : public UploadHandler {
 public:
  explicit CreatedHandler(Response response) : response_(std::move(response)) {}
  Result<void> on_body(ByteSpan chunk) override {
    if (chunk.empty()) return {};
    return Error(ErrorCode::kUnsupported,
                 "upload: a body needs " + std::string(kOffsetContentType));
  }
  Response finish() override { return response_; }
  Response fail(const Error& error) override { return tus_error(error); }

 private:
  Response response_;
};

std::variant<std::unique_ptr<UploadHandler>, Response> create(TusContext& ctx, Request& request) {
  auto checked = check_request(ctx, request);
  if (auto* rejected = std::get_if<Response>(&checked)) return std::move(*rejected);
  const SignedInSource& source = std::get<SignedInSource>(checked);
  if (request.header("upload-defer-length")) {
    return tus_error(400, "Upload-Defer-Length: not supported, send Upload-Length");
  }
  auto length = header_integer(request, "upload-length", "Upload-Length");
  if (!length) return tus_error(length.error());
  if (auto metadata = request.header("upload-metadata")) {
    // Accepted and dropped: the file's name travels inside its ciphertext.
    if (auto parsed = tus::parse_metadata(*metadata); !parsed) return tus_error(parsed.error());
  }
  std::uint64_t body_length = 0;
  if (auto declared = request.header("content-length")) {
    auto parsed = tus::parse_integer("Content-Length", *declared);
    if (!parsed) return tus_error(parsed.error());
    body_length = *parsed;
  }
  if (body_length != 0 && !is_offset_stream(request)) {
    return tus_error(415, "Content-Type: must be " + std::string(kOffsetContentType));
  }
  if (*length > ctx.uploads.options().max_size_bytes) {
    return tus_error(413, "Upload-Length: larger than Tus-Max-Size");
  }
  if (auto space = ctx.source.intake.check_free_space(*length); !space) {
    return tus_error(space.error());
  }
  if (auto quota = ctx.source.intake.check_daily_quota(source.source_id); !quota) {
    return tus_error(quota.error());
  }
  auto id = ctx.uploads.create(source.source_id, *length);
  if (!id) return tus_error(id.error());
  std::string location = std::string(kUploadsPath) + *id;
  if (body_length == 0) {
    auto status = ctx.uploads.status(source.source_id, *id);
    if (!status) return tus_error(status.error());
    Response response(201, "", "");
    add_tus_headers(response);
    add_status_headers(response, *status);
    response.set_header("Location", location);
    return std::unique_ptr<UploadHandler>(new CreatedHandler(std::move(response)));
  }
  auto append = ctx.uploads.append(source.source_id, *id, 0);
  if (!append) return tus_error(append.error());
  return std::unique_ptr<UploadHandler>(
      new AppendHandler(std::move(*append), std::nullopt, 201, std::move(location)));
}

std::variant<std::unique_ptr<UploadHandler>, Response> patch(TusContext& ctx, Request& request) {
  auto checked = check_request(ctx, request);
  if (auto* rejected = std::get_if<Response>(&checked)) return std::move(*rejected);
  const SignedInSource& source = std::get<SignedInSource>(checked);
  if (!is_offset_stream(request)) {
    return tus_error(415, "Content-Type: must be " + std::string(kOffsetContentType));
  }
  auto offset = header_integer(request, "upload-offset", "Upload-Offset");
  if (!offset) return tus_error(offset.error());
  std::optional<tus::Checksum> checksum;
  if (auto value = request.header("upload-checksum")) {
    auto parsed = tus::parse_checksum(*value);
    if (!parsed) return tus_error(parsed.error());
    checksum = std::move(*parsed);
    auto declared = request.header("content-length");
    auto length = declared ? tus::parse_integer("Content-Length", *declared)
                           : Result<std::uint64_t>(std::uint64_t{0});
    if (length && *length > kMaxChecksumPatchBytes) {
      return tus_error(413, "upload: a PATCH with Upload-Checksum is larger than " +
                                std::to_string(kMaxChecksumPatchBytes) + " bytes");
    }
  }
  auto append = ctx.uploads.append(source.source_id, request.path_param("id"), *offset);
  if (!append) return tus_error(append.error());
  return std::unique_ptr<UploadHandler>(
      new AppendHandler(std::move(*append), std::move(checksum), 204, ""));
}

Response head(TusContext& ctx, Request& request) {
  auto checked = check_request(ctx, request);
  if (auto* rejected = std::get_if<Response>(&checked)) return std::move(*rejected);
  const SignedInSource& source = std::get<SignedInSource>(checked);
  auto status = ctx.uploads.status(source.source_id, request.path_param("id"));
  if (!status) return tus_error(status.error());
  Response response(200, "", "");
  add_tus_headers(response);
  add_status_headers(response, *status);
  response.set_header("Upload-Length", std::to_string(status->length));
  return response;
}

Response terminate(TusContext& ctx, Request& request) {
  auto checked = check_request(ctx, request);
  if (auto* rejected = std::get_if<Response>(&checked)) return std::move(*rejected);
  const SignedInSource& source = std::get<SignedInSource>(checked);
  if (auto done = ctx.uploads.terminate(source.source_id, request.path_param("id")); !done) {
    return tus_error(done.error());
  }
  Response response(204, "", "");
  add_tus_headers(response);
  return response;
}

Response options(TusContext& ctx) {
  Response response(204, "", "");
  add_tus_headers(response);
  response.set_header("Tus-Version", std::string(tus::kVersion));
  response.set_header("Tus-Extension", std::string(tus::kExtensions));
  response.set_header("Tus-Max-Size", std::to_string(ctx.uploads.options().max_size_bytes));
  response.set_header("Tus-Checksum-Algorithm", std::string(tus::kChecksumAlgorithms));
  return response;
}

// POST /api/v1/uploads/attach {"uploads": ["<id>", ...], "language": "en"}
// with X-CSRF-Token: a follow-up whose file items are those complete uploads.
Response attach(TusContext& ctx, Request& request) {
  auto type = request.header("content-type");
  if (!type || !(*type == "application/json" || type->starts_with("application/json;"))) {
    return Response::text("Content-Type: must be application/json\n", 415);
  }
  auto source = signed_in_source(ctx.source, request);
  if (!source) return Response::text("attach: sign in first\n", 403);
  auto csrf = request.header("x-csrf-token");
  if (!csrf || !csrf_matches(source->csrf_token, *csrf)) {
    return Response::text("attach: X-CSRF-Token does not match the session\n", 403);
  }
  auto parsed = parse_attach_body(request.body());
  if (!parsed) {
    return Response::text("attach: expected {\"uploads\": [1 to " +
                              std::to_string(kMaxAttachUploads) +
                              " distinct upload ids], \"language\": \"en\" or \"fa\"}\n",
                          400);
  }
  std::vector<std::string>& ids = parsed->upload_ids;
  std::string language = std::move(parsed->language);
  std::vector<store::BlobRef> blobs;
  for (const std::string& id : ids) {
    auto blob = ctx.uploads.completed_blob(source->source_id, id);
    if (!blob)
      return Response::text(blob.error().message() + "\n", status_for(blob.error()));
    blobs.push_back(*blob);
  }
  if (!ctx.attach_budget.take(source->source_id,
                              ctx.source.site.submissions_per_session_per_minute)) {
    return Response::text("attach: too many submissions, wait a minute\n", 429);
  }
  auto submission = ctx.source.intake.start_follow_up(source->source_id, std::move(language));
  if (!submission) {
    return Response::text(submission.error().message() + "\n",
                          status_for(submission.error()));
  }
  for (const store::BlobRef& blob : blobs) {
    if (auto attached = (*submission)->attach_blob(blob); !attached) {
      return Response::text(attached.error().message() + "\n", status_for(attached.error()));
    }
  }
  auto receipt = (*submission)->commit();
  if (!receipt) {
    return Response::text(receipt.error().message() + "\n", status_for(receipt.error()));
  }
  for (const std::string& id : ids) ctx.uploads.attached(id);
  boost::json::object reply;
  reply["items"] = receipt->item_ids.size();
  return Response::json(boost::json::serialize(reply));
}

}  // namespace

void add_tus_routes(Router& router, SourceContext& context, intake::ResumableUploads& uploads) {
  auto ctx = std::make_shared<TusContext>(context, uploads);
  const std::uint64_t max = uploads.options().max_size_bytes;
  for (std::string_view path :
       {std::string_view("/api/v1/uploads/"), std::string_view("/api/v1/uploads")}) {
    router.route(Method::kOptions, std::string(path), [ctx](Request&) { return options(*ctx); });
    router.upload(
        Method::kPost, std::string(path), [ctx](Request& r) { return create(*ctx, r); }, max);
  }
  router.route(Method::kOptions, "/api/v1/uploads/{id}", [ctx](Request&) { return options(*ctx); });
  router.route(Method::kHead, "/api/v1/uploads/{id}", [ctx](Request& r) { return head(*ctx, r); });
  router.upload(
      Method::kPatch, "/api/v1/uploads/{id}", [ctx](Request& r) { return patch(*ctx, r); }, max);
  router.route(Method::kDelete, "/api/v1/uploads/{id}",
               [ctx](Request& r) { return terminate(*ctx, r); });
  RouteOptions small;
  small.body_limit_bytes = kSubmissionBodyBytes;
  router.route(
      Method::kPost, "/api/v1/uploads/attach", [ctx](Request& r) { return attach(*ctx, r); },
      small);
}

}  // namespace safehouse::http
