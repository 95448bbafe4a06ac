// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/share.cpp: `safehouse review share --data DIR -i FILE --observer NAME
// CASE -o BUNDLE`: a sampled audit's bundle for an accredited observer
// (review/audit_share.h, docs/tlog.md "Sampled audits"): the case's items,
// sealed assessments and publication copies rewrapped to the observer's age recipient (header
// only), in the export bundle format. Refused, and the refusal audited,
// when the case's source did not consent at first contact; refused for an
// unknown observer or case. The share is audited (action "share") before
// the bundle is written.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/workflow_session.h"
#include "review/audit_share.h"

namespace safehouse::cli {
namespace {

struct ShareOptions {
  std::string data;
  std::string identity;
  std::string observer;
  store::CaseId case_id = 0;
  std::string output;
};

Result<void> run_share(const ShareOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  store::Store& store = session.installation->store();
  const std::vector<review::ReviewerKeys> keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  const std::string actor = review::actor_name(*session.workflow, keys);
  const std::string what = "review share: case " + std::to_string(options.case_id);
  auto observer = review::find_observer(store, options.observer);
  if (!observer) return observer.error().with_context(what);
  auto shareable = review::shareable_case(store, options.case_id);
  if (!shareable) {
    if (shareable.error().code() == ErrorCode::kConflict) {
      SAFEHOUSE_TRY_VOID(session.workflow->log(
          actor, "refused", options.case_id,
          "share with observer " + observer->name + ": the source did not consent to an audit"));
      return Error(ErrorCode::kConflict, "review share: " + shareable.error().message() +
                                             "; nothing was shared (the refusal is in the audit "
                                             "log)");
    }
    return shareable.error().with_context("review share");
  }
  std::error_code ec;
  if (std::filesystem::symlink_status(options.output, ec).type() !=
      std::filesystem::file_type::not_found) {
    return Error(ErrorCode::kConflict, "review share: " + options.output +
                                           " exists; give a new directory for the bundle");
  }
  SAFEHOUSE_TRY_VOID(
      session.workflow->log(actor, "share", options.case_id,
                            "observer " + observer->name + ", audit bundle " + options.output));
  std::vector<const age::Identity*> identities;
  for (const review::ReviewerKeys& key : keys) identities.push_back(&key.identity());
  auto shared = review::share_case(store, options.case_id, identities, *observer, options.output);
  if (!shared) {
    if (shared.error().code() == ErrorCode::kNoMatch) {
      return Error(ErrorCode::kNoMatch, what + ": " + shared.error().message() +
                                            " (your key cannot open it: share needs a "
                                            "reviewer the case was encrypted to)");
    }
    return shared.error().with_context(what);
  }
  std::cout << "Shared case " << options.case_id << " with observer " << observer->name << ": "
            << shared->items << " item" << (shared->items == 1 ? "" : "s") << ", "
            << shared->assessments << " assessment version" << (shared->assessments == 1 ? "" : "s")
            << " and " << shared->copies << " publication cop"
            << (shared->copies == 1 ? "y" : "ies") << " rewrapped to " << observer->recipient
            << " (" << shared->bytes << " bytes), in " << options.output << ".\n"
            << "Give it to the observer, who checks it against the log with:\n"
            << "  safehouse observe audit --bundle " << options.output
            << " --identity OBSERVER-KEY --url LOG-URL --state DIR\n";
  return {};
}

}  // namespace

void add_review_share_command(CLI::App& review) {
  auto options = std::make_shared<ShareOptions>();
  CLI::App* cmd = review.add_subcommand(
      "share",
      "Share a case whose source consented to an audit with an accredited observer (a bundle "
      "rewrapped to the observer's key)");
  cmd->add_option("--data", options->data, "The installation's data directory")->required();
  cmd->add_option("-i,--identity", options->identity,
                  "The sharing reviewer's key file (must open the case's items)")
      ->required();
  cmd->add_option("--observer", options->observer,
                  "The accredited observer's name (`safehouse observer list`)")
      ->required();
  cmd->add_option("case", options->case_id, "Case id")->required();
  cmd->add_option("-o,--output", options->output, "The bundle directory to create (must not exist)")
      ->required();
  cmd->callback([options] { exit_on_error(run_share(*options)); });
}

}  // namespace safehouse::cli
