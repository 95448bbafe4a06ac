// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/log_publish.cpp: what the installation publishes in its transparency
// log (docs/tlog.md, "Case events in the log"):
//   safehouse log publish --data DIR
//     appends every case event not yet in the log now (serve does it once a
//     day, for the days before today);
//   safehouse review categorise --data DIR [-i FILE] CASE CATEGORY
//   safehouse observer keygen NAME -o FILE | add --data DIR NAME RECIPIENT
//     VKEY | remove --data DIR NAME | list --data DIR
//   safehouse statement publish --data DIR --period P
#include <sys/stat.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/log_key_unlock.h"
#include "cli/workflow_session.h"
#include "config/installation.h"
#include "config/transparency_log.h"
#include "crypto/process_hardening.h"
#include "intake/sources.h"
#include "review/log_publisher.h"
#include "review/reviewer_keys.h"
#include "store/log_store.h"
#include "tlog/case_log.h"

namespace safehouse::cli {
namespace {

struct LogOptions {
  std::string data;
  std::string identity;
  store::CaseId case_id = 0;
  std::string category;
  std::string name;
  std::string recipient;
  std::string verifier_key;
  std::string out;
  std::string period;
};

store::Day today() {
  return store::day_of(std::chrono::system_clock::now());
}

struct OpenLog {
  std::unique_ptr<config::Installation> installation;
  std::unique_ptr<store::LogStore> log;
};

// Opens DIR's log; with `signing`, unlocks the log key and creates the log
// if the installation predates it.
Result<OpenLog> open_log(const std::string& data, bool signing, std::string_view command) {
  if (signing) SAFEHOUSE_TRY_VOID(crypto::disable_core_dumps());
  OpenLog out;
  out.installation = SAFEHOUSE_TRY(config::Installation::open(data, store::FileSystem::posix()));
  out.log = SAFEHOUSE_TRY(store::LogStore::open(out.installation->layout().dir,
                                                out.installation->config().storage.database,
                                                store::FileSystem::posix()));
  if (signing) {
    SAFEHOUSE_TRY_VOID(ensure_log_key_unlocked(*out.installation, command));
    const config::LogKey& key = out.installation->log_key();
    SAFEHOUSE_TRY_VOID(out.log->create(config::log_origin(key), config::log_signer(key)));
  }
  return out;
}

Result<void> run_publish(const LogOptions& options) {
  OpenLog open = SAFEHOUSE_TRY(open_log(options.data, true, "log publish"));
  const auto signer = config::log_signer(open.installation->log_key());
  const review::PublishedBatch batch =
      SAFEHOUSE_TRY(review::publish_case_events(*open.log, signer, today()));
  if (batch.entries == 0) {
    std::cout << "No case event to publish; the log stays at size " << batch.head.checkpoint.size
              << ".\n";
  } else {
    std::cout << "Published " << batch.entries << " case event" << (batch.entries == 1 ? "" : "s")
              << " (entries " << batch.first_index << " to "
              << batch.first_index + batch.entries - 1 << ", in random order); checkpoint "
              << batch.head.checkpoint.origin << " size " << batch.head.checkpoint.size << ".\n";
  }
  return {};
}

Result<void> run_categorise(const LogOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  std::string actor = "unidentified (no -i)";
  if (!options.identity.empty()) {
    actor = review::actor_name(*session.workflow, SAFEHOUSE_TRY(load_key_file(options.identity)));
  }
  SAFEHOUSE_TRY_VOID(session.workflow->categorise(
      options.case_id, options.category, session.installation->config().log.categories, actor));
  std::cout << "Case " << options.case_id << ": category " << options.category
            << " (its next events in the log commit to it).\n";
  return {};
}

Result<void> run_observer_keygen(const LogOptions& options) {
  SAFEHOUSE_TRY_VOID(review::check_reviewer_name(options.name));
  age::X25519Identity identity = age::X25519Identity::generate();
  // The key it cosigns statements with, as cosignature/v1 (docs/tlog.md).
  const tlog::CosignatureV1Signer signer = review::observer_cosigner(identity, options.name);
  const std::string recipient = identity.recipient().to_string();
  const crypto::SecretBytes secret = identity.to_string();
  std::string text =
      "# Safehouse observer " + options.name + "\n# public key (age): " + recipient +
      "\n# cosigning key: " + signer.verifier_key() + "\n" +
      std::string(reinterpret_cast<const char*>(secret.reveal().data()), secret.reveal().size()) +
      "\n";
  crypto::SecretBytes file(text.size());
  std::copy(text.begin(), text.end(), file.reveal().begin());
  std::fill(text.begin(), text.end(), '\0');
  auto out = SAFEHOUSE_TRY(OutputFile::open(options.out, Existing::kRefuse));
  SAFEHOUSE_TRY_VOID(out->write(file.reveal()));
  SAFEHOUSE_TRY_VOID(out->finish());
  std::cout << "Observer " << options.name << ": identity written to " << options.out
            << " (keep it secret).\n"
            << "Give the organisation this line for `safehouse observer add`:\n  " << options.name
            << " " << recipient << " " << signer.verifier_key() << "\n";
  return {};
}

Result<void> run_observer_add(const LogOptions& options) {
  OpenLog open = SAFEHOUSE_TRY(open_log(options.data, false, "observer add"));
  SAFEHOUSE_TRY_VOID(review::add_observer(
      *open.log, {options.name, options.recipient, options.verifier_key, today()}));
  std::cout << "Observer " << options.name << " accredited: the openings of the log's case "
            << "events are sealed to " << options.recipient << " at /log/openings/" << options.name
            << ", and its cosignatures of statements are accepted.\n";
  return {};
}

Result<void> run_observer_remove(const LogOptions& options) {
  OpenLog open = SAFEHOUSE_TRY(open_log(options.data, false, "observer remove"));
  auto removed = review::remove_observer(*open.log, options.name);
  if (!removed) return removed.error().with_context("observer remove");
  std::cout << "Observer " << options.name << " removed: nothing more is sealed to it.\n";
  return {};
}

Result<void> run_observer_list(const LogOptions& options) {
  OpenLog open = SAFEHOUSE_TRY(open_log(options.data, false, "observer list"));
  const auto observers = SAFEHOUSE_TRY(review::list_observers(*open.log));
  for (const auto& observer : observers) {
    std::cout << observer.name << " " << observer.recipient << " " << observer.verifier_key
              << " (added " << intake::format_day(observer.added_day) << ")\n";
  }
  if (observers.empty()) std::cout << "(no observers)\n";
  return {};
}

Result<void> run_statement_publish(const LogOptions& options) {
  const tlog::Period period = SAFEHOUSE_TRY(tlog::parse_period(options.period));
  OpenLog open = SAFEHOUSE_TRY(open_log(options.data, true, "statement publish"));
  const auto signer = config::log_signer(open.installation->log_key());
  const review::PublishedStatement published = SAFEHOUSE_TRY(review::publish_statement(
      *open.log, signer, period, open.installation->config().log.threshold, today()));
  std::cout << "Statement " << published.id << " (served at /log/statements/" << published.id
            << "):\n"
            << published.note;
  return {};
}

void add_data(CLI::App* cmd, LogOptions& options) {
  cmd->add_option("--data", options.data, "The installation's data directory")->required();
}

}  // namespace

void add_log_command(CLI::App& app) {
  auto options = std::make_shared<LogOptions>();
  CLI::App* cmd = app.add_subcommand("log", "The transparency log's case events");
  cmd->require_subcommand(1);
  CLI::App* publish = cmd->add_subcommand(
      "publish", "Append every case event not yet in the log now, in random order");
  add_data(publish, *options);
  publish->callback([options] { exit_on_error(run_publish(*options)); });

  CLI::App* observer = app.add_subcommand("observer", "Accredited observers of the log's figures");
  observer->require_subcommand(1);
  CLI::App* keygen = observer->add_subcommand(
      "keygen", "Make an observer's identity (age key; the cosigning key is derived from it)");
  keygen->add_option("name", options->name, "The observer's name")->required();
  keygen->add_option("-o,--output", options->out, "The identity file to write (mode 0600)")
      ->required();
  keygen->callback([options] { exit_on_error(run_observer_keygen(*options)); });
  CLI::App* add = observer->add_subcommand(
      "add", "Accredit an observer: seal the openings to it, accept its cosignatures");
  add_data(add, *options);
  add->add_option("name", options->name, "The observer's name")->required();
  add->add_option("recipient", options->recipient, "Its age recipient (age1…)")->required();
  add->add_option("key", options->verifier_key, "Its cosigning verifier key (NAME+hex+base64)")
      ->required();
  add->callback([options] { exit_on_error(run_observer_add(*options)); });
  CLI::App* remove = observer->add_subcommand("remove", "Withdraw an observer's accreditation");
  add_data(remove, *options);
  remove->add_option("name", options->name, "The observer's name")->required();
  remove->callback([options] { exit_on_error(run_observer_remove(*options)); });
  CLI::App* list = observer->add_subcommand("list", "List accredited observers");
  add_data(list, *options);
  list->callback([options] { exit_on_error(run_observer_list(*options)); });
}

void add_statement_publish_command(CLI::App& statement) {
  auto options = std::make_shared<LogOptions>();
  CLI::App* publish = statement.add_subcommand(
      "publish", "Publish the figures of a period as a statement signed with the log key");
  add_data(publish, *options);
  publish
      ->add_option("--period", options->period,
                   "YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or FIRST..LAST (days, UTC)")
      ->required();
  publish->callback([options] { exit_on_error(run_statement_publish(*options)); });
}

void add_review_categorise_command(CLI::App& review) {
  auto options = std::make_shared<LogOptions>();
  CLI::App* categorise = review.add_subcommand(
      "categorise", "File a case under a category of config.toml's [log] categories");
  add_data(categorise, *options);
  categorise->add_option("-i,--identity", options->identity,
                         "The reviewer's key file, to name them in the audit log");
  categorise->add_option("case", options->case_id, "Case id")->required();
  categorise->add_option("category", options->category, "The category")->required();
  categorise->callback([options] { exit_on_error(run_categorise(*options)); });
}

}  // namespace safehouse::cli
