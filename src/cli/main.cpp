// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/main.cpp: the `safehouse` command. Each subcommand registers itself
// from its own file (cli/commands.h); this file only wires them together and
// turns every failure into one "safehouse: error: ..." line and exit status 1.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "crypto/sodium_init.h"

namespace safehouse::cli {

void exit_on_error(const Result<void>& result) {
  if (result) return;
  std::cerr << "safehouse: error: " << result.error().message() << '\n';
  // CLI11 prints nothing for a RuntimeError; App::exit() returns its code.
  throw CLI::RuntimeError(1);
}

}  // namespace safehouse::cli

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  CLI::App app{"Safehouse: secure first contact and verification", "safehouse"};
  app.require_subcommand(1);
  // Usage errors get the same one-line shape and exit status as runtime ones.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("safehouse: error: ") + e.what() + " (see --help)\n";
  });
  safehouse::cli::add_keygen_command(app);
  safehouse::cli::add_encrypt_command(app);
  safehouse::cli::add_decrypt_command(app);
  safehouse::cli::add_rewrap_command(app);
  safehouse::cli::add_init_command(app);
  safehouse::cli::add_serve_command(app);
  safehouse::cli::add_review_command(app);
  safehouse::cli::add_torrc_command(app);
  safehouse::cli::add_migrate_command(app);
  safehouse::cli::add_statement_command(app);
  safehouse::cli::add_witness_command(app);
  safehouse::cli::add_reviewer_command(app);
  safehouse::cli::add_audit_command(app);
  safehouse::cli::add_log_command(app);
  safehouse::cli::add_observe_command(app);
  safehouse::cli::add_export_command(app);
  safehouse::cli::add_recipients_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    // Exhaustion or a bug; never user content.
    std::cerr << "safehouse: error: internal: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
