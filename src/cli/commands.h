// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/commands.h: one registration function per `safehouse` subcommand, each
// defined in its own file (cli/<name>.cpp). main() calls them all; adding a
// subcommand means one declaration here and one call in main.cpp.
#ifndef SAFEHOUSE_CLI_COMMANDS_H_
#define SAFEHOUSE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "base/error.h"

namespace safehouse::cli {

void add_keygen_command(CLI::App& app);
void add_encrypt_command(CLI::App& app);
void add_decrypt_command(CLI::App& app);
void add_rewrap_command(CLI::App& app);
void add_init_command(CLI::App& app);      // cli/init.cpp
void add_serve_command(CLI::App& app);     // cli/serve.cpp
void add_review_command(CLI::App& app);    // cli/review.cpp
void add_torrc_command(CLI::App& app);     // cli/torrc.cpp
void add_migrate_command(CLI::App& app);   // cli/migrate.cpp
void add_reviewer_command(CLI::App& app);  // cli/reviewer.cpp
void add_audit_command(CLI::App& app);     // cli/audit.cpp
void add_export_command(CLI::App& app);    // cli/export.cpp
// cli/recipients.cpp: `recipients list|add|remove` (docs/reviewing.md).
void add_recipients_command(CLI::App& app);

// cli/statement.cpp: `statement sign|check` (docs/tlog.md).
void add_statement_command(CLI::App& app);
// cli/witness.cpp: `witness serve` (docs/tlog.md).
void add_witness_command(CLI::App& app);

// cli/log_publish.cpp: `log publish`, `observer …`, and the subcommands
// `statement publish` and `review categorise` (docs/tlog.md).
void add_log_command(CLI::App& app);
void add_statement_publish_command(CLI::App& statement);
void add_review_categorise_command(CLI::App& review);
// cli/clean.cpp: `review clean` (docs/reviewing.md, "Publication copies").
void add_review_clean_command(CLI::App& review);
// cli/grant.cpp: `review grant` (docs/reviewing.md, "Granting a reviewer
// existing cases").
void add_review_grant_command(CLI::App& review);
// cli/assess.cpp: `review assess` (docs/reviewing.md, "The workspace").
void add_review_assess_command(CLI::App& review);
// cli/share.cpp: `review share` (docs/tlog.md, "Sampled audits").
void add_review_share_command(CLI::App& review);
// cli/observe.cpp: `observe` (docs/tlog.md, "Observing"), with its
// subcommands `sample` and `audit` (cli/observe_audit.cpp, "Sampled audits").
void add_observe_command(CLI::App& app);
void add_observe_audit_commands(CLI::App& observe);

// Ends a subcommand's callback: on error prints "safehouse: error: <message>"
// as one line on stderr and makes the process exit with status 1.
void exit_on_error(const Result<void>& result);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_COMMANDS_H_
