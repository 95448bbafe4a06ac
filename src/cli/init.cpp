// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/init.cpp: `safehouse init --data DIR [--demo] [--organisation NAME]
// [--database postgresql://… [--join --log-key FILE]]`: creates an
// installation (config/installation.h) and prints, once, what the
// administrator must keep: the log verifier key to publish and the reviewer
// identity's passphrase; or joins a further server to the installation in
// a PostgreSQL database. Never overwrites an installation.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/installation.h"

namespace safehouse::cli {
namespace {

struct InitCommandOptions {
  std::string data;
  std::string organisation = "Safehouse";
  bool demo = false;
  std::string database;
  bool join = false;
  std::string log_key;
};

void print_joined(const config::InitResult& result) {
  std::cout << "Joined the installation in the database; this server's directory is "
            << result.layout.dir.string() << ".\n\n"
            << "Log verifier key (the installation's, unchanged):\n  " << result.verifier_key
            << "\n\n"
            << "Blobs (large submissions) are kept in DIR/blobs of the server that received "
               "them:\nmount one shared directory there on every server (docs/storage.md).\n"
            << "\nNext: safehouse serve --data " << result.layout.dir.string() << "\n";
}

Result<void> run_init(const InitCommandOptions& options) {
  // Everything this process creates in the data directory (the database
  // included, which SQLite creates itself) is for its owner alone.
  ::umask(077);
  config::InitOptions init;
  init.organisation_name = options.organisation;
  init.demo = options.demo;
  init.database = options.database;
  init.join = options.join;
  init.log_key_file = options.log_key;
  const config::InitResult result =
      SAFEHOUSE_TRY(config::create_installation(options.data, init, store::FileSystem::posix()));
  if (result.joined) {
    print_joined(result);
    return {};
  }
  const auto& layout = result.layout;
  const auto passphrase = result.reviewer_passphrase.reveal();
  std::cout << "Created a Safehouse installation in " << layout.dir.string() << "\n\n"
            << "Log verifier key (publish it out of band, e.g. on your website):\n  "
            << result.verifier_key << "\n\n"
            << "Reviewer recipient (new submissions are encrypted to it):\n  "
            << result.reviewer_recipient << "\n\n"
            << "Reviewer identity: " << layout.reviewer_file("reviewer").string()
            << ", encrypted with this passphrase.\n"
            << "It is shown only now and stored nowhere; write it down:\n  "
            << std::string_view(reinterpret_cast<const char*>(passphrase.data()), passphrase.size())
            << "\n";
  if (options.demo) {
    std::cout << "\nDEMO ONLY: the reviewer identity is also in "
              << layout.demo_identity_file().string()
              << ", unencrypted.\nAnyone who can read that file can read every submission. "
                 "Never use --demo for real sources.\n";
  }
  std::cout << "\nNext: safehouse serve --data " << layout.dir.string() << "\n";
  return {};
}

}  // namespace

void add_init_command(CLI::App& app) {
  auto options = std::make_shared<InitCommandOptions>();
  CLI::App* cmd = app.add_subcommand("init", "Create a new installation in a data directory");
  cmd->add_option("--data", options->data,
                  "The data directory to create (must not exist or be empty)")
      ->required();
  cmd->add_option("--organisation", options->organisation,
                  "The organisation's name, shown on every source page")
      ->capture_default_str();
  cmd->add_flag("--demo", options->demo,
                "Also write the reviewer identity unencrypted to DIR/demo-reviewer.key "
                "(for trying Safehouse out; never with real sources)");
  cmd->add_option("--database", options->database,
                  "A postgresql://USER@HOST/DB URL: keep the records there, for several "
                  "servers (default: SQLite in the data directory)");
  cmd->add_flag("--join", options->join,
                "Join the installation already in --database as a further server");
  cmd->add_option("--log-key", options->log_key,
                  "With --join: a copy of the first server's DIR/keys/log.key");
  cmd->callback([options] { exit_on_error(run_init(*options)); });
}

}  // namespace safehouse::cli
