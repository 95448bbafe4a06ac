// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/grant.cpp: `safehouse review grant` (docs/reviewing.md, "Granting a
// reviewer existing cases"): a reviewer whose key file opens the cases
// rewraps them for another reviewer (review/grant.h), case by case; each
// case is one transaction and one audit entry.
#include "review/grant.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/workflow_session.h"

namespace safehouse::cli {
namespace {

struct GrantOptions {
  std::string data;
  std::string identity;
  std::string to;
  std::vector<store::CaseId> cases;
  bool all = false;
};

// Every case that is not purged, ascending id.
Result<std::vector<store::CaseId>> all_cases(store::Store& store) {
  std::vector<store::CaseId> out;
  store::CaseQuery query;
  query.limit = store::kMaxListLimit;
  for (;;) {
    const auto page = SAFEHOUSE_TRY(store.list_cases(query));
    for (const auto& c : page) {
      if (c.status != store::CaseStatus::kPurged) out.push_back(c.case_id);
    }
    if (page.size() < query.limit) return out;
    query.after_case_id = page.back().case_id;
  }
}

Result<void> run_grant(const GrantOptions& options) {
  if (options.all == !options.cases.empty()) {
    return invalid_argument("review grant: give the case ids or --all (not both)");
  }
  const auto keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  std::vector<const age::Identity*> identities;
  for (const auto& key : keys) identities.push_back(&key.identity());
  WorkflowSession session = SAFEHOUSE_TRY(open_workflow(options.data));
  store::Store& store = session.installation->store();
  auto by = session.workflow->reviewer_of(keys);
  if (!by) return by.error().with_context("review grant");
  if (!by->active()) {
    return Error(ErrorCode::kConflict,
                 "review grant: reviewer " + by->name + " was removed and grants nothing");
  }
  auto to = review::find_grantee(store, options.to, *by);
  if (!to) return to.error().with_context("review grant");
  const auto cases = options.all ? SAFEHOUSE_TRY(all_cases(store)) : options.cases;

  const store::Day day = store::day_of(std::chrono::system_clock::now());
  std::optional<Error> first_failure;
  std::size_t failures = 0;
  for (const store::CaseId case_id : cases) {
    auto outcome = review::grant_case(store, identities, *by, *to, case_id, day);
    if (!outcome) {
      std::cerr << "safehouse: error: review grant: " << outcome.error().message() << "\n";
      if (!first_failure) first_failure = outcome.error();
      ++failures;
      continue;
    }
    std::cout << "Case " << case_id << ": ";
    if (outcome->granted() == 0) {
      std::cout << "nothing to rewrap";
    } else {
      std::cout << review::describe_grant(*outcome) << " rewrapped for " << to->name;
      if (outcome->blobs_removed > 0) {
        std::cout << " (" << outcome->blobs_removed << " old ciphertext"
                  << (outcome->blobs_removed == 1 ? "" : "s") << " deleted)";
      }
    }
    if (outcome->already > 0) {
      std::cout << "; " << outcome->already << " granted to " << to->name << " before";
    }
    std::cout << ".\n";
  }
  if (first_failure) {
    return Error(first_failure->code(), "review grant: " + std::to_string(failures) + " of " +
                                            std::to_string(cases.size()) +
                                            " cases not granted (see above); the others are");
  }
  std::cout << "Reviewer " << to->name << " can now decrypt " << cases.size() << " case"
            << (cases.size() == 1 ? "" : "s") << " (logged in the audit log as `grant`).\n";
  return {};
}

}  // namespace

void add_review_grant_command(CLI::App& review) {
  auto options = std::make_shared<GrantOptions>();
  CLI::App* grant = review.add_subcommand(
      "grant",
      "Let another reviewer decrypt cases already stored: rewrap their items, assessments and "
      "publication copies for that reviewer's key (the header only; logged)");
  grant->add_option("--data", options->data, "The installation's data directory")->required();
  grant
      ->add_option("-i,--identity", options->identity,
                   "Your identity file (your keys must open the cases)")
      ->required();
  grant->add_option("--to", options->to, "The reviewer to grant the cases to (by name)")
      ->required();
  grant->add_option("cases", options->cases, "Case ids");
  grant->add_flag("--all", options->all, "Every case that is not purged");
  grant->callback([options] { exit_on_error(run_grant(*options)); });
}

}  // namespace safehouse::cli
