// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/observe.cpp: `safehouse observe --url URL --identity FILE --state DIR
// [--key VKEY] [--name NAME]`, what an accredited observer runs against an
// installation's log (docs/tlog.md, "Observing"):
//   1. fetches the checkpoint and checks the log key's signature;
//   2. checks it extends the last checkpoint this observer saw (DIR/checkpoint):
//      not smaller, same root at the same size, a valid consistency proof;
//   3. reads every entry and checks each hashes to the tree's leaf, and all
//      of them to the signed root (every entry included at its index);
//   4. opens the category commitments with the openings sealed to it;
//   5. recomputes every figure of every statement; cosigns those that match
//      (POST), and names each number that does not.
// Prints a report; exits 1 if anything failed. DIR keeps the trusted log
// key (DIR/log.vkey, from --key on the first run) and the checkpoint.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "age/age.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/http_fetch.h"
#include "cli/log_client.h"
#include "cli/observer_log.h"
#include "review/log_publisher.h"
#include "review/reviewer_keys.h"
#include "store/log_store.h"
#include "tlog/case_entry.h"
#include "tlog/case_log.h"
#include "tlog/checkpoint.h"
#include "tlog/encoding.h"
#include "tlog/merkle.h"
#include "tlog/note_key.h"
#include "tlog/statement.h"
#include "tlog/tile.h"
#include "tlog/tile_log.h"

namespace safehouse::cli {
namespace {

constexpr std::size_t kMaxStateBytes = 64 * 1024;

struct ObserveOptions {
  std::string url;
  std::string identity;
  std::string state;
  std::string key;
  std::string name;
};

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

using Report = ObserveReport;

Result<std::optional<std::string>> read_state(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::optional<std::string>();
  const crypto::SecretBytes bytes = SAFEHOUSE_TRY(read_key_file(path.string(), kMaxStateBytes));
  return std::optional<std::string>(text_of(bytes.reveal()));
}

Result<void> write_state(const std::filesystem::path& path, std::string_view text) {
  auto out = SAFEHOUSE_TRY(OutputFile::open(path.string(), Existing::kReplace));
  SAFEHOUSE_TRY_VOID(out->write(as_bytes(text)));
  return out->finish();
}

struct Entry {
  std::uint64_t index = 0;
  tlog::CaseEvent event;
  std::string category;  // opened; empty if not
};

Result<Bytes> get(const std::string& url, const std::string& path, Report&) {
  const HttpAnswer answer = SAFEHOUSE_TRY(http_fetch(url, "GET", path));
  if (answer.status == 404) return Error(ErrorCode::kNotFound, "GET " + path + ": 404 Not Found");
  if (answer.status != 200) {
    return Error(ErrorCode::kUnavailable,
                 "GET " + path + ": HTTP " + std::to_string(answer.status));
  }
  return answer.body;
}

Result<void> run_observe(const ObserveOptions& options) {
  if (options.url.empty() || options.identity.empty() || options.state.empty()) {
    return invalid_argument(
        "observe: --url, --identity and --state are required (or a subcommand: sample, audit)");
  }
  const ObserverIdentity observer = SAFEHOUSE_TRY(load_observer(options.identity, options.name));
  // Statements are cosigned as cosignature/v1 (docs/tlog.md).
  const tlog::CosignatureV1Signer cosigner =
      review::observer_cosigner(*observer.identity, observer.name);
  const tlog::CosignatureV1Verifier own_verifier = cosigner.verifier();

  const std::filesystem::path state(options.state);
  std::error_code ec;
  std::filesystem::create_directories(state, ec);
  if (ec) return io_error("observe: cannot create " + options.state + ": " + ec.message());
  ::chmod(state.c_str(), 0700);

  // The log key: the one this observer trusts since its first run.
  std::string key_text = options.key;
  const auto stored_key = SAFEHOUSE_TRY(read_state(state / "log.vkey"));
  if (stored_key) {
    std::string stored = *stored_key;
    while (!stored.empty() && stored.back() == '\n') stored.pop_back();
    if (!key_text.empty() && key_text != stored) {
      return invalid_argument("observe: --key is not the log key this observer trusts (" + stored +
                              " in " + (state / "log.vkey").string() + ")");
    }
    key_text = stored;
  } else if (key_text.empty()) {
    return invalid_argument("observe: first run in " + options.state +
                            ": give the organisation's log verifier key with --key");
  }
  auto log_key = tlog::parse_verifier_key(key_text);
  if (!log_key) return log_key.error().with_context("observe: log key");

  Report report;
  std::cout << "Observer " << observer.name << " (" << cosigner.verifier_key() << ")\n"
            << "Log at " << options.url << ", key " << key_text << "\n";

  // 1. The checkpoint.
  auto tiles = SAFEHOUSE_TRY(HttpTileStore::create(options.url));
  const Bytes checkpoint_bytes = SAFEHOUSE_TRY(tiles.read(tlog::kCheckpointPath));
  const std::string checkpoint_note = text_of(checkpoint_bytes);
  auto head = store::parse_log_head(checkpoint_note);
  if (!head) return Error(ErrorCode::kIntegrity, "checkpoint: " + head.error().message());
  auto opened = tlog::open_checkpoint(checkpoint_note, head->checkpoint.origin, **log_key);
  if (!opened) {
    report.fail("checkpoint: not signed by " + key_text + ": " + opened.error().message());
    return Error(ErrorCode::kIntegrity, "observe: 1 problem");
  }
  const tlog::Checkpoint tree = opened->checkpoint;
  report.ok("checkpoint: " + tree.origin + " size " + std::to_string(tree.size) + ", signed by " +
            (*log_key)->name());

  // 2. Consistency with the last checkpoint seen.
  bool log_ok = true;
  auto log = tlog::TileLog::open(tiles, tree.size, tree.root);
  if (!log) {
    report.fail("tiles: the log's tiles do not hash to the signed root: " + log.error().message());
    log_ok = false;
  }
  const auto previous_note = SAFEHOUSE_TRY(read_state(state / "checkpoint"));
  if (previous_note) {
    auto previous = store::parse_log_head(*previous_note);
    if (!previous) return previous.error().with_context((state / "checkpoint").string());
    const tlog::Checkpoint& old = previous->checkpoint;
    const std::string seen =
        "the checkpoint of size " + std::to_string(old.size) + " this observer saw before";
    if (old.origin != tree.origin) {
      report.fail("consistency: the origin changed from " + old.origin + " to " + tree.origin);
      log_ok = false;
    } else if (tree.size < old.size) {
      report.fail("consistency: the log shrank from " + std::to_string(old.size) + " to " +
                  std::to_string(tree.size) + " entries: entries were dropped (" + seen + ")");
      log_ok = false;
    } else if (tree.size == old.size) {
      if (tree.root != old.root) {
        report.fail("consistency: fork: size " + std::to_string(tree.size) + " has root " +
                    tlog::base64_encode(tree.root) + ", but " + seen + " has root " +
                    tlog::base64_encode(old.root));
        log_ok = false;
      } else {
        report.ok("consistency: the same checkpoint as " + seen);
      }
    } else if (old.size == 0) {
      report.ok("consistency: extends the empty log seen before");
    } else if (log) {
      auto proof = log->prove_consistency(old.size, tree.size);
      auto verified =
          proof ? tlog::verify_consistency(old.size, tree.size, *proof, old.root, tree.root)
                : Result<void>(proof.error());
      if (!verified) {
        report.fail("consistency: the log of size " + std::to_string(tree.size) +
                    " does not extend " + seen +
                    " (an entry was rewritten or dropped, or the log forked): " +
                    verified.error().message());
        log_ok = false;
      } else {
        report.ok("consistency: extends " + seen);
      }
    }
  } else {
    report.info("consistency: first run, no earlier checkpoint to compare with");
  }

  // 3. Every entry, and its inclusion.
  std::vector<Entry> entries;
  std::uint64_t other_entries = 0;
  if (log) {
    std::vector<tlog::Hash> leaves;
    leaves.reserve(tree.size);
    std::uint64_t rewritten = 0;
    for (std::uint64_t start = 0; start < tree.size; start += tlog::kTileWidth) {
      const auto tile = tlog::tile_for(true, 0, start, tree.size);
      auto data = tiles.read(tlog::tile_path(tile));
      if (!data) return data.error().with_context("entries");
      auto bundle = tlog::parse_entry_bundle(*data, tile.width);
      if (!bundle) {
        report.fail("entries: bundle " + tlog::tile_path(tile) + ": " + bundle.error().message());
        log_ok = false;
        break;
      }
      for (std::size_t i = 0; i < bundle->size(); ++i) {
        const std::uint64_t index = start + i;
        const tlog::Hash leaf = tlog::leaf_hash((*bundle)[i]);
        leaves.push_back(leaf);
        auto in_tree = log->leaf(index);
        if (!in_tree || *in_tree != leaf) {
          ++rewritten;
          if (rewritten <= 10) {
            report.fail("entry " + std::to_string(index) +
                        ": rewritten: its hash is not the leaf the signed tree holds");
          }
          log_ok = false;
        }
        auto event = tlog::parse_case_event((*bundle)[i]);
        if (event) {
          entries.push_back({index, std::move(*event), {}});
        } else {
          ++other_entries;
        }
      }
    }
    if (rewritten > 10) report.fail(std::to_string(rewritten) + " entries rewritten in all");
    if (leaves.size() == tree.size) {
      if (tlog::root_of(leaves) == tree.root) {
        report.ok("entries: all " + std::to_string(tree.size) +
                  " read; together they hash to the signed root (each is included at its "
                  "index); " +
                  std::to_string(entries.size()) + " case events, " +
                  std::to_string(other_entries) + " other");
      } else {
        report.fail("entries: the " + std::to_string(tree.size) +
                    " entries do not hash to the signed root");
        log_ok = false;
      }
    }
  }

  // 4. Openings.
  std::map<std::pair<std::string, std::uint64_t>, Entry*> by_event;
  for (Entry& entry : entries) by_event[{entry.event.case_id, entry.event.event}] = &entry;
  std::uint64_t opened_count = 0;
  bool openings_ok = true;
  ConsentState consent_now;  // written to the state with the checkpoint
  bool consent_changed = false;
  auto sealed = get(options.url, "/openings/" + observer.name, report);
  if (!sealed) {
    report.fail("openings: " + sealed.error().message() +
                " (is this observer accredited under the name " + observer.name + "?)");
    openings_ok = false;
  } else {
    Bytes plain;
    VectorSink sink(plain);
    SpanSource source(*sealed);
    const age::Identity* identities[] = {observer.identity.get()};
    auto decrypted = age::decrypt(identities, source, sink);
    auto file = decrypted ? tlog::parse_openings_file(text_of(plain))
                          : Result<tlog::OpeningsFile>(decrypted.error());
    if (!file) {
      report.fail("openings: " + file.error().message());
      openings_ok = false;
    } else {
      for (const tlog::CategoryOpening& opening : file->openings) {
        auto found = by_event.find({opening.case_id, opening.event});
        if (found == by_event.end()) continue;  // beyond this checkpoint
        auto verified = tlog::verify_opening(found->second->event, opening);
        if (!verified) {
          report.fail("entry " + std::to_string(found->second->index) + " (case " +
                      opening.case_id + ", event " + std::to_string(opening.event) +
                      "): the opening to category \"" + opening.category +
                      "\" does not open its commitment");
          openings_ok = false;
          continue;
        }
        found->second->category = opening.category;
        ++opened_count;
      }
      // Each event's audit consent is fixed when it is published: one that
      // changed since this observer's last run was rewritten.
      const ConsentState seen = SAFEHOUSE_TRY(read_consent_state(options.state));
      std::map<std::string, bool> consent_by_case;
      for (const tlog::CategoryOpening& opening : file->openings) {
        if (!by_event.contains({opening.case_id, opening.event})) continue;
        consent_now[{opening.case_id, opening.event}] = opening.audit_consent;
        auto [slot, added] = consent_by_case.try_emplace(opening.case_id, opening.audit_consent);
        if (!added) slot->second = slot->second && opening.audit_consent;
        auto before = seen.find({opening.case_id, opening.event});
        if (before != seen.end() && before->second != opening.audit_consent) {
          report.fail("case " + opening.case_id + ", event " + std::to_string(opening.event) +
                      ": its audit consent changed from " + (before->second ? "yes" : "no") +
                      " to " + (opening.audit_consent ? "yes" : "no") +
                      " since this observer's last run (the openings were rewritten)");
          consent_changed = true;
        }
      }
      for (const auto& [event, yes] : seen) consent_now.try_emplace(event, yes);
      if (opened_count == entries.size()) {
        std::size_t consented = 0;
        for (const auto& [id, yes] : consent_by_case) consented += yes ? 1 : 0;
        report.ok("openings: all " + std::to_string(opened_count) +
                  " case events' categories opened (openings v" + std::to_string(file->version) +
                  "; " + std::to_string(consented) + " case" + (consented == 1 ? "" : "s") +
                  " whose source consented to a sampled audit: `safehouse observe sample`)");
      } else if (openings_ok) {
        report.fail("openings: " + std::to_string(entries.size() - opened_count) + " of " +
                    std::to_string(entries.size()) + " case events have no opening");
        openings_ok = false;
      }
    }
  }

  // 5. Statements.
  auto listing = get(options.url, "/statements/", report);
  if (!listing) return listing.error().with_context("statements");
  std::istringstream lines(text_of(*listing));
  std::string line;
  std::getline(lines, line);
  if (line != "safehouse/statements/v1") {
    report.fail("statements: the list does not start with safehouse/statements/v1");
  }
  std::size_t statements = 0, cosigned = 0;
  while (std::getline(lines, line)) {
    const std::string id = line.substr(0, line.find(' '));
    ++statements;
    const std::string what = "statement " + id;
    auto note_bytes = get(options.url, "/statements/" + id, report);
    if (!note_bytes) {
      report.fail(what + ": " + note_bytes.error().message());
      continue;
    }
    const std::string note = text_of(*note_bytes);
    const tlog::NoteVerifier* others[] = {&own_verifier};
    auto statement = tlog::open_statement(note, **log_key, others);
    if (!statement) {
      report.fail(what + ": not a statement signed by the log key: " + statement.error().message());
      continue;
    }
    const tlog::Statement& s = statement->statement;
    const std::string named = what + " (" + s.first_day + ".." + s.last_day + ", checkpoint " +
                              std::to_string(s.size) + ")";
    if (s.origin != tree.origin || s.size > tree.size) {
      report.fail(named + ": names a checkpoint that is not in this log");
      continue;
    }
    if (!log || !log_ok) {
      report.fail(named + ": not checked (the log itself failed)");
      continue;
    }
    auto root = log->root_at(s.size);
    if (!root || *root != s.root) {
      report.fail(named + ": its checkpoint root is not this log's root at size " +
                  std::to_string(s.size));
      continue;
    }
    std::vector<tlog::CountedEvent> counted;
    for (const Entry& entry : entries) {
      if (entry.index >= s.size) continue;
      counted.push_back({entry.event.case_id, entry.event.event, entry.event.day,
                         entry.event.status, entry.category});
    }
    const tlog::PeriodCounts counts =
        tlog::count_period(counted, tlog::Period{s.first_day, s.last_day});
    std::vector<std::string> differences =
        tlog::compare_statement(s, counts.statuses, counts.categories);
    if (counts.unknown_categories > 0) {
      differences.push_back("categories: " + std::to_string(counts.unknown_categories) +
                            " counted cases have no opening; the category figures cannot be "
                            "checked");
    }
    if (!differences.empty()) {
      std::string joined;
      for (const std::string& d : differences) joined += (joined.empty() ? "" : "; ") + d;
      report.fail(named + ": does not match: " + joined);
      continue;
    }
    bool already = false;
    for (const auto& verified : statement->note.verified) {
      already = already || verified.verifier == &own_verifier;
    }
    if (already) {
      report.ok(named + ": every figure matches (" + std::to_string(counts.cases) +
                " cases); cosigned already");
      ++cosigned;
      continue;
    }
    const tlog::NoteSigner* signers[] = {&cosigner};
    const std::string text = SAFEHOUSE_TRY(tlog::format_statement(s));
    const std::string signed_note = SAFEHOUSE_TRY(tlog::sign_note(text, signers));
    auto posted = http_fetch(options.url, "POST", "/statements/" + id, signed_note);
    if (!posted || posted->status != 200) {
      report.fail(named + ": matches, but the cosignature was not accepted: " +
                  (posted ? "HTTP " + std::to_string(posted->status) + " " + text_of(posted->body)
                          : posted.error().message()));
      continue;
    }
    report.ok(named + ": every figure matches (" + std::to_string(counts.cases) +
              " cases); cosigned");
    ++cosigned;
  }
  if (statements == 0) report.info("statements: none published yet");

  // The state moves on only to a checkpoint whose log checked out.
  if (log_ok) {
    if (!stored_key) SAFEHOUSE_TRY_VOID(write_state(state / "log.vkey", key_text + "\n"));
    SAFEHOUSE_TRY_VOID(write_state(state / "checkpoint", checkpoint_note));
    // The consent seen stays as it was when it changed (the observer keeps
    // the first word; sample and audit trust it over the new openings).
    if (!consent_changed && !consent_now.empty()) {
      SAFEHOUSE_TRY_VOID(write_consent_state(options.state, consent_now));
    }
  }
  std::cout << (report.problems.empty() ? "RESULT: OK" : "RESULT: FAILED") << " — " << tree.size
            << " entries, " << opened_count << " categories opened, " << cosigned << " of "
            << statements << " statements cosigned";
  if (!report.problems.empty()) std::cout << ", " << report.problems.size() << " problems";
  std::cout << "\n";
  return report.result("observe");
}

}  // namespace

void add_observe_command(CLI::App& app) {
  auto options = std::make_shared<ObserveOptions>();
  CLI::App* cmd = app.add_subcommand(
      "observe", "Check an installation's log, open its commitments, recompute its statements");
  // Required unless a subcommand (sample, audit) is given: checked in run_observe.
  cmd->add_option("--url", options->url, "The log's URL, e.g. http://ONION/log");
  cmd->add_option("--identity", options->identity,
                  "The observer's identity file (`safehouse observer keygen`)");
  cmd->add_option("--state", options->state,
                  "This observer's state directory (trusted key, last checkpoint)");
  cmd->add_option("--key", options->key, "The log's verifier key (needed on the first run)");
  cmd->add_option("--name", options->name,
                  "The observer's name (default: from the identity file's comment)");
  add_observe_audit_commands(*cmd);
  cmd->callback([options, cmd] {
    // `observe sample|audit` ran already (CLI11 calls the subcommand first).
    if (cmd->get_subcommands().empty()) exit_on_error(run_observe(*options));
  });
}

}  // namespace safehouse::cli
