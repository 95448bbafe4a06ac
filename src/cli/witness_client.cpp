// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/witness_client.cpp: add-checkpoint requests to the configured
// witnesses (cli/witness_client.h). Proofs come from tlog::TileLog reading
// the log's tiles through the LogStore; answers are read by
// tlog::read_witness_answer and every cosignature checked before it is kept.
#include "cli/witness_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <iostream>
#include <map>

#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"
#include "tlog/tile.h"
#include "tlog/tile_log.h"
#include "tlog/witness.h"

namespace safehouse::cli {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
// 409 answers followed before giving up for this round (a witness that
// keeps moving is either racing another server, which is fine, or broken).
constexpr int kMaxConflicts = 3;

// The log's tiles, read-only, through the LogStore (for proofs).
class LogStoreTiles final : public tlog::TileStore {
 public:
  explicit LogStoreTiles(store::LogStore& log) : log_(&log) {}
  Result<Bytes> read(std::string_view path) override { return log_->read(path); }
  Result<void> write(std::string_view, ByteSpan) override {
    return Error(ErrorCode::kUnsupported, "witness client: the log is read-only here");
  }
  Result<void> remove(std::string_view) override {
    return Error(ErrorCode::kUnsupported, "witness client: the log is read-only here");
  }
  Result<void> sync() override { return {}; }

 private:
  store::LogStore* log_;
};

std::string shortened(std::string_view text) {
  std::string out(text.substr(0, 200));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

}  // namespace

WitnessTransport http_witness_transport(std::chrono::seconds timeout) {
  return [timeout](const std::string& url_text,
                   const std::string& body) -> Result<WitnessHttpAnswer> {
    auto url = boost::urls::parse_absolute_uri(url_text);
    if (!url || url->scheme() != "http" || url->host().empty() || url->has_query() ||
        url->has_userinfo() || url->has_fragment()) {
      return invalid_argument("witness URL: not http://HOST[:PORT][/PATH]");
    }
    const std::string host(url->encoded_host());
    const std::string port = url->has_port() ? std::string(url->port()) : "80";
    const std::string target(url->encoded_path());
    const std::string where = "POST " + url_text;
    try {
      boost::asio::io_context io;
      tcp::resolver resolver(io);
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      beast::error_code ec;
      auto endpoints = resolver.resolve(host, port, ec);
      if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
      stream.connect(endpoints, ec);
      if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
      bhttp::request<bhttp::string_body> request(bhttp::verb::post, target, 11);
      request.set(bhttp::field::host, host);
      request.set(bhttp::field::connection, "close");
      request.set(bhttp::field::content_type, "text/plain; charset=utf-8");
      request.body() = body;
      request.prepare_payload();
      bhttp::write(stream, request, ec);
      if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
      beast::flat_buffer buffer;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxAnswerBytes);
      bhttp::read(stream, buffer, parser, ec);
      if (ec) return Error(ErrorCode::kUnavailable, where + ": " + ec.message());
      auto response = parser.release();
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return WitnessHttpAnswer{static_cast<int>(response.result_int()), std::move(response.body())};
    } catch (const boost::system::system_error& e) {
      return Error(ErrorCode::kUnavailable, where + ": " + e.what());
    }
  };
}

struct WitnessClient::Witness {
  config::WitnessSettings settings;
  std::unique_ptr<tlog::NoteVerifier> key;
  std::string url;  // …/add-checkpoint
  // The checkpoint a request failed on, and when to try it again.
  std::string failed_note;
  std::chrono::steady_clock::time_point retry_at;
};

WitnessClient::WitnessClient(store::LogStore& log, WitnessTransport transport)
    : log_(&log), transport_(std::move(transport)) {}
WitnessClient::~WitnessClient() = default;

Result<std::unique_ptr<WitnessClient>> WitnessClient::create(
    const std::vector<config::WitnessSettings>& witnesses, store::LogStore& log,
    WitnessTransport transport) {
  std::unique_ptr<WitnessClient> client(new WitnessClient(log, std::move(transport)));
  for (const config::WitnessSettings& settings : witnesses) {
    auto parts = tlog::parse_verifier_key_parts(settings.key);
    if (!parts) return parts.error().with_context("witness " + settings.name);
    if (parts->type != tlog::kKeyTypeCosignatureV1) {
      return invalid_argument("witness " + settings.name +
                              ": not a cosignature/v1 (type 0x04) verifier key");
    }
    auto witness = std::make_unique<Witness>();
    witness->settings = settings;
    witness->key = std::make_unique<tlog::CosignatureV1Verifier>(parts->name, parts->public_key);
    std::string base = settings.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    witness->url = base + "/add-checkpoint";
    client->witnesses_.push_back(std::move(witness));
  }
  return client;
}

Result<void> WitnessClient::submit(Witness& witness, const store::LogHead& head,
                                   const std::string& text, std::uint64_t old_size) {
  const std::uint64_t size = head.checkpoint.size;
  if (old_size > size) old_size = 0;  // the 409 tells the witness's size
  LogStoreTiles tiles(*log_);
  std::optional<tlog::TileLog> tree;
  for (int conflicts = 0;; ++conflicts) {
    tlog::AddCheckpointRequest request;
    request.old_size = old_size;
    request.checkpoint = head.note;
    if (old_size != 0 && old_size != size) {
      if (!tree) {
        auto opened = tlog::TileLog::open(tiles, size, head.checkpoint.root);
        if (!opened) return opened.error().with_context("log");
        tree.emplace(std::move(*opened));
      }
      request.proof = SAFEHOUSE_TRY(tree->prove_consistency(old_size, size));
    }
    const WitnessHttpAnswer http =
        SAFEHOUSE_TRY(transport_(witness.url, tlog::format_add_checkpoint(request)));
    auto answer = tlog::read_witness_answer(http.status, http.body);
    if (!answer) return answer.error();
    using Kind = tlog::WitnessAnswer::Kind;
    switch (answer->kind) {
      case Kind::kCosigned: {
        std::string kept;
        for (const tlog::NoteSignature& signature : answer->cosignatures) {
          if (signature.name != witness.key->name() || signature.key_id != witness.key->key_id()) {
            continue;  // another key of the witness's: not the one configured
          }
          if (!witness.key->verify(text, signature.signature)) {
            return Error(ErrorCode::kIntegrity,
                         "its cosignature does not verify with its configured key (refused)");
          }
          kept += tlog::format_signature_line(signature);
        }
        if (kept.empty()) {
          return Error(ErrorCode::kIntegrity,
                       "its answer holds no cosignature from its configured key (refused)");
        }
        return log_->save_cosignature(
            store::LogCosignature{witness.settings.key, size, text, kept});
      }
      case Kind::kConflict:
        if (answer->witness_size > size) {
          return Error(ErrorCode::kConflict, "it has cosigned size " +
                                                 std::to_string(answer->witness_size) +
                                                 ", beyond this log's " + std::to_string(size));
        }
        if (answer->witness_size == old_size) {
          return Error(ErrorCode::kConflict, "it has cosigned another tree of size " +
                                                 std::to_string(old_size) +
                                                 " (a fork of this log, or another log's origin)");
        }
        if (conflicts + 1 >= kMaxConflicts) {
          return Error(ErrorCode::kConflict, "it keeps answering 409 (last: size " +
                                                 std::to_string(answer->witness_size) + ")");
        }
        old_size = answer->witness_size;
        continue;
      case Kind::kUnknownOrigin:
        return Error(ErrorCode::kNotFound,
                     "404: it does not follow this log's origin (" + head.checkpoint.origin + ")");
      case Kind::kNotSigned:
        return Error(ErrorCode::kNoMatch, "403: it does not trust this log's key");
      case Kind::kBadRequest:
        return Error(ErrorCode::kInvalidArgument, "400: " + shortened(http.body));
      case Kind::kRejected:
        return Error(ErrorCode::kIntegrity, "422: " + shortened(http.body));
    }
    return Error(ErrorCode::kUnsupported, "unexpected answer");
  }
}

Result<std::vector<WitnessOutcome>> WitnessClient::round() {
  std::vector<WitnessOutcome> outcomes;
  if (witnesses_.empty()) return outcomes;
  const store::LogHead head = SAFEHOUSE_TRY(log_->head());
  auto note = tlog::parse_note(head.note);
  if (!note) return note.error().with_context("log checkpoint");
  std::map<std::string, store::LogCosignature, std::less<>> stored;
  for (store::LogCosignature& c : SAFEHOUSE_TRY(log_->cosignatures())) {
    std::string key = c.witness;
    stored.emplace(std::move(key), std::move(c));
  }
  const auto now = std::chrono::steady_clock::now();
  for (const auto& witness : witnesses_) {
    WitnessOutcome outcome;
    outcome.name = witness->settings.name;
    auto found = stored.find(witness->settings.key);
    if (found != stored.end() && found->second.checkpoint == note->text) {
      outcome.cosigned = true;
      outcomes.push_back(std::move(outcome));
      continue;
    }
    if (witness->failed_note == head.note && now < witness->retry_at) {
      outcomes.push_back(std::move(outcome));
      continue;
    }
    outcome.attempted = true;
    const std::uint64_t old_size = found != stored.end() ? found->second.size : 0;
    auto submitted = submit(*witness, head, note->text, old_size);
    if (submitted) {
      outcome.cosigned = true;
      witness->failed_note.clear();
    } else {
      outcome.message = submitted.error().message();
      witness->failed_note = head.note;
      witness->retry_at = now + retry_after_;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

WitnessLoop::WitnessLoop(WitnessClient& client, std::chrono::milliseconds period)
    : client_(&client), period_(period), thread_([this] { run(); }) {}

WitnessLoop::~WitnessLoop() {
  stop();
}

void WitnessLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WitnessLoop::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto outcomes = client_->round();
    if (!outcomes) {
      std::cerr << "witnesses: " << outcomes.error().message() << std::endl;
    } else {
      for (const WitnessOutcome& outcome : *outcomes) {
        if (outcome.attempted && !outcome.cosigned) {
          std::cerr << "witness " << outcome.name << ": " << outcome.message << std::endl;
        }
      }
    }
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace safehouse::cli
