// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/workflow_session.cpp: opening the workflow of a data directory.
#include "cli/workflow_session.h"

#include <chrono>

#include "cli/files.h"
#include "cli/passphrase.h"

namespace safehouse::cli {

Result<WorkflowSession> open_workflow(const std::string& data) {
  WorkflowSession session;
  session.installation =
      SAFEHOUSE_TRY(config::Installation::open(data, store::FileSystem::posix()));
  // Every server of an installation shares its verifier key (config/installation.h).
  std::string installation = session.installation->log_key().verifier_key();
  if (auto stored = session.installation->store().get_setting(config::kVerifierKeySetting)) {
    installation.assign(stored->begin(), stored->end());
  }
  session.workflow = std::make_unique<review::Workflow>(
      session.installation->store(), std::move(installation),
      [] { return store::day_of(std::chrono::system_clock::now()); });
  return session;
}

Result<std::vector<review::ReviewerKeys>> load_key_file(const std::string& path) {
  const auto file = SAFEHOUSE_TRY(read_key_file(path, review::kMaxIdentityFileBytes));
  auto keys = review::load_reviewer_keys(file.reveal(), [] {
    return read_passphrase("Passphrase of the reviewer identity: ", Confirm::kNo);
  });
  if (!keys) return keys.error().with_context(path);
  return keys;
}

}  // namespace safehouse::cli
