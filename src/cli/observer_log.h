// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/observer_log.h: what the observer's commands share (`observe`,
// `observe sample`, `observe audit`; docs/tlog.md): the observer's identity
// file, the log key it trusts, the log read and checked from outside over
// HTTP, and the openings sealed to it, opened.
#ifndef SAFEHOUSE_CLI_OBSERVER_LOG_H_
#define SAFEHOUSE_CLI_OBSERVER_LOG_H_

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "age/x25519.h"
#include "base/error.h"
#include "tlog/case_entry.h"
#include "tlog/case_log.h"
#include "tlog/checkpoint.h"

namespace safehouse::cli {

// An observer command's report: one line per check, and the problems found,
// which make the command fail naming the first.
struct ObserveReport {
  std::vector<std::string> problems;
  void ok(const std::string& line) { std::cout << "  ok   " << line << "\n"; }
  void info(const std::string& line) { std::cout << "       " << line << "\n"; }
  void fail(const std::string& line) {
    std::cout << "  FAIL " << line << "\n";
    problems.push_back(line);
  }
  // kIntegrity "WHAT: <first problem> (and N more problems above)", or ok.
  Result<void> result(std::string_view what) const {
    std::cout.flush();
    if (problems.empty()) return {};
    return Error(ErrorCode::kIntegrity,
                 std::string(what) + ": " + problems.front() +
                     (problems.size() > 1
                          ? " (and " + std::to_string(problems.size() - 1) + " more problems above)"
                          : ""));
  }
};

struct ObserverIdentity {
  std::string name;
  std::unique_ptr<age::X25519Identity> identity;
};

// The identity file `observer keygen` writes: "# Safehouse observer NAME"
// and an AGE-SECRET-KEY-1 line. `name`, when not empty, overrides the
// comment.
Result<ObserverIdentity> load_observer(const std::string& path, const std::string& name);

// The log verifier key to trust: `key` if given (it must agree with
// STATE/log.vkey when both exist), else STATE/log.vkey, written by
// `safehouse observe` on its first run. kInvalidArgument when neither.
Result<std::string> trusted_log_key(const std::string& state, const std::string& key);

// A case event in the log, with what its opening told (if any).
struct ObservedEvent {
  std::uint64_t index = 0;
  tlog::CaseEvent event;
  bool opened = false;  // an opening opened its commitment
  std::string category;
  bool audit_consent = false;
};

// The log at `url` as an observer checks it: the checkpoint signed by
// `key`, every entry read and together hashing to the signed root, the
// case events parsed, and the openings sealed to `observer` checked against
// them. kIntegrity naming what failed; an opening that does not open its
// entry's commitment is kIntegrity too.
struct ObservedLog {
  tlog::Checkpoint checkpoint;
  std::vector<ObservedEvent> events;  // in log order
  unsigned openings_version = 0;
  // (case id, event) → index into `events`.
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> by_event;
};
Result<ObservedLog> read_observed_log(const std::string& url, const std::string& key,
                                      const ObserverIdentity& observer);

// What this observer's openings said of each logged event's audit consent
// when `observe` last checked them (STATE/consent):
//   safehouse/observer-consent/v1
//   <case id> <event> yes|no      (one line an event)
// An event's consent is fixed when it is published, so a change between
// two runs means the openings were rewritten. read: empty without a state
// directory or file; kIntegrity for a malformed file.
using ConsentState = std::map<std::pair<std::string, std::uint64_t>, bool>;
Result<ConsentState> read_consent_state(const std::string& state);
Result<void> write_consent_state(const std::string& state, const ConsentState& consent);
// The events of `case_id` this observer once saw without consent.
std::vector<std::uint64_t> refused_before(const ConsentState& seen, const std::string& case_id);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_OBSERVER_LOG_H_
