// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/observe_audit.cpp: the observer's side of a sampled audit
// (docs/tlog.md, "Sampled audits"):
//   safehouse observe sample N --url URL --identity FILE [--state DIR | --key VKEY]
//     checks the log as `observe` does (signed checkpoint, every entry, the
//     openings sealed to this observer) and picks N cases at random
//     (libsodium's CSPRNG) among those whose openings say the source
//     consented, so that the observer, not the organisation, chooses;
//   safehouse observe audit --bundle B --identity FILE --url URL [--state DIR | --key VKEY]
//     opens the bundle a reviewer shared (`safehouse review share`):
//     verifies its manifest, decrypts every item, assessment and copy with the
//     observer's key, and checks the case against the log: its source
//     consented, every event's day and status, its status and its category
//     are what the opened log entries say. Prints a report; exits 1 naming
//     each difference.
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "age/age.h"
#include "cli/commands.h"
#include "cli/observer_log.h"
#include "intake/frame.h"
#include "intake/sources.h"
#include "review/assessment_text.h"
#include "review/audit_share.h"
#include "review/bundle.h"
#include "review/case_reader.h"

namespace safehouse::cli {
namespace {

struct AuditOptions {
  std::uint64_t count = 0;  // sample: N
  std::string bundle;       // audit
  std::string url;
  std::string identity;
  std::string state;
  std::string key;
  std::string name;
};

using Report = ObserveReport;

// Case id → whether every opened event of the case says its source
// consented (consent is given at first contact: each event's opening
// carries it as it was when the event was published).
std::map<std::string, bool> consent_by_case(const ObservedLog& log) {
  std::map<std::string, bool> out;
  for (const ObservedEvent& e : log.events) {
    if (!e.opened) continue;
    auto [slot, added] = out.try_emplace(e.event.case_id, e.audit_consent);
    if (!added) slot->second = slot->second && e.audit_consent;
  }
  return out;
}

Result<void> run_sample(const AuditOptions& options) {
  if (options.count == 0) return invalid_argument("observe sample: N must be at least 1");
  const ObserverIdentity observer = SAFEHOUSE_TRY(load_observer(options.identity, options.name));
  const std::string key = SAFEHOUSE_TRY(trusted_log_key(options.state, options.key));
  auto log = read_observed_log(options.url, key, observer);
  if (!log) return log.error().with_context("observe sample");
  const ConsentState seen = SAFEHOUSE_TRY(read_consent_state(options.state));
  std::vector<std::string> consented;
  std::size_t cases = 0, changed = 0;
  for (const auto& [id, consent] : consent_by_case(*log)) {
    ++cases;
    if (!consent) continue;
    if (!refused_before(seen, id).empty()) {
      ++changed;  // said no to this observer before: never sampled
      continue;
    }
    consented.push_back(id);
  }
  std::cout << "Observer " << observer.name << "; log at " << options.url << ", checkpoint size "
            << log->checkpoint.size << " (signed, every entry checked, openings v"
            << log->openings_version << ")\n"
            << "Cases whose source consented to a sampled audit: " << consented.size() << " of "
            << cases << " cases with opened entries\n";
  if (changed > 0) {
    std::cout << "Left out: " << changed << " case" << (changed == 1 ? "" : "s")
              << " whose consent this observer saw as \"no\" before (run `safehouse observe`: "
                 "the openings were rewritten)\n";
  }
  if (consented.empty()) {
    std::cout << "Nothing to sample: no source consented.\n";
    return {};
  }
  // Fisher–Yates with libsodium's uniform CSPRNG: the observer's choice.
  for (std::size_t i = consented.size(); i > 1; --i) {
    std::swap(consented[i - 1], consented[randombytes_uniform(static_cast<std::uint32_t>(i))]);
  }
  const std::size_t n = std::min<std::size_t>(consented.size(), options.count);
  consented.resize(n);
  std::sort(consented.begin(), consented.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::cout << "Sampled " << n << " at random" << (n < options.count ? " (all there are)" : "")
            << "; ask the organisation to share " << (n == 1 ? "it" : "each")
            << " (`safehouse review share --observer " << observer.name << " CASE`):\n";
  for (const std::string& id : consented) std::cout << "case " << id << "\n";
  return {};
}

std::string counted(std::size_t n, std::string_view one, std::string_view many = {}) {
  const std::string word = n == 1         ? std::string(one)
                           : many.empty() ? std::string(one) + "s"
                                          : std::string(many);
  return std::to_string(n) + " " + word;
}

// Counts what passes; keeps nothing (a decrypted copy is only checked).
class DiscardSink final : public ByteSink {
 public:
  Result<void> write(ByteSpan) override { return {}; }
  Result<void> finish() override { return {}; }
};

// The category a decrypted assessment record files the case under ("" if
// it names none): the JSON the staff page seals (web/src/staff.js).
std::string assessment_category(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return {};
  const auto* category = value.as_object().if_contains("category");
  if (!category || !category->is_string()) return {};
  return std::string(category->as_string());
}

Result<void> run_audit(const AuditOptions& options) {
  const ObserverIdentity observer = SAFEHOUSE_TRY(load_observer(options.identity, options.name));
  const std::string key = SAFEHOUSE_TRY(trusted_log_key(options.state, options.key));
  Report report;
  std::cout << "Observer " << observer.name << " audits the bundle " << options.bundle
            << " against the log at " << options.url << "\n";

  // 1. The bundle, verified against its manifest before anything is read.
  auto bundle = review::Bundle::open(options.bundle);
  if (!bundle) {
    report.fail(bundle.error().message());
    std::cout << "RESULT: FAILED — the bundle does not match its manifest\n";
    return report.result("observe audit");
  }
  report.ok("bundle: every file matches its SHA-256 in manifest.txt (" +
            std::to_string((*bundle)->listed().size()) + " files)");
  if ((*bundle)->cases().size() != 1) {
    report.fail("bundle: holds " + std::to_string((*bundle)->cases().size()) +
                " cases; a shared bundle holds one");
    return report.result("observe audit");
  }
  const review::BundleCase& c = (*bundle)->cases().front();
  const std::string case_id = std::to_string(c.record.case_id);
  auto share_text =
      (*bundle)->read_listed(review::share_file_name(c.record.case_id), review::kMaxShareFileBytes);
  auto share = share_text ? review::parse_share_file(*share_text)
                          : Result<review::ShareFile>(share_text.error());
  if (!share) {
    report.fail("share: " + share.error().message() + " (not made by `safehouse review share`?)");
    return report.result("observe audit");
  }
  if (share->case_id != c.record.case_id) {
    report.fail("share: " + review::share_file_name(c.record.case_id) + " names case " +
                std::to_string(share->case_id));
  }
  if (share->observer != observer.name) {
    report.fail("share: made for observer " + share->observer + ", not " + observer.name);
  } else {
    report.ok("share: case " + case_id + " (" + c.alias + "), " +
              std::string(store::status_name(c.record.status)) + ", filed under \"" +
              share->category + "\", shared with " + observer.name);
  }

  // 2. Everything decrypts with the observer's key.
  const age::Identity* identities[] = {observer.identity.get()};
  const auto items = review::read_items(
      c.items, [&](const store::ItemRecord& item) { return (*bundle)->open_item(item); },
      identities, nullptr);
  std::size_t unreadable = 0, messages = 0, files = 0, replies = 0;
  for (const review::ReadItem& item : items) {
    if (item.error) {
      ++unreadable;
      report.fail("item " + std::to_string(item.record.item_id) +
                  ": cannot be read with this observer's key: " + item.error->message());
    } else if (item.record.direction == store::Direction::kReviewer) {
      ++replies;
    } else if (item.header->kind == intake::ItemKind::kFile) {
      ++files;
    } else {
      ++messages;
    }
  }
  if (unreadable == 0) {
    report.ok("items: all " + std::to_string(items.size()) +
              " decrypted with this observer's key (" + counted(messages, "message") + ", " +
              counted(files, "file") + ", " + counted(replies, "reply", "replies") + ")");
  }
  std::string assessed_category;
  std::int64_t assessed_version = 0;
  std::size_t assessments_read = 0;
  for (const review::BundleAssessment& a : c.assessments) {
    auto sealed = (*bundle)->open_assessment(c, a);
    auto json = sealed ? review::open_assessment_record(**sealed, identities)
                       : Result<std::string>(sealed.error());
    if (!json) {
      report.fail("assessment " + std::to_string(a.version) +
                  ": cannot be read with this observer's key: " + json.error().message());
      continue;
    }
    ++assessments_read;
    const std::string category = assessment_category(*json);
    sodium_memzero(json->data(), json->size());
    if (!category.empty()) {
      assessed_category = category;
      assessed_version = a.version;
    }
  }
  if (!c.assessments.empty() && assessments_read == c.assessments.size()) {
    report.ok("assessments: " + counted(c.assessments.size(), "sealed version") + " decrypted" +
              (assessed_version > 0 ? "; version " + std::to_string(assessed_version) +
                                          " files the case under \"" + assessed_category + "\""
                                    : ""));
  }
  std::size_t copies_read = 0;
  for (const store::PublicationCopyRecord& copy : c.copies) {
    auto body = (*bundle)->open_copy(copy);
    Result<void> opened = body ? Result<void>() : Result<void>(body.error());
    if (opened) {
      DiscardSink sink;
      opened = age::decrypt(identities, **body, sink);
    }
    if (!opened) {
      report.fail("publication copy " + std::to_string(copy.copy_id) +
                  ": cannot be read with this observer's key: " + opened.error().message());
    } else {
      ++copies_read;
    }
  }
  if (!c.copies.empty() && copies_read == c.copies.size()) {
    report.ok("publication copies: " + counted(c.copies.size(), "copy", "copies") + " decrypted");
  }

  // 3. The case against the log.
  auto log = read_observed_log(options.url, key, observer);
  if (!log) {
    report.fail("log: " + log.error().message());
    std::cout << "RESULT: FAILED\n";
    return report.result("observe audit");
  }
  report.ok("log: checkpoint size " + std::to_string(log->checkpoint.size) +
            " signed by the trusted key; every entry checked; openings v" +
            std::to_string(log->openings_version) + " opened");
  const ObservedEvent* last = nullptr;
  std::set<std::uint64_t> logged;
  std::vector<std::uint64_t> without_consent;  // opened events saying "no"
  for (const ObservedEvent& e : log->events) {
    if (e.event.case_id != case_id) continue;
    logged.insert(e.event.event);
    if (e.opened && !e.audit_consent) without_consent.push_back(e.event.event);
    if (!last || e.event.event > last->event.event) last = &e;
  }
  std::sort(without_consent.begin(), without_consent.end());
  if (!last) {
    report.fail("log: no entry of case " + case_id + " (published daily; or not this log)");
    std::cout << "RESULT: FAILED\n";
    return report.result("observe audit");
  }
  const std::vector<std::uint64_t> refused =
      refused_before(SAFEHOUSE_TRY(read_consent_state(options.state)), case_id);
  auto listed = [](const std::vector<std::uint64_t>& events) {
    std::string out = events.size() == 1 ? "event " : "events ";
    for (std::size_t i = 0; i < events.size(); ++i) {
      out += (i > 0 ? ", " : "") + std::to_string(events[i]);
    }
    return out;
  };
  if (!last->opened) {
    report.fail("log: the entries of case " + case_id + " have no opening for this observer");
  } else if (!without_consent.empty()) {
    report.fail("consent: the openings say case " + case_id +
                "'s source did not consent to an audit (" + listed(without_consent) +
                "): it should not have been shared");
  } else if (!refused.empty()) {
    report.fail("consent: this observer's earlier openings said case " + case_id +
                "'s source did not consent (" + listed(refused) +
                "); the openings were rewritten since: it should not have been shared");
  } else {
    report.ok("consent: the openings say case " + case_id +
              "'s source consented to a sampled audit");
  }
  std::size_t matched = 0;
  std::vector<std::int64_t> not_logged;
  for (const store::CaseEventRecord& event : c.events) {
    auto found = log->by_event.find({case_id, static_cast<std::uint64_t>(event.event_number)});
    if (found == log->by_event.end()) {
      not_logged.push_back(event.event_number);
      continue;
    }
    const tlog::CaseEvent& entry = log->events[found->second].event;
    const std::string day = intake::format_day(event.day);
    const std::string status(store::status_name(event.status));
    if (entry.day != day || entry.status != status) {
      report.fail("event " + std::to_string(event.event_number) + ": the bundle says " + status +
                  " on " + day + ", the log says " + entry.status + " on " + entry.day);
    } else {
      ++matched;
    }
    logged.erase(static_cast<std::uint64_t>(event.event_number));
  }
  for (std::uint64_t number : logged) {
    report.fail("event " + std::to_string(number) + ": in the log, missing from the bundle");
  }
  if (matched > 0 && matched + not_logged.size() == c.events.size()) {
    report.ok("events: all " + std::to_string(matched) +
              " logged events have the day and status the log says");
  }
  if (!not_logged.empty()) {
    report.info("events: " + std::to_string(not_logged.size()) +
                " newer events are not in the log yet (published daily)");
  }
  const std::string status(store::status_name(c.record.status));
  if (not_logged.empty()) {
    if (status != last->event.status) {
      report.fail("status: the bundle says " + status + ", the log's last entry (event " +
                  std::to_string(last->event.event) + ") says " + last->event.status);
    } else {
      report.ok("status: " + status + ", as the log's last entry (event " +
                std::to_string(last->event.event) + ") says");
    }
  }
  if (last->opened) {
    if (share->category != last->category) {
      report.fail("category: the organisation files the case under \"" + share->category +
                  "\", its last log entry (event " + std::to_string(last->event.event) +
                  ") commits to \"" + last->category + "\"");
    } else {
      report.ok("category: \"" + share->category + "\", as the log's last entry commits to");
    }
    if (assessed_version > 0 && assessed_category != last->category) {
      report.fail("category: assessment " + std::to_string(assessed_version) +
                  " files it under \"" + assessed_category + "\", the log commits to \"" +
                  last->category + "\"");
    }
  }
  std::cout << (report.problems.empty() ? "RESULT: OK" : "RESULT: FAILED") << " — case " << case_id
            << ", " << counted(items.size(), "item") << ", "
            << counted(c.assessments.size(), "assessment");
  if (!report.problems.empty()) std::cout << ", " << report.problems.size() << " problems";
  std::cout << "\nRead it with: safehouse review read --bundle " << options.bundle << " -i "
            << options.identity << "\n";
  return report.result("observe audit");
}

void add_log_options(CLI::App* cmd, AuditOptions& options) {
  cmd->add_option("--url", options.url, "The log's URL, e.g. http://ONION/log")->required();
  cmd->add_option("--identity", options.identity,
                  "The observer's identity file (`safehouse observer keygen`)")
      ->required();
  cmd->add_option("--state", options.state,
                  "The observer's state directory (its trusted log key, from `observe`)");
  cmd->add_option("--key", options.key, "The log's verifier key (instead of --state)");
  cmd->add_option("--name", options.name,
                  "The observer's name (default: from the identity file's comment)");
}

}  // namespace

void add_observe_audit_commands(CLI::App& observe) {
  auto sample_options = std::make_shared<AuditOptions>();
  CLI::App* sample = observe.add_subcommand(
      "sample", "Pick N cases at random among those whose source consented to an audit");
  sample->add_option("count", sample_options->count, "How many cases (N)")->required();
  add_log_options(sample, *sample_options);
  sample->callback([sample_options] { exit_on_error(run_sample(*sample_options)); });

  auto audit_options = std::make_shared<AuditOptions>();
  CLI::App* audit = observe.add_subcommand(
      "audit", "Check a case shared for a sampled audit (`review share`) against the log");
  audit->add_option("--bundle", audit_options->bundle, "The bundle the organisation shared")
      ->required();
  add_log_options(audit, *audit_options);
  audit->callback([audit_options] { exit_on_error(run_audit(*audit_options)); });
}

}  // namespace safehouse::cli
