// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/recipients.cpp: `safehouse recipients list|add|remove --data DIR`:
// which age recipients new submissions are encrypted to (review/
// recipients.h). The set is kept in the database; a running server follows
// a change within a second (intake/recipient_set.h) and publishes it as the
// signed note the JavaScript client checks. keys/recipients.txt is
// rewritten as a copy after each change. Audited, actor "admin".
#include "review/recipients.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/workflow_session.h"
#include "review/accounts.h"

namespace safehouse::cli {
namespace {

struct RecipientsOptions {
  std::string data;
  std::string who;
  std::string label;
};

constexpr const char* kAdminActor = "admin";

struct Admin {
  WorkflowSession session;
  std::unique_ptr<review::RecipientSetAdmin> admin;
};

Result<Admin> open_admin(const std::string& data) {
  Admin out;
  out.session = SAFEHOUSE_TRY(open_workflow(data));
  config::Installation& installation = *out.session.installation;
  auto file =
      store::FileSystem::posix().read_file(installation.layout().recipients_file(), 64 * 1024);
  std::string file_text;
  if (file) file_text.assign(file->begin(), file->end());
  out.admin = std::make_unique<review::RecipientSetAdmin>(installation.store(), file_text);
  return out;
}

store::Day today() {
  return store::day_of(std::chrono::system_clock::now());
}

}  // namespace

Result<void> refresh_recipient_copy(config::Installation& installation) {
  const auto& layout = installation.layout();
  store::FileSystem& files = store::FileSystem::posix();
  const std::string text =
      SAFEHOUSE_TRY(config::recipient_set_text(installation.store(), layout, files));
  auto file = files.read_file(layout.recipients_file(), 64 * 1024);
  if (file && std::string(file->begin(), file->end()) == text) return {};
  auto written = config::write_recipient_copy(layout, text, files);
  if (!written) {
    return written.error().with_context(
        "the recipient set is changed in the database, but its "
        "copy could not be written");
  }
  return {};
}

namespace {

void print_set_size(const std::vector<review::RecipientEntry>& set) {
  std::cout << "New submissions are encrypted to " << set.size() << " recipient"
            << (set.size() == 1 ? "" : "s")
            << "; a running server follows within a second (no restart).\n";
}

Result<void> run_list(const RecipientsOptions& options) {
  auto admin = SAFEHOUSE_TRY(open_admin(options.data));
  const auto listing = SAFEHOUSE_TRY(admin.admin->list());
  std::cout << std::left << std::setw(64) << "RECIPIENT"
            << "WHO\n";
  for (const auto& row : listing) {
    std::cout << std::left << std::setw(64) << row.entry.recipient;
    if (!row.reviewer.empty()) {
      std::cout << "reviewer " << row.reviewer << (row.reviewer_active ? "" : " (removed)");
    } else if (!row.entry.label.empty()) {
      std::cout << row.entry.label << " (not a registered reviewer)";
    } else {
      std::cout << "(not a registered reviewer)";
    }
    std::cout << "\n";
  }
  // Who could be added: active reviewers with keys of their own.
  const auto reviewers = SAFEHOUSE_TRY(admin.session.workflow->reviewers());
  const auto accounts =
      SAFEHOUSE_TRY(review::accounts_by_reviewer(admin.session.installation->store()));
  std::string eligible;
  std::string pending;
  for (const auto& r : reviewers) {
    if (!r.active()) continue;
    bool listed = false;
    for (const auto& row : listing) listed = listed || row.entry.recipient == r.recipient;
    if (listed) continue;
    const auto account = accounts.find(r.reviewer_id);
    const bool own_keys = account == accounts.end() || !account->second.keys_replaceable;
    (own_keys ? eligible : pending) += " " + r.name;
  }
  if (!eligible.empty()) std::cout << "Not in the set, can be added:" << eligible << "\n";
  if (!pending.empty()) std::cout << "Not in the set, not enrolled yet:" << pending << "\n";
  // A reviewer's new keys at enrolment change the set too: keep the copy true.
  return refresh_recipient_copy(*admin.session.installation);
}

Result<void> run_add(const RecipientsOptions& options) {
  auto admin = SAFEHOUSE_TRY(open_admin(options.data));
  const auto set =
      SAFEHOUSE_TRY(admin.admin->add(options.who, options.label, kAdminActor, today()));
  std::cout << "Added " << options.who << " to the recipient set.\n";
  print_set_size(set);
  return refresh_recipient_copy(*admin.session.installation);
}

Result<void> run_remove(const RecipientsOptions& options) {
  auto admin = SAFEHOUSE_TRY(open_admin(options.data));
  const auto set = SAFEHOUSE_TRY(admin.admin->remove(options.who, kAdminActor, today()));
  std::cout << "Removed " << options.who
            << " from the recipient set (the items already encrypted to them stay readable "
               "to them).\n";
  print_set_size(set);
  return refresh_recipient_copy(*admin.session.installation);
}

}  // namespace

void add_recipients_command(CLI::App& app) {
  auto options = std::make_shared<RecipientsOptions>();
  CLI::App* recipients = app.add_subcommand(
      "recipients", "The recipient set: who new submissions are encrypted to (list, add, remove)");
  recipients->require_subcommand(1);
  auto data = [&](CLI::App* cmd) {
    cmd->add_option("--data", options->data, "The installation's data directory")->required();
  };
  CLI::App* list = recipients->add_subcommand("list", "Show the recipient set");
  data(list);
  list->callback([options] { exit_on_error(run_list(*options)); });

  CLI::App* add = recipients->add_subcommand(
      "add", "Encrypt new submissions to a reviewer (enrolled, or with a key file) or a key too");
  data(add);
  add->add_option("who", options->who, "A reviewer's name, or an age1... recipient")->required();
  add->add_option("--label", options->label,
                  "A comment kept with the recipient (e.g. \"offline archive\")");
  add->callback([options] { exit_on_error(run_add(*options)); });

  CLI::App* remove = recipients->add_subcommand(
      "remove", "Stop encrypting new submissions to a reviewer or key (never the last one)");
  data(remove);
  remove->add_option("who", options->who, "A reviewer's name, an age1... recipient, or a label")
      ->required();
  remove->callback([options] { exit_on_error(run_remove(*options)); });
}

}  // namespace safehouse::cli
