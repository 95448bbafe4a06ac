// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/init.cpp: `safehouse init --data DIR [--demo] [--organisation NAME]
// [--log-key-passphrase-file FILE] [--database postgresql://… [--join --log-key FILE]]`:
// creates an installation (config/installation.h) and prints, once, what
// the administrator must keep: the log verifier key to publish, the
// reviewer identity's passphrase and (unless written to a file) the log
// key's; or joins a further server to the installation in a PostgreSQL
// database. Never overwrites an installation.
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
  std::string log_key_passphrase_file;
  std::string database;
  bool join = false;
  std::string log_key;
};

// Where the log key's passphrase is, or the passphrase itself, once.
void print_log_key(const config::InitResult& result, const config::InitOptions& init) {
  if (init.log_key_passphrase_file.empty()) {
    const auto log_passphrase = result.log_key_passphrase.reveal();
    std::cout << "\nLog key: " << result.layout.log_key_file().string()
              << ", encrypted with this passphrase,\n"
              << "which `serve` needs at every start (typed, or from a systemd credential named "
              << config::kLogKeyCredential << ";\ndocs/installation.md). Shown only now:\n  "
              << std::string_view(reinterpret_cast<const char*>(log_passphrase.data()),
                                  log_passphrase.size())
              << "\n";
  } else {
    std::cout << "\nLog key: " << result.layout.log_key_file().string()
              << ", encrypted; its passphrase is in\n  " << init.log_key_passphrase_file.string()
              << "\n(outside the data directory; config.toml names it, so `serve` needs no "
                 "prompt).\n";
  }
}

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
  init.log_key_passphrase_file = options.log_key_passphrase_file;
  // The demo must start without a prompt: its passphrase goes next to DIR.
  if (options.demo && init.log_key_passphrase_file.empty()) {
    init.log_key_passphrase_file = config::demo_log_key_passphrase_file(options.data);
  }
  const config::InitResult result =
      SAFEHOUSE_TRY(config::create_installation(options.data, init, store::FileSystem::posix()));
  if (result.joined) {
    print_joined(result);
    print_log_key(result, init);
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
  print_log_key(result, init);
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
  cmd->add_option("--log-key-passphrase-file", options->log_key_passphrase_file,
                  "Write the log key's passphrase to this file (outside DIR; config.toml names "
                  "it so serve starts without a prompt). --demo: DIR.log-key-passphrase");
  cmd->add_option("--database", options->database,
                  "A postgresql://USER@HOST/DB URL: keep the records there, for several "
                  "servers (default: SQLite in the data directory)");
  cmd->add_flag("--join", options->join,
                "Join the installation already in --database as a further server");
  cmd->add_option("--log-key", options->log_key,
                  "With --join: the first server's log key in clear (safehouse decrypt "
                  "DIR/keys/log.key.age)");
  cmd->callback([options] { exit_on_error(run_init(*options)); });
}

}  // namespace safehouse::cli
