// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/reviewer.cpp: `safehouse reviewer add|remove|list --data DIR`: the
// administrator registers reviewers' public keys (review/workflow.h). `add`
// makes the reviewer's keys and hands them over once: to --identity-out
// FILE (mode 0600, for command-line use), or sealed with a passphrase shown
// once in DIR/reviewers/NAME.age (the browser enrolment link is a later
// step). The server keeps only the public keys.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "age/age.h"
#include "age/scrypt.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/workflow_session.h"
#include "intake/sources.h"

namespace safehouse::cli {
namespace {

struct ReviewerOptions {
  std::string data;
  std::string name;
  std::string identity_out;
};

// The administrator at the server's command line.
constexpr const char* kAdminActor = "admin";

// Writes `text` to `path` (mode 0600, never over an existing file).
Result<void> write_key_file(const std::string& path, ByteSpan text) {
  auto out = SAFEHOUSE_TRY(OutputFile::open(path, Existing::kRefuse));
  SAFEHOUSE_TRY_VOID(out->write(text));
  return out->finish();
}

// The key file sealed with a new passphrase, as `init` seals its reviewer.
Result<void> write_sealed_key_file(const std::string& path, const crypto::SecretBytes& text,
                                   const crypto::SecretBytes& passphrase) {
  auto out = SAFEHOUSE_TRY(OutputFile::open(path, Existing::kRefuse));
  age::ScryptRecipient recipient(crypto::SecretBytes::copy_of(passphrase.reveal()));
  const age::Recipient* recipients[] = {&recipient};
  auto encryptor = SAFEHOUSE_TRY(age::encrypt(recipients, *out));
  SAFEHOUSE_TRY_VOID(encryptor->write(text.reveal()));
  SAFEHOUSE_TRY_VOID(encryptor->finish());
  return out->finish();
}

Result<void> run_add(const ReviewerOptions& options) {
  SAFEHOUSE_TRY_VOID(review::check_reviewer_name(options.name));
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  const review::ReviewerKeys keys = review::ReviewerKeys::generate();
  const crypto::SecretBytes text = review::reviewer_key_file(keys, options.name);
  const bool sealed = options.identity_out.empty();
  const std::string path = sealed
                               ? session.installation->layout().reviewer_file(options.name).string()
                               : options.identity_out;
  crypto::SecretBytes passphrase;
  if (sealed) {
    passphrase = config::generate_passphrase();
    SAFEHOUSE_TRY_VOID(write_sealed_key_file(path, text, passphrase));
  } else {
    SAFEHOUSE_TRY_VOID(write_key_file(path, text.reveal()));
  }
  auto added = session.workflow->add_reviewer(options.name, keys, kAdminActor);
  if (!added) {
    ::unlink(path.c_str());  // keys of no reviewer
    return added.error();
  }
  std::cout << "Added reviewer " << added->name << "\n  age recipient: " << added->recipient
            << "\n  signing key:   " << review::signing_key_text(added->signing_key) << "\n";
  if (sealed) {
    const auto secret = passphrase.reveal();
    std::cout << "Keys: " << path << ", encrypted with this passphrase, shown only now:\n  "
              << std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size())
              << "\n(The one-time enrolment link for the browser is not built yet.)\n";
  } else {
    std::cout << "Keys (age identity and signing key): " << path
              << " (mode 0600). Hand it to the reviewer and delete it here.\n";
  }
  std::cout << "Not yet in the recipient set: new submissions are encrypted to "
            << session.installation->layout().recipients_file().string()
            << " only (changing it is a later step).\n";
  return {};
}

Result<void> run_remove(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  SAFEHOUSE_TRY_VOID(session.workflow->remove_reviewer(options.name, kAdminActor));
  std::cout << "Removed reviewer " << options.name
            << "; their approvals are refused from now on.\n";
  return {};
}

Result<void> run_list(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  const auto reviewers = SAFEHOUSE_TRY(session.workflow->reviewers());
  std::cout << std::left << std::setw(24) << "NAME" << std::setw(9) << "STATUS" << std::setw(12)
            << "ADDED" << std::setw(12) << "REMOVED" << std::setw(64) << "RECIPIENT"
            << "SIGNING KEY\n";
  for (const auto& r : reviewers) {
    std::cout << std::left << std::setw(24) << r.name << std::setw(9)
              << (r.active() ? "active" : "removed") << std::setw(12)
              << intake::format_day(r.added_day) << std::setw(12)
              << (r.active() ? "-" : intake::format_day(r.removed_day)) << std::setw(64)
              << r.recipient << review::signing_key_text(r.signing_key) << "\n";
  }
  if (reviewers.empty()) std::cout << "(no reviewers)\n";
  return {};
}

}  // namespace

void add_reviewer_command(CLI::App& app) {
  auto options = std::make_shared<ReviewerOptions>();
  CLI::App* reviewer = app.add_subcommand("reviewer", "Reviewer accounts: add, remove, list");
  reviewer->require_subcommand(1);
  auto data = [&](CLI::App* cmd) {
    cmd->add_option("--data", options->data, "The installation's data directory")->required();
  };

  CLI::App* add = reviewer->add_subcommand("add", "A new reviewer with new keys");
  data(add);
  add->add_option("name", options->name, "The reviewer's name (a-z A-Z 0-9 . _ -)")->required();
  add->add_option("--identity-out", options->identity_out,
                  "Write the reviewer's keys (age identity and signing key) to FILE, mode "
                  "0600 (default: DIR/reviewers/NAME.age, sealed with a passphrase shown once)");
  add->callback([options] { exit_on_error(run_add(*options)); });

  CLI::App* remove = reviewer->add_subcommand("remove", "Remove a reviewer");
  data(remove);
  remove->add_option("name", options->name, "The reviewer's name")->required();
  remove->callback([options] { exit_on_error(run_remove(*options)); });

  CLI::App* list = reviewer->add_subcommand("list", "List reviewers and their public keys");
  data(list);
  list->callback([options] { exit_on_error(run_list(*options)); });
}

}  // namespace safehouse::cli
