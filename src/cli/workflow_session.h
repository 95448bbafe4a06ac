// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/workflow_session.h: what the workflow commands (`reviewer`, `review
// transition`, `audit`, and the audit entries of `review read|reply`)
// share: the opened installation with its Workflow, and a reviewer's key
// file read from -i (plain, or passphrase-sealed: SAFEHOUSE_PASSPHRASE or
// the terminal).
#ifndef SAFEHOUSE_CLI_WORKFLOW_SESSION_H_
#define SAFEHOUSE_CLI_WORKFLOW_SESSION_H_

#include <memory>
#include <string>
#include <vector>

#include "config/installation.h"
#include "review/reviewer_keys.h"
#include "review/workflow.h"

namespace safehouse::cli {

struct WorkflowSession {
  std::unique_ptr<config::Installation> installation;
  std::unique_ptr<review::Workflow> workflow;
};

// Opens DIR; the workflow names the installation by its log verifier key.
Result<WorkflowSession> open_workflow(const std::string& data);

// Rewrites keys/recipients.txt if it differs from the recipient set in the
// database (cli/recipients.cpp).
Result<void> refresh_recipient_copy(config::Installation& installation);

// The reviewer keys in the identity file at `path`.
Result<std::vector<review::ReviewerKeys>> load_key_file(const std::string& path);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_WORKFLOW_SESSION_H_
