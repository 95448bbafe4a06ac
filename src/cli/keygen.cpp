// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/keygen.cpp: `safehouse keygen [-o FILE]`, like age-keygen. Writes an
// identity file (public key comment and secret key line, mode 0600) and
// prints the public key to stderr. Unlike age-keygen it writes no
// "# created:" date: a timestamp is identifying metadata.
#include <iostream>
#include <memory>
#include <string>

#include "age/x25519.h"
#include "cli/commands.h"
#include "cli/files.h"

namespace safehouse::cli {
namespace {

struct KeygenOptions {
  std::string output;
};

Result<void> run_keygen(const KeygenOptions& options) {
  // Never overwrite: a replaced identity file loses every file encrypted to it.
  auto out = SAFEHOUSE_TRY(OutputFile::open(options.output, Existing::kRefuse));
  auto identity = age::X25519Identity::generate();
  std::string public_key = identity.recipient().to_string();
  std::string comment = "# public key: " + public_key + "\n";
  SAFEHOUSE_TRY_VOID(out->write(as_bytes(comment)));
  crypto::SecretBytes secret = identity.to_string();
  SAFEHOUSE_TRY_VOID(out->write(secret.reveal()));
  SAFEHOUSE_TRY_VOID(out->write(as_bytes("\n")));
  SAFEHOUSE_TRY_VOID(out->finish());
  std::cerr << "Public key: " << public_key << '\n';
  return {};
}

}  // namespace

void add_keygen_command(CLI::App& app) {
  auto options = std::make_shared<KeygenOptions>();
  CLI::App* cmd = app.add_subcommand("keygen", "Generate an age X25519 identity (like age-keygen)");
  cmd->add_option("-o,--output", options->output,
                  "Write the identity to FILE (created with mode 0600, never overwritten) "
                  "instead of stdout");
  cmd->callback([options] { exit_on_error(run_keygen(*options)); });
}

}  // namespace safehouse::cli
