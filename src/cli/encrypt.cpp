// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/encrypt.cpp: `safehouse encrypt`, with age's flags: -r RECIPIENT...,
// -R RECIPIENTS_FILE..., or -p (passphrase); -a for armor; -o OUTPUT; INPUT.
// stdin/stdout when INPUT/OUTPUT are absent or "-".
#include <sched.h>

#include <memory>
#include <string>
#include <vector>

#include "age/age.h"
#include "age/armor.h"
#include "age/scrypt.h"
#include "cli/age_io.h"
#include "cli/commands.h"
#include "cli/passphrase.h"

namespace safehouse::cli {
namespace {

struct EncryptOptions {
  std::vector<std::string> recipients;
  std::vector<std::string> recipient_files;
  bool passphrase = false;
  bool armor = false;
  std::string output;
  std::string input;
};

Result<std::vector<std::unique_ptr<age::Recipient>>> choose_recipients(
    const EncryptOptions& options) {
  bool has_keys = !options.recipients.empty() || !options.recipient_files.empty();
  if (options.passphrase && has_keys) {
    return invalid_argument("-p/--passphrase can't be combined with -r/--recipient or -R");
  }
  if (!options.passphrase && !has_keys) {
    return invalid_argument("missing recipients: use -r, -R or -p");
  }
  if (!options.passphrase) return load_recipients(options.recipients, options.recipient_files);
  auto passphrase = SAFEHOUSE_TRY(read_passphrase("Enter passphrase: ", Confirm::kYes));
  std::vector<std::unique_ptr<age::Recipient>> one;
  one.push_back(std::make_unique<age::ScryptRecipient>(std::move(passphrase)));
  return one;
}

// Two sealing threads if this process may run on two CPUs at least, else
// one: a second thread on the same core only adds context switches (about
// 15% of encrypt time with `taskset -c 1`, bench/RESULTS.md).
unsigned sealing_threads() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (::sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 2;
  return CPU_COUNT(&cpus) >= 2 ? 2 : 1;
}

Result<void> run_encrypt(const EncryptOptions& options) {
  auto recipients = SAFEHOUSE_TRY(choose_recipients(options));
  auto input = SAFEHOUSE_TRY(InputFile::open(options.input));
  auto out = SAFEHOUSE_TRY(OutputFile::open(options.output, Existing::kReplace));
  if (!options.armor && out->is_terminal()) {
    return invalid_argument(
        "refusing to write binary ciphertext to a terminal; use -a/--armor or -o FILE");
  }
  std::unique_ptr<ByteSink> armored;
  ByteSink* target = out.get();
  if (options.armor) {
    armored = age::armor_writer(*out);
    target = armored.get();
  }
  auto raw = raw_pointers(recipients);
  // One big file, one process: seal chunks on two threads where two CPUs
  // are ours (the server decides for itself). Same bytes, constant memory.
  auto plaintext =
      SAFEHOUSE_TRY(age::encrypt(raw, *target, age::EncryptOptions{.threads = sealing_threads()}));
  SAFEHOUSE_TRY_VOID(copy_stream(*input, *plaintext));
  return plaintext->finish();
}

}  // namespace

void add_encrypt_command(CLI::App& app) {
  auto options = std::make_shared<EncryptOptions>();
  CLI::App* cmd = app.add_subcommand("encrypt", "Encrypt to age recipients or a passphrase");
  cmd->add_option("-r,--recipient", options->recipients,
                  "Encrypt to this age1... public key (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-R,--recipients-file", options->recipient_files,
                  "Encrypt to the age1... keys listed in this file (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("-p,--passphrase", options->passphrase,
                "Encrypt with a passphrase (asked on the terminal, or from $SAFEHOUSE_PASSPHRASE)");
  cmd->add_flag("-a,--armor", options->armor, "Write PEM-like ASCII armor");
  cmd->add_option("-o,--output", options->output,
                  "Write to this file (mode 0600; replaced only on success) instead of stdout");
  cmd->add_option("input", options->input, "File to encrypt (default: stdin)");
  cmd->callback([options] { exit_on_error(run_encrypt(*options)); });
}

}  // namespace safehouse::cli
