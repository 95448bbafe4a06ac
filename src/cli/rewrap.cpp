// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/rewrap.cpp: `safehouse rewrap -i IDENTITY_FILE... -r NEW_RECIPIENT
// [-o OUTPUT] [INPUT]`: the same age file with the file key also wrapped to
// NEW_RECIPIENT. The payload is copied, not decrypted. Armored input gives
// armored output.
#include <memory>
#include <string>
#include <vector>

#include "age/age.h"
#include "age/armor.h"
#include "age/x25519.h"
#include "cli/age_io.h"
#include "cli/commands.h"

namespace safehouse::cli {
namespace {

struct RewrapOptions {
  std::vector<std::string> identity_files;
  std::string recipient;
  std::string output;
  std::string input;
};

Result<void> run_rewrap(const RewrapOptions& options) {
  auto identities = SAFEHOUSE_TRY(load_identities(options.identity_files));
  auto parsed = age::X25519Recipient::parse(options.recipient);
  if (!parsed) return parsed.error().with_context("-r/--recipient");
  auto input = SAFEHOUSE_TRY(AgeInput::open(options.input));
  auto out = SAFEHOUSE_TRY(OutputFile::open(options.output, Existing::kReplace));
  if (!input.armored() && out->is_terminal()) {
    return invalid_argument("refusing to write binary ciphertext to a terminal; use -o FILE");
  }
  std::unique_ptr<ByteSink> armored;
  ByteSink* target = out.get();
  if (input.armored()) {
    armored = age::armor_writer(*out);
    target = armored.get();
  }
  FinishOnceSink once(*target);
  auto raw = raw_pointers(identities);
  SAFEHOUSE_TRY_VOID(age::rewrap(raw, *parsed, input.source(), once));
  return once.finish();
}

}  // namespace

void add_rewrap_command(CLI::App& app) {
  auto options = std::make_shared<RewrapOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rewrap", "Give one more recipient access to an age file without re-encrypting it");
  cmd->add_option("-i,--identity", options->identity_files,
                  "Identity file that can open the file (repeatable)")

      ->allow_extra_args(false)
      ->required();
  cmd->add_option("-r,--recipient", options->recipient, "The new age1... recipient")->required();
  cmd->add_option("-o,--output", options->output,
                  "Write to this file (mode 0600; replaced only on success) instead of stdout");
  cmd->add_option("input", options->input, "The age file (default: stdin)");
  cmd->callback([options] { exit_on_error(run_rewrap(*options)); });
}

}  // namespace safehouse::cli
