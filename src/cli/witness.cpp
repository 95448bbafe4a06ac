// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/witness.cpp: `safehouse witness serve --state DIR --listen HOST:PORT
// --log ORIGIN=VERIFIER_KEY... [--name NAME]`: a C2SP tlog-witness
// (https://c2sp.org/tlog-witness) that an observer runs for an
// installation. POST /add-checkpoint is decided by tlog's
// witness_add_checkpoint (400/403/404/409/422 as the spec says); the state
// is a directory: DIR/witness.key (the cosigning key, made on first start)
// and DIR/logs/<SHA-256 of the origin> (the last checkpoint cosigned for
// that log). A decision and the state it leaves are one step under one
// mutex, and the new state is on disk before the cosignature is returned.
#include "tlog/witness.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/published_file.h"
#include "config/config.h"
#include "config/log_key.h"
#include "http/server.h"
#include "store/file_system.h"
#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"
#include "tlog/note_key.h"

namespace safehouse::cli {
namespace {

constexpr std::size_t kMaxStateBytes = 64 * 1024;
// An add-checkpoint body: 63 proof lines and a note with its signatures.
constexpr std::size_t kMaxRequestBytes = 256 * 1024;

struct WitnessOptions {
  std::string state;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> logs;
  std::string name = "safehouse-witness";
};

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

Result<void> write_state_file(const std::filesystem::path& path, std::string_view text) {
  auto output = SAFEHOUSE_TRY(OutputFile::open(path.string(), Existing::kReplace));
  SAFEHOUSE_TRY_VOID(output->write(as_bytes(text)));
  return output->finish();
}

// The cosigning key: DIR/witness.key, made on first start.
Result<tlog::Ed25519Key> load_or_make_key(const std::filesystem::path& dir,
                                          const std::string& name) {
  const std::filesystem::path path = dir / "witness.key";
  if (!std::filesystem::exists(path)) {
    if (!tlog::is_valid_key_name(name))
      return invalid_argument("witness: --name is not a key name");
    const config::LogKey made = config::LogKey::generate(name);
    const crypto::SecretBytes text = made.private_key_text();
    auto output = SAFEHOUSE_TRY(OutputFile::open(path.string(), Existing::kRefuse));
    SAFEHOUSE_TRY_VOID(output->write(text.reveal()));
    SAFEHOUSE_TRY_VOID(output->finish());
  }
  const crypto::SecretBytes text = SAFEHOUSE_TRY(read_key_file(path.string(), 4096));
  auto key = tlog::Ed25519Key::parse_private_key(text_of(text.reveal()));
  if (!key) return key.error().with_context(path.string());
  return std::move(*key);
}

// One log the witness follows.
struct Followed {
  std::unique_ptr<tlog::NoteVerifier> key;
  std::filesystem::path state_file;
  std::optional<tlog::Checkpoint> cosigned;  // as on disk; nullopt: none yet
};

// Reads a log's state file: nullopt if there is none; an error (the
// witness refuses to start) if it does not parse, rather than forget what
// it cosigned.
Result<std::optional<tlog::Checkpoint>> read_state(const std::filesystem::path& path) {
  auto bytes = store::FileSystem::posix().read_file(path, kMaxStateBytes);
  if (!bytes) {
    if (bytes.error().code() == ErrorCode::kNotFound) return std::nullopt;
    return bytes.error().with_context(path.string());
  }
  auto checkpoint = tlog::parse_checkpoint(text_of(*bytes));
  if (!checkpoint) return checkpoint.error().with_context(path.string());
  return std::optional(std::move(*checkpoint));
}

class Witness {
 public:
  Witness(std::map<std::string, Followed, std::less<>> logs, tlog::CosignatureV1Signer signer)
      : logs_(std::move(logs)), signer_(std::move(signer)) {}

  http::Response add_checkpoint(const http::Request& request) {
    std::lock_guard lock(mu_);
    const tlog::NoteSigner* cosigners[] = {&signer_};
    tlog::WitnessReply reply = tlog::witness_add_checkpoint(
        request.body(),
        [this](std::string_view origin) -> std::optional<tlog::WitnessedLog> {
          auto found = logs_.find(origin);
          if (found == logs_.end()) return std::nullopt;
          tlog::WitnessedLog log;
          log.keys = {found->second.key.get()};
          if (found->second.cosigned) {
            log.size = found->second.cosigned->size;
            log.root = found->second.cosigned->root;
          }
          return log;
        },
        cosigners);
    if (reply.status == 200 && reply.cosigned) {
      auto found = logs_.find(reply.cosigned->origin);
      auto saved =
          write_state_file(found->second.state_file, tlog::format_checkpoint(*reply.cosigned));
      // Never hand out a cosignature the witness could forget.
      if (!saved) return http::Response::text("witness: cannot save its state\n", 500);
      found->second.cosigned = std::move(reply.cosigned);
    }
    return http::Response(static_cast<unsigned>(reply.status), reply.content_type,
                          std::move(reply.body));
  }

 private:
  std::mutex mu_;
  std::map<std::string, Followed, std::less<>> logs_;
  tlog::CosignatureV1Signer signer_;
};

Result<void> run_witness(const WitnessOptions& options) {
  ::umask(077);
  const std::filesystem::path dir = options.state;
  std::error_code ec;
  std::filesystem::create_directories(dir / "logs", ec);
  if (ec) return io_error("witness: " + dir.string() + ": " + ec.message());
  const config::ListenAddress listen = SAFEHOUSE_TRY(config::parse_listen_address(options.listen));

  std::map<std::string, Followed, std::less<>> logs;
  for (const std::string& spec : options.logs) {
    const auto equals = spec.find('=');
    if (equals == std::string::npos || equals == 0) {
      return invalid_argument("witness: --log must be ORIGIN=VERIFIER_KEY");
    }
    const std::string origin = spec.substr(0, equals);
    auto key = tlog::parse_verifier_key(spec.substr(equals + 1));
    if (!key) return key.error().with_context("witness: --log " + origin);
    const std::string file = hex(crypto::sha256(as_bytes(origin)));
    const std::filesystem::path state_file = dir / "logs" / file;
    auto cosigned = SAFEHOUSE_TRY(read_state(state_file));
    logs[origin] = Followed{std::move(*key), state_file, std::move(cosigned)};
  }
  tlog::Ed25519Key key = SAFEHOUSE_TRY(load_or_make_key(dir, options.name));
  tlog::CosignatureV1Signer signer(std::move(key), [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  });
  const std::string verifier_key = signer.verifier_key();
  Witness witness(std::move(logs), std::move(signer));

  http::Router router;
  router.post(
      "/add-checkpoint",
      [&witness](http::Request& request) { return witness.add_checkpoint(request); },
      http::RouteOptions{kMaxRequestBytes, http::Pool::kWorker});
  http::Server server;
  SAFEHOUSE_TRY_VOID(server.add_listener("witness", listen.host, listen.port, router,
                                         http::SecurityHeaders::staff_defaults()));
  std::cout << "Witness " << verifier_key << "\n  listening on http://" << listen.host << ":"
            << server.port("witness") << "/add-checkpoint\n"
            << std::flush;
  server.run();
  return {};
}

}  // namespace

void add_witness_command(CLI::App& app) {
  auto options = std::make_shared<WitnessOptions>();
  CLI::App* cmd = app.add_subcommand("witness", "Run a tlog-witness for Safehouse logs");
  cmd->require_subcommand(1);
  CLI::App* serve = cmd->add_subcommand("serve", "Cosign the checkpoints of the logs given");
  serve->add_option("--state", options->state, "The witness's state directory")->required();
  serve->add_option("--listen", options->listen, "Address HOST:PORT")->capture_default_str();
  serve->add_option("--log", options->logs, "A log to witness: ORIGIN=VERIFIER_KEY (repeatable)")
      ->required();
  serve->add_option("--name", options->name, "The witness key's name (first start only)")
      ->capture_default_str();
  serve->callback([options] { exit_on_error(run_witness(*options)); });
}

}  // namespace safehouse::cli
