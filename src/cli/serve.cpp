// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/serve.cpp: `safehouse serve --data DIR [--source-listen H:P]
// [--staff-listen H:P]`: opens the installation and runs the source and
// staff listeners until SIGTERM or SIGINT. Prints where they listen and points
// to `safehouse torrc` for the onion services; logs nothing
// about any request.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/passphrase.h"
#include "config/installation.h"
#include "crypto/process_hardening.h"
#include "http/server.h"
#include "http/session_store.h"
#include "http/source_routes.h"
#include "http/staff_routes.h"
#include "intake/intake.h"
#include "web/renderer.h"

namespace safehouse::cli {
namespace {

struct ServeOptions {
  std::string data;
  std::string source_listen;
  std::string staff_listen;
};

std::string url_of(const config::ListenAddress& address, std::uint16_t port) {
  config::ListenAddress bound = address;
  bound.port = port;
  return "http://" + bound.to_string() + "/";
}

Result<void> apply_overrides(const ServeOptions& options, config::Config& config) {
  if (!options.source_listen.empty()) {
    auto address = config::parse_listen_address(options.source_listen);
    if (!address) return address.error().with_context("--source-listen");
    config.source_listen = *address;
  }
  if (!options.staff_listen.empty()) {
    auto address = config::parse_listen_address(options.staff_listen);
    if (!address) return address.error().with_context("--staff-listen");
    config.staff_listen = *address;
  }
  return {};
}

void print_start(const config::Config& config, const http::Server& server) {
  const auto source_port = server.port("source");
  const auto staff_port = server.port("staff");
  std::cout << "Safehouse is serving " << config.organisation_name << ".\n"
            << "  Source pages:  " << url_of(config.source_listen, source_port) << "\n"
            << "  Staff:         " << url_of(config.staff_listen, staff_port)
            << "  (metrics at /metrics)\n\n"
            << "Each listener belongs behind its own Tor onion service, the staff one with\n"
            << "client authorisation: `safehouse torrc --data DIR` prints the torrc lines.\n\n"
            << "Stop with Ctrl-C or SIGTERM." << std::endl;
}

Result<void> run_serve(const ServeOptions& options) {
  // Before any secret is in memory: no core dump, no ptrace (docs/secrets.md).
  SAFEHOUSE_TRY_VOID(crypto::disable_core_dumps());
  // Everything this process creates in the data directory (the database
  // included, which SQLite creates itself) is for its owner alone.
  ::umask(077);
  auto installation =
      SAFEHOUSE_TRY(config::Installation::open(options.data, store::FileSystem::posix()));
  config::Config& config = installation->mutable_config();
  SAFEHOUSE_TRY_VOID(apply_overrides(options, config));
  if (!installation->log_key_unlocked()) {
    if (::isatty(STDIN_FILENO) == 0 && std::getenv(kPassphraseEnv) == nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   "serve: the log key is encrypted and no passphrase was given: name a file in "
                   "config.toml (keys.log_key_passphrase_file), set a systemd credential " +
                       std::string(config::kLogKeyCredential) +
                       ", or start serve on a terminal (docs/installation.md)");
    }
    crypto::SecretBytes passphrase =
        SAFEHOUSE_TRY(read_passphrase("Log key passphrase: ", Confirm::kNo));
    SAFEHOUSE_TRY_VOID(installation->unlock_log_key(passphrase));
  }

  intake::IntakeOptions intake_options;
  intake_options.recipients = installation->recipients();
  intake_options.limits.max_message_bytes = config.limits.max_message_bytes;
  intake::Intake intake(installation->store(), std::move(intake_options));
  const web::Renderer renderer =
      SAFEHOUSE_TRY(web::Renderer::create(web::SiteInfo{config.organisation_name}));
  http::SessionStore sessions(std::chrono::minutes(config.session_idle_minutes));

  http::SourceContext source{
      http::SourceSite{config.organisation_name, installation->verifier_key(),
                       installation->recipient_strings(), config.limits.max_upload_bytes},
      intake, renderer, sessions};
  http::Router source_router;
  http::add_source_routes(source_router, source);

  http::Server server;
  http::StaffContext staff{intake, renderer, [&server] { return server.stats(); }};
  http::Router staff_router;
  http::add_staff_routes(staff_router, staff);

  SAFEHOUSE_TRY_VOID(server.add_listener("source", config.source_listen.host,
                                         config.source_listen.port, source_router,
                                         http::SecurityHeaders::source_defaults()));
  SAFEHOUSE_TRY_VOID(server.add_listener("staff", config.staff_listen.host,
                                         config.staff_listen.port, staff_router,
                                         http::SecurityHeaders::staff_defaults()));
  // An expired session's codename-derived keys are freed (wiped) within a
  // quarter of the idle time, even if no request comes to trigger a sweep.
  const std::chrono::milliseconds idle = std::chrono::minutes(config.session_idle_minutes);
  server.every(std::clamp<std::chrono::milliseconds>(idle / 4, std::chrono::seconds(1),
                                                     std::chrono::seconds(60)),
               [&sessions] { sessions.sweep(); });
  print_start(config, server);
  server.run();
  std::cout << "Stopped." << std::endl;
  return {};
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the source and staff listeners");
  cmd->add_option("--data", options->data, "The installation's data directory")->required();
  cmd->add_option("--source-listen", options->source_listen,
                  "Source listener address HOST:PORT (default from config.toml)");
  cmd->add_option("--staff-listen", options->staff_listen,
                  "Staff listener address HOST:PORT (default from config.toml)");
  cmd->callback([options] { exit_on_error(run_serve(*options)); });
}

}  // namespace safehouse::cli
