// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/assess.cpp: `safehouse review assess` (docs/reviewing.md, "The
// workspace"): an assessment from the command line, for reviewers working
// offline of the browser. The record is the one the workspace seals in the
// browser — the same JSON, sealed (age) to the recipient set — and is
// stored by the same Workflow::assess, so the workspace and `review read`
// show it alike.
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "age/age.h"
#include "cli/commands.h"
#include "cli/workflow_session.h"

namespace safehouse::cli {
namespace {

namespace json = boost::json;

constexpr const char* kChecks[] = {"source", "technical", "content"};

struct AssessOptions {
  std::string data;
  std::string identity;
  store::CaseId case_id = 0;
  std::string grade;  // "B2"
  std::string category;
  std::vector<std::string> checks;
  std::vector<store::ItemId> evidence;
  std::string notes;
};

Result<void> check_checks(const std::vector<std::string>& checks) {
  for (const std::string& check : checks) {
    if (std::find(std::begin(kChecks), std::end(kChecks), check) == std::end(kChecks)) {
      return invalid_argument("review assess: unknown check '" + check +
                              "' (source, technical or content)");
    }
  }
  return {};
}

// The SHA-256 (hex) of each evidence item, which must be the case's.
Result<std::vector<std::string>> evidence_digests(store::Store& store, store::CaseId case_id,
                                                  const std::vector<store::ItemId>& ids) {
  const auto items = SAFEHOUSE_TRY(store.list_items(case_id));
  std::vector<std::string> digests;
  for (store::ItemId id : ids) {
    auto found = std::find_if(items.begin(), items.end(),
                              [id](const store::ItemRecord& item) { return item.item_id == id; });
    if (found == items.end()) {
      return invalid_argument("review assess: case " + std::to_string(case_id) + " has no item " +
                              std::to_string(id) + " (see `safehouse review read`)");
    }
    digests.push_back(store::to_hex(found->sha256));
  }
  return digests;
}

// The workspace's record (web/src/staff.js): evidence applies to every
// check done.
std::string record_json(const AssessOptions& options, const std::string& reviewer,
                        const std::vector<std::string>& evidence) {
  json::object checks;
  for (const char* name : kChecks) {
    const bool done =
        std::find(options.checks.begin(), options.checks.end(), name) != options.checks.end();
    json::array digests;
    if (done) {
      for (const auto& d : evidence) digests.emplace_back(d);
    }
    checks[name] = json::object{{"done", done}, {"evidence", std::move(digests)}};
  }
  return json::serialize(json::object{{"version", 1},
                                      {"case", options.case_id},
                                      {"reviewer", reviewer},
                                      {"reliability", options.grade.substr(0, 1)},
                                      {"credibility", options.grade.substr(1, 1)},
                                      {"category", options.category},
                                      {"checks", std::move(checks)},
                                      {"notes", options.notes}});
}

Result<Bytes> seal(std::span<const age::X25519Recipient> set, std::string_view text) {
  std::vector<const age::Recipient*> recipients;
  for (const auto& r : set) recipients.push_back(&r);
  return age::encrypt_bytes(recipients, as_bytes(text));
}

Result<void> run_assess(const AssessOptions& options) {
  const std::string& grade = options.grade;
  if (grade.size() != 2 || grade[0] < 'A' || grade[0] > 'F' || grade[1] < '1' || grade[1] > '6') {
    return invalid_argument(
        "review assess: --grade is reliability A-F then credibility 1-6, "
        "e.g. F6 (first contact) or B2");
  }
  SAFEHOUSE_TRY_VOID(check_checks(options.checks));
  if (!options.evidence.empty() && options.checks.empty()) {
    return invalid_argument("review assess: --evidence needs the --check it supports");
  }
  const auto keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  WorkflowSession session = SAFEHOUSE_TRY(open_workflow(options.data));
  store::Store& store = session.installation->store();
  auto reviewer = session.workflow->reviewer_of(keys);
  if (!reviewer) return reviewer.error().with_context("review assess");
  const auto evidence = SAFEHOUSE_TRY(evidence_digests(store, options.case_id, options.evidence));
  const std::string text = record_json(options, reviewer->name, evidence);
  Bytes sealed = SAFEHOUSE_TRY(seal(session.installation->recipients(), text));
  auto version = session.workflow->assess(
      options.case_id, reviewer->name, grade[0], grade[1] - '0', options.category,
      session.installation->config().log.categories, std::move(sealed));
  if (!version) return version.error().with_context("review assess");
  std::cout << "Case " << options.case_id << ": assessment version " << *version << ", grade "
            << grade << (options.category.empty() ? "" : ", category " + options.category)
            << ", sealed to the " << session.installation->recipients().size()
            << " recipients of the installation.\n";
  return {};
}

}  // namespace

void add_review_assess_command(CLI::App& review) {
  auto options = std::make_shared<AssessOptions>();
  CLI::App* assess = review.add_subcommand(
      "assess",
      "Record a new version of a case's assessment (grade, checks, category, notes), sealed to "
      "the recipient set as the workspace does");
  assess->add_option("--data", options->data, "The installation's data directory")->required();
  assess->add_option("-i,--identity", options->identity, "Your identity file")->required();
  assess->add_option("case", options->case_id, "Case id")->required();
  assess
      ->add_option("--grade", options->grade,
                   "Source reliability A-F and information credibility 1-6, e.g. B2")
      ->required();
  assess->add_option("--category", options->category,
                     "Files the case under a category of config.toml's [log] categories");
  assess->add_option("--check", options->checks,
                     "A check done: source, technical or content (repeat for several)");
  assess->add_option("--evidence", options->evidence,
                     "An item id the checks rest on (its SHA-256 is recorded; repeatable)");
  assess->add_option("--notes", options->notes, "Notes");
  assess->callback([options] { exit_on_error(run_assess(*options)); });
}

}  // namespace safehouse::cli
