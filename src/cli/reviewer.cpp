// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/reviewer.cpp: `safehouse reviewer add|remove|list|unlock --data DIR`:
// the administrator registers reviewers' public keys (review/workflow.h)
// and their staff accounts (review/accounts.h). `add` prints a one-time
// enrolment link for the staff listener: there the reviewer's browser makes
// their keys (the server never sees them) and stores them encrypted under
// their passphrase. With --identity-out FILE the keys are also made here and
// written to FILE (mode 0600, for command-line use); the browser then
// imports that file at enrolment. The server keeps only the public keys.
#include <unistd.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/workflow_session.h"
#include "intake/sources.h"
#include "review/accounts.h"

namespace safehouse::cli {
namespace {

struct ReviewerOptions {
  std::string data;
  std::string name;
  std::string identity_out;
  bool new_keys = false;
};

// The administrator at the server's command line.
constexpr const char* kAdminActor = "admin";

// Writes `text` to `path` (mode 0600, never over an existing file).
Result<void> write_key_file(const std::string& path, ByteSpan text) {
  auto out = SAFEHOUSE_TRY(OutputFile::open(path, Existing::kRefuse));
  SAFEHOUSE_TRY_VOID(out->write(text));
  return out->finish();
}

// The administrator's enrolment link: the staff listener's address from
// config.toml (behind its onion service, the reviewer replaces the host with
// the staff onion address). The token is in the fragment, which browsers
// never send: it reaches the server only in the enrolment request's body.
std::string enrolment_url(const config::Config& config, std::string_view token) {
  return "http://" + config.staff_listen.to_string() + "/en/enrol#" + std::string(token);
}

Result<void> run_add(const ReviewerOptions& options) {
  SAFEHOUSE_TRY_VOID(review::check_reviewer_name(options.name));
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  // Without --identity-out no private key leaves this process: the keys
  // registered now are placeholders the browser's keys replace at
  // enrolment, and their private half is wiped when `keys` goes.
  const review::ReviewerKeys keys = review::ReviewerKeys::generate();
  const bool to_file = !options.identity_out.empty();
  if (to_file) {
    const crypto::SecretBytes text = review::reviewer_key_file(keys, options.name);
    SAFEHOUSE_TRY_VOID(write_key_file(options.identity_out, text.reveal()));
  }
  auto added = session.workflow->add_reviewer(options.name, keys, kAdminActor);
  if (!added) {
    if (to_file) ::unlink(options.identity_out.c_str());  // keys of no reviewer
    return added.error();
  }
  const store::Day today = store::day_of(std::chrono::system_clock::now());
  auto link = review::issue_enrolment(session.installation->store(), added->name, !to_file,
                                      kAdminActor, today);
  if (!link) return link.error();
  std::cout << "Added reviewer " << added->name;
  if (to_file) {
    std::cout << "\n  age recipient: " << added->recipient
              << "\n  signing key:   " << review::signing_key_text(added->signing_key)
              << "\nKeys (age identity and signing key): " << options.identity_out
              << " (mode 0600). Hand it to the reviewer and delete it here.\n";
  } else {
    std::cout << "\n";
  }
  std::cout << "One-time enrolment link for the staff listener (valid until "
            << intake::format_day(link->until_day) << ", shown only now):\n  "
            << enrolment_url(session.installation->config(), link->token) << "\n"
            << (to_file ? "At enrolment the reviewer imports the key file above; their passphrase "
                          "and keys never reach the server.\n"
                        : "The reviewer's browser makes their keys at enrolment; their passphrase "
                          "and keys never reach the server.\n");
  std::cout << "Not yet in the recipient set: once "
            << (to_file ? "they have their key file" : "they have enrolled")
            << ", `safehouse recipients add " << added->name
            << "` encrypts new submissions to them too.\n";
  return {};
}

Result<void> run_remove(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  SAFEHOUSE_TRY_VOID(session.workflow->remove_reviewer(options.name, kAdminActor));
  std::cout << "Removed reviewer " << options.name
            << "; their approvals are refused from now on, and new submissions are no longer "
               "encrypted to them.\n";
  return refresh_recipient_copy(*session.installation);
}

Result<void> run_list(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  const auto reviewers = SAFEHOUSE_TRY(session.workflow->reviewers());
  const auto accounts = SAFEHOUSE_TRY(review::accounts_by_reviewer(session.installation->store()));
  const store::Day today = store::day_of(std::chrono::system_clock::now());
  std::cout << std::left << std::setw(24) << "NAME" << std::setw(9) << "STATUS" << std::setw(12)
            << "ADDED" << std::setw(12) << "REMOVED" << std::setw(64) << "RECIPIENT"
            << std::setw(46) << "SIGNING KEY"
            << "ACCOUNT\n";
  for (const auto& r : reviewers) {
    const auto account = accounts.find(r.reviewer_id);
    std::cout << std::left << std::setw(24) << r.name << std::setw(9)
              << (r.active() ? "active" : "removed") << std::setw(12)
              << intake::format_day(r.added_day) << std::setw(12)
              << (r.active() ? "-" : intake::format_day(r.removed_day)) << std::setw(64)
              << r.recipient << std::setw(46) << review::signing_key_text(r.signing_key)
              << review::account_state(account == accounts.end() ? nullptr : &account->second,
                                       today)
              << "\n";
  }
  if (reviewers.empty()) std::cout << "(no reviewers)\n";
  return {};
}

Result<void> run_unlock(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  SAFEHOUSE_TRY_VOID(review::unlock_account(session.installation->store(), options.name,
                                            kAdminActor,
                                            store::day_of(std::chrono::system_clock::now())));
  std::cout << "Unlocked reviewer " << options.name << ": they can sign in again.\n";
  return {};
}

Result<void> run_enrol(const ReviewerOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  auto link = SAFEHOUSE_TRY(
      review::issue_enrolment(session.installation->store(), options.name, options.new_keys,
                              kAdminActor, store::day_of(std::chrono::system_clock::now())));
  std::cout << "One-time enrolment link for " << options.name << " (valid until "
            << intake::format_day(link.until_day) << ", shown only now; any earlier link and "
            << "sign-in of theirs no longer works):\n  "
            << enrolment_url(session.installation->config(), link.token) << "\n";
  return {};
}

}  // namespace

void add_reviewer_command(CLI::App& app) {
  auto options = std::make_shared<ReviewerOptions>();
  CLI::App* reviewer =
      app.add_subcommand("reviewer", "Reviewer accounts: add, remove, list, unlock, enrol");
  reviewer->require_subcommand(1);
  auto data = [&](CLI::App* cmd) {
    cmd->add_option("--data", options->data, "The installation's data directory")->required();
  };

  CLI::App* add = reviewer->add_subcommand("add", "A new reviewer with new keys");
  data(add);
  add->add_option("name", options->name, "The reviewer's name (a-z A-Z 0-9 . _ -)")->required();
  add->add_option("--identity-out", options->identity_out,
                  "Write the reviewer's keys (age identity and signing key) to FILE, mode "
                  "0600 (default: none; the browser makes them at enrolment)");
  add->callback([options] { exit_on_error(run_add(*options)); });

  CLI::App* remove = reviewer->add_subcommand("remove", "Remove a reviewer");
  data(remove);
  remove->add_option("name", options->name, "The reviewer's name")->required();
  remove->callback([options] { exit_on_error(run_remove(*options)); });

  CLI::App* list = reviewer->add_subcommand("list", "List reviewers and their public keys");
  data(list);
  list->callback([options] { exit_on_error(run_list(*options)); });

  CLI::App* unlock =
      reviewer->add_subcommand("unlock", "Clear a reviewer's lock after failed sign-ins");
  data(unlock);
  unlock->add_option("name", options->name, "The reviewer's name")->required();
  unlock->callback([options] { exit_on_error(run_unlock(*options)); });

  CLI::App* enrol = reviewer->add_subcommand(
      "enrol", "A new one-time enrolment link (lost passphrase or phone, expired link)");
  data(enrol);
  enrol->add_option("name", options->name, "The reviewer's name")->required();
  enrol->add_flag("--new-keys", options->new_keys,
                  "The browser makes new keys, replacing the registered ones (default: the "
                  "reviewer imports their key file)");
  enrol->callback([options] { exit_on_error(run_enrol(*options)); });
}

}  // namespace safehouse::cli
