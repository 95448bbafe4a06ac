// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/audit.cpp: `safehouse audit verify|list --data DIR`: checks the
// hash-chained audit log of reviewer actions (review/audit.h) — exit 0 and
// the number of entries when intact, exit 1 naming the first broken entry
// otherwise — and prints it.
#include "review/audit.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/workflow_session.h"
#include "intake/sources.h"
#include "review/file_names.h"

namespace safehouse::cli {
namespace {

struct AuditOptions {
  std::string data;
};

Result<void> run_verify(const AuditOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  const review::AuditReport report =
      SAFEHOUSE_TRY(review::verify_audit(session.installation->store()));
  if (report.first_broken) {
    return Error(ErrorCode::kIntegrity, "audit log: broken at entry " +
                                            std::to_string(*report.first_broken) + ": " +
                                            report.reason);
  }
  std::cout << "audit log intact: " << report.entries << " entries\n";
  return {};
}

Result<void> run_list(const AuditOptions& options) {
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  std::vector<store::AuditRecord> entries;
  SAFEHOUSE_TRY_VOID(session.installation->store().read([&](store::SqlSession& db) -> Result<void> {
    entries = SAFEHOUSE_TRY(store::list_audit(db));
    return {};
  }));
  std::cout << std::left << std::setw(7) << "SEQ" << std::setw(12) << "DAY" << std::setw(24)
            << "ACTOR" << std::setw(16) << "ACTION" << std::setw(7) << "CASE"
            << "DETAIL\n";
  for (const auto& e : entries) {
    std::cout << std::left << std::setw(7) << e.seq << std::setw(12) << intake::format_day(e.day)
              << std::setw(24) << review::printable_text(e.actor) << std::setw(16)
              << review::printable_text(e.action) << std::setw(7)
              << (e.case_id == 0 ? std::string("-") : std::to_string(e.case_id))
              << review::printable_text(e.detail) << "\n";
  }
  return {};
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* audit = app.add_subcommand("audit", "The audit log of reviewer actions");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand("verify", "Check the audit log's hash chain");
  verify->add_option("--data", options->data, "The installation's data directory")->required();
  verify->callback([options] { exit_on_error(run_verify(*options)); });
  CLI::App* list = audit->add_subcommand("list", "Print the audit log (it is not checked)");
  list->add_option("--data", options->data, "The installation's data directory")->required();
  list->callback([options] { exit_on_error(run_list(*options)); });
}

}  // namespace safehouse::cli
