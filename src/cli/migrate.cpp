// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/migrate.cpp: `safehouse migrate --from DIR --to postgresql://…`:
// moves an SQLite installation's records to PostgreSQL, proves the copy
// (row for row, and every item's SHA-256) and points DIR at the database
// (config/installation.h). Prints what was copied and checked.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/installation.h"
#include "store/postgres_store.h"

namespace safehouse::cli {
namespace {

struct MigrateOptions {
  std::string from;
  std::string to;
};

Result<void> run_migrate(const MigrateOptions& options) {
  ::umask(077);
  const store::CopyReport report = SAFEHOUSE_TRY(
      config::migrate_to_postgres(options.from, options.to, store::FileSystem::posix()));
  std::cout << "Copied to " << store::redact_postgres_url(options.to)
            << " and checked, row for row:\n";
  for (const auto& table : report.tables) {
    std::cout << "  " << table.name << ": " << table.rows << " rows\n";
  }
  std::cout << "Item bodies checked against their SHA-256: " << report.inline_bodies_verified
            << " in the database, " << report.blobs_verified << " blobs in " << options.from
            << "/blobs.\n\n"
            << options.from << "/config.toml now names the database; " << options.from
            << "/safehouse.sqlite3 is\nleft as it was (a backup: remove it "
            << "once the server runs well on PostgreSQL).\n";
  return {};
}

}  // namespace

void add_migrate_command(CLI::App& app) {
  auto options = std::make_shared<MigrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "migrate", "Move an installation's records from SQLite to PostgreSQL (server stopped)");
  cmd->add_option("--from", options->from, "The installation's data directory")->required();
  cmd->add_option("--to", options->to, "The empty PostgreSQL database, postgresql://USER@HOST/DB")
      ->required();
  cmd->callback([options] { exit_on_error(run_migrate(*options)); });
}

}  // namespace safehouse::cli
