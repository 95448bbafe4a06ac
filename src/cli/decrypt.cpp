// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/decrypt.cpp: `safehouse decrypt [-i IDENTITY_FILE]... [-o OUTPUT]
// [INPUT]`, like `age -d`. Armor is detected. Without -i the file must be
// passphrase-encrypted and the passphrase is asked for. With -o a failed
// decryption leaves no file; on stdout, plaintext already written before a
// failure (a later chunk failing authentication) cannot be taken back.
#include <memory>
#include <string>
#include <vector>

#include "age/age.h"
#include "cli/age_io.h"
#include "cli/commands.h"
#include "cli/passphrase.h"

namespace safehouse::cli {
namespace {

struct DecryptOptions {
  std::vector<std::string> identity_files;
  std::string output;
  std::string input;
};

Result<void> run_decrypt(const DecryptOptions& options) {
  using Mode = PassphrasePromptIdentity::Mode;
  std::vector<std::unique_ptr<age::Identity>> identities;
  if (options.identity_files.empty()) {
    identities.push_back(std::make_unique<PassphrasePromptIdentity>(Mode::kAsk));
  } else {
    identities = SAFEHOUSE_TRY(load_identities(options.identity_files));
    identities.push_back(std::make_unique<PassphrasePromptIdentity>(Mode::kRefuse));
  }
  auto input = SAFEHOUSE_TRY(AgeInput::open(options.input));
  auto out = SAFEHOUSE_TRY(OutputFile::open(options.output, Existing::kReplace));
  auto raw = raw_pointers(identities);
  auto result = age::decrypt(raw, input.source(), *out);
  if (!result && result.error().code() == ErrorCode::kNoMatch && options.identity_files.empty()) {
    return Error(ErrorCode::kNoMatch, "the file is not passphrase-encrypted: use -i IDENTITY_FILE");
  }
  // On failure `out` is destroyed unfinished, which removes its temporary file.
  return result;
}

}  // namespace

void add_decrypt_command(CLI::App& app) {
  auto options = std::make_shared<DecryptOptions>();
  CLI::App* cmd = app.add_subcommand("decrypt", "Decrypt an age file (binary or armored)");
  cmd->add_option("-i,--identity", options->identity_files,
                  "Identity file with AGE-SECRET-KEY-1... lines (repeatable). Without -i, "
                  "asks for the passphrase (or reads $SAFEHOUSE_PASSPHRASE)")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", options->output,
                  "Write to this file (mode 0600; created only on success) instead of stdout");
  cmd->add_option("input", options->input, "File to decrypt (default: stdin)");
  cmd->footer(
      "With -o, a failed decryption leaves no file (and an existing one untouched). Without -o, "
      "plaintext streams to stdout as it is authenticated, chunk by chunk: if a later chunk "
      "fails, what came before it was already written; the exit status is then 1.");
  cmd->callback([options] { exit_on_error(run_decrypt(*options)); });
}

}  // namespace safehouse::cli
