// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/export.cpp: `safehouse export --data DIR CASE... -o BUNDLE [-i FILE]`:
// the cases' encrypted items, case files and manifest in a new directory,
// for review on an offline machine (`safehouse review read --bundle`, or
// the stock `age -d`). Nothing is decrypted here. Each case's export is
// appended to the audit log before its bundle is written.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/workflow_session.h"
#include "review/bundle.h"

namespace safehouse::cli {
namespace {

struct ExportOptions {
  std::string data;
  std::vector<store::CaseId> cases;
  std::string output;
  std::string identity;
};

Result<void> run_export(const ExportOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  store::Store& store = session.installation->store();
  std::string actor = "unidentified (no -i)";
  if (!options.identity.empty()) {
    actor = review::actor_name(*session.workflow, SAFEHOUSE_TRY(load_key_file(options.identity)));
  }
  std::vector<store::CaseId> cases = options.cases;
  std::sort(cases.begin(), cases.end());
  cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
  // Refused before anything is logged: an unknown case, a taken path.
  for (store::CaseId id : cases) {
    auto found = store.get_case(id);
    if (!found) return found.error().with_context("export: case " + std::to_string(id));
  }
  std::error_code ec;
  if (std::filesystem::symlink_status(options.output, ec).type() !=
      std::filesystem::file_type::not_found) {
    return Error(ErrorCode::kConflict,
                 "export: " + options.output + " exists; give a new directory for the bundle");
  }
  for (store::CaseId id : cases) {
    SAFEHOUSE_TRY_VOID(session.workflow->log(actor, "export", id, "bundle " + options.output));
  }
  const review::ExportSummary summary =
      SAFEHOUSE_TRY(review::export_bundle(store, cases, options.output));
  std::cout << "Exported " << summary.cases << " case" << (summary.cases == 1 ? "" : "s") << ", "
            << summary.items << " encrypted item" << (summary.items == 1 ? "" : "s");
  if (summary.assessments > 0) {
    std::cout << ", " << summary.assessments << " sealed assessment version"
              << (summary.assessments == 1 ? "" : "s");
  }
  if (summary.copies > 0) {
    std::cout << ", " << summary.copies << " publication cop"
              << (summary.copies == 1 ? "y" : "ies");
  }
  std::cout << " (" << summary.bytes << " bytes) to " << options.output << ".\n"
            << "Copy it to the offline machine and run there:\n"
            << "  safehouse review read --bundle " << options.output << " -i YOUR-KEY-FILE\n"
            << "(or check it with `sha256sum -c manifest.txt` and open the items with "
               "`age -d -i YOUR-KEY-FILE item-N.age`).\n";
  return {};
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write cases' encrypted items and a manifest to a bundle for offline review");
  cmd->add_option("--data", options->data, "The installation's data directory")->required();
  cmd->add_option("cases", options->cases, "Case ids")->required();
  cmd->add_option("-o,--output", options->output, "The bundle directory to create (must not exist)")
      ->required();
  cmd->add_option("-i,--identity", options->identity,
                  "The exporting reviewer's key file, to name them in the audit log");
  cmd->callback([options] { exit_on_error(run_export(*options)); });
}

}  // namespace safehouse::cli
