// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/review.cpp: `safehouse review list|read|reply`, the reviewer's
// command-line workspace over a data directory (review/, intake/). Prints
// decrypted content only to the reviewer's terminal or --out directory,
// with control characters neutralised; never writes plaintext to DIR.
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/passphrase.h"
#include "cli/workflow_session.h"
#include "config/installation.h"
#include "intake/intake.h"
#include "intake/sources.h"
#include "review/assessment_text.h"
#include "review/bundle.h"
#include "review/case_reader.h"
#include "review/cases.h"
#include "review/file_names.h"
#include "review/identities.h"
#include "review/publication_copy.h"
#include "review/transitions.h"

namespace safehouse::cli {
namespace {

struct ReviewOptions {
  std::string data;
  std::string bundle;  // read: an export bundle instead of --data
  std::string status;
  std::string identity;
  std::string out;
  std::string reply_file;
  std::string language = "en";
  store::CaseId case_id = 0;
  std::string target;              // transition: the status word
  store::CaseId duplicate_of = 0;  // transition duplicate --of CASE
};

Result<std::unique_ptr<config::Installation>> open_installation(const std::string& data) {
  return config::Installation::open(data, store::FileSystem::posix());
}

Result<void> run_list(const ReviewOptions& options) {
  auto installation = SAFEHOUSE_TRY(open_installation(options.data));
  std::optional<store::CaseStatus> status;
  if (!options.status.empty()) status = SAFEHOUSE_TRY(store::status_from_name(options.status));
  const auto cases = SAFEHOUSE_TRY(review::list_case_summaries(installation->store(), status));
  std::cout << std::left << std::setw(6) << "CASE" << std::setw(26) << "SOURCE" << std::setw(24)
            << "STATUS" << std::setw(12) << "CREATED" << std::setw(12) << "LAST EVENT"
            << std::setw(8) << "ITEMS" << std::setw(8) << "REPLIES"
            << "DUPLICATE-OF\n";
  for (const auto& c : cases) {
    std::cout << std::left << std::setw(6) << c.record.case_id << std::setw(26) << c.alias
              << std::setw(24) << store::status_name(c.record.status) << std::setw(12)
              << intake::format_day(c.record.created_day) << std::setw(12)
              << intake::format_day(c.record.last_event_day) << std::setw(8) << c.source_items;
    if (c.duplicate_of != 0) {
      std::cout << std::setw(8) << c.reviewer_items << c.duplicate_of << "\n";
    } else {
      std::cout << c.reviewer_items << "\n";
    }
  }
  if (cases.empty()) std::cout << "(no cases)\n";
  return {};
}

Result<std::vector<review::ReviewerKeys>> load_reviewer_keys(const ReviewOptions& options) {
  return load_key_file(options.identity.empty()
                           ? config::Layout{options.data}.reviewer_file("reviewer").string()
                           : options.identity);
}

void print_claims(const intake::Claims& claims) {
  std::cout << "Claims: branch: " << review::printable_text(claims.branch)
            << "; unit: " << review::printable_text(claims.unit)
            << "; rank: " << review::printable_text(claims.rank)
            << "; region: " << review::printable_text(claims.region) << "\n";
}

void print_item(const review::ReadItem& item, const review::OutputDir* out) {
  const auto& record = item.record;
  std::cout << "\n--- item " << record.item_id << ", " << store::direction_name(record.direction)
            << ", " << intake::format_day(record.day);
  if (item.error) {
    std::cout << ": NOT READABLE: " << item.error->message() << "\n";
    return;
  }
  const intake::FrameHeader& header = *item.header;
  std::cout << ", " << intake::item_kind_name(header.kind) << ", language "
            << review::printable_text(header.language) << "\n";
  if (header.claims) print_claims(*header.claims);
  if (header.kind == intake::ItemKind::kFile) {
    std::cout << "File: \"" << review::printable_text(header.file_name) << "\", "
              << review::printable_text(header.media_type) << ", " << item.content_bytes
              << " bytes";
    if (out) {
      std::cout << ", saved as " << (out->path() / item.saved_as).string();
    } else {
      std::cout << " (use --out DIR to save it)";
    }
    std::cout << "\n";
    return;
  }
  std::cout << review::printable_text(item.text) << "\n";
}

void print_case_header(const store::CaseRecord& record, const std::string& alias) {
  std::cout << "Case " << record.case_id << " (" << alias << "), "
            << store::status_name(record.status) << ", created "
            << intake::format_day(record.created_day) << ", last event "
            << intake::format_day(record.last_event_day) << "\n";
}

// Prints the items; the error when any could not be read.
Result<void> print_items(const std::vector<review::ReadItem>& items, const review::OutputDir* out) {
  std::size_t failed = 0;
  for (const auto& item : items) {
    print_item(item, out);
    if (item.error) ++failed;
  }
  std::cout.flush();
  if (failed > 0) {
    return Error(ErrorCode::kIntegrity, "review read: " + std::to_string(failed) + " of " +
                                            std::to_string(items.size()) +
                                            " items could not be read");
  }
  return {};
}

// Where `review read` finds a sealed record's ciphertext: the store or a
// bundle.
using CopyOpener =
    std::function<Result<std::unique_ptr<ByteSource>>(const store::PublicationCopyRecord&)>;
using AssessmentOpener =
    std::function<Result<std::unique_ptr<ByteSource>>(const review::BundleAssessment&)>;

// Assessment versions, oldest first, decrypted and shown. Returns how many
// could not be read.
std::size_t print_assessments(const std::vector<review::BundleAssessment>& assessments,
                              const AssessmentOpener& open,
                              std::span<const age::Identity* const> identities) {
  std::size_t failed = 0;
  for (const auto& a : assessments) {
    std::cout << "\n--- assessment version " << a.version << ", " << intake::format_day(a.day)
              << ", grade " << a.reliability << a.credibility << "\n";
    auto text = [&]() -> Result<std::string> {
      auto sealed = SAFEHOUSE_TRY(open(a));
      const std::string json = SAFEHOUSE_TRY(review::open_assessment_record(*sealed, identities));
      return review::describe_assessment_record(json);
    }();
    if (!text) {
      std::cout << "NOT READABLE: " << text.error().message() << "\n";
      ++failed;
      continue;
    }
    std::cout << *text;
  }
  std::cout.flush();
  return failed;
}

// The case's assessment versions as a bundle lists them, with their sealed
// records kept by the caller.
Result<std::vector<review::BundleAssessment>> stored_assessments(store::Store& store,
                                                                 store::CaseId case_id,
                                                                 std::vector<Bytes>& sealed) {
  std::vector<review::BundleAssessment> out;
  SAFEHOUSE_TRY_VOID(store.read(
      [&](store::SqlSession& db) { return review::read_assessments(db, case_id, out, sealed); }));
  return out;
}

// Publication copies (`review clean --attach`), each with its original;
// saved into `out` when given. Returns how many could not be decrypted.
std::size_t print_copies(const std::vector<store::PublicationCopyRecord>& copies,
                         const CopyOpener& open, std::span<const age::Identity* const> identities,
                         review::OutputDir* out) {
  std::size_t failed = 0;
  for (const auto& copy : copies) {
    std::cout << "\n--- publication copy " << copy.copy_id << " of item " << copy.item_id << ", "
              << intake::format_day(copy.day) << ", metadata removed by mat2";
    if (!out) {
      std::cout << " (use --out DIR to save it)\n";
      continue;
    }
    auto saved = [&]() -> Result<std::string> {
      auto body = open(copy);
      if (!body) {
        return body.error().with_context("publication copy " + std::to_string(copy.copy_id));
      }
      return review::save_publication_copy(**body, copy, identities, *out);
    }();
    if (!saved) {
      std::cout << ": NOT READABLE: " << saved.error().message() << "\n";
      ++failed;
      continue;
    }
    std::cout << ", saved as " << (out->path() / *saved).string() << "\n";
  }
  std::cout.flush();
  return failed;
}

// `review read --bundle`: an export bundle on an offline machine. No
// database and no audit entry here: the export was logged.
Result<void> run_read_bundle(const ReviewOptions& options) {
  if (options.identity.empty()) {
    return invalid_argument("review read --bundle: give the reviewer's identity with -i FILE");
  }
  auto bundle = SAFEHOUSE_TRY(review::Bundle::open(options.bundle));
  const auto keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  std::vector<const age::Identity*> raw;
  for (const auto& key : keys) raw.push_back(&key.identity());
  std::unique_ptr<review::OutputDir> out;
  if (!options.out.empty()) out = SAFEHOUSE_TRY(review::OutputDir::open(options.out));
  std::vector<const review::BundleCase*> cases;
  if (options.case_id != 0) {
    cases.push_back(SAFEHOUSE_TRY(bundle->find_case(options.case_id)));
  } else {
    for (const auto& c : bundle->cases()) cases.push_back(&c);
  }
  std::cout << "Bundle " << options.bundle << ": manifest verified, " << bundle->cases().size()
            << " case" << (bundle->cases().size() == 1 ? "" : "s") << ".\n";
  std::size_t unreadable = 0;
  std::size_t total = 0;
  std::size_t sealed_unreadable = 0;
  std::size_t sealed_total = 0;
  for (const review::BundleCase* c : cases) {
    if (c != cases.front()) std::cout << "\n";
    print_case_header(c->record, c->alias);
    const auto items = review::read_items(
        c->items, [&bundle](const store::ItemRecord& item) { return bundle->open_item(item); }, raw,
        out.get());
    total += items.size();
    if (!print_items(items, out.get())) {
      for (const auto& item : items) unreadable += item.error ? 1 : 0;
    }
    sealed_total += c->assessments.size() + c->copies.size();
    sealed_unreadable += print_assessments(
        c->assessments,
        [&](const review::BundleAssessment& a) { return bundle->open_assessment(*c, a); }, raw);
    sealed_unreadable += print_copies(
        c->copies,
        [&](const store::PublicationCopyRecord& copy) { return bundle->open_copy(copy); }, raw,
        out.get());
  }
  if (unreadable > 0) {
    return Error(ErrorCode::kIntegrity, "review read: " + std::to_string(unreadable) + " of " +
                                            std::to_string(total) + " items could not be read");
  }
  if (sealed_unreadable > 0) {
    return Error(ErrorCode::kIntegrity, "review read: " + std::to_string(sealed_unreadable) +
                                            " of " + std::to_string(sealed_total) +
                                            " assessments and publication copies could not be "
                                            "read");
  }
  return {};
}

Result<void> run_read(const ReviewOptions& options) {
  if (!options.bundle.empty()) {
    if (!options.data.empty()) {
      return invalid_argument("review read: give either --data or --bundle, not both");
    }
    return run_read_bundle(options);
  }
  if (options.data.empty()) return invalid_argument("review read: --data DIR or --bundle BUNDLE");
  if (options.case_id == 0) return invalid_argument("review read --data: give the case id");
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  store::Store& store = session.installation->store();
  const auto summary = SAFEHOUSE_TRY(review::case_summary(store, options.case_id));
  const auto keys = SAFEHOUSE_TRY(load_reviewer_keys(options));
  std::vector<const age::Identity*> raw;
  for (const auto& key : keys) raw.push_back(&key.identity());
  std::unique_ptr<review::OutputDir> out;
  if (!options.out.empty()) out = SAFEHOUSE_TRY(review::OutputDir::open(options.out));

  // Logged before anything is decrypted: an action that cannot be
  // accounted for is not done.
  SAFEHOUSE_TRY_VOID(session.workflow->log(review::actor_name(*session.workflow, keys), "read",
                                           options.case_id, out ? "with --out" : ""));
  const auto items = SAFEHOUSE_TRY(review::read_case(store, options.case_id, raw, out.get()));
  print_case_header(summary.record, summary.alias);
  if (summary.duplicate_of != 0) std::cout << "Duplicate of case " << summary.duplicate_of << ".\n";
  const auto duplicates = SAFEHOUSE_TRY(review::duplicates_of(store, options.case_id));
  if (!duplicates.empty()) {
    std::cout << "Duplicates of this case:";
    for (store::CaseId id : duplicates) std::cout << " " << id;
    std::cout << "\n";
  }
  const auto copies = SAFEHOUSE_TRY(review::publication_copies(store, options.case_id));
  std::vector<Bytes> sealed;
  const auto assessments = SAFEHOUSE_TRY(stored_assessments(store, options.case_id, sealed));
  auto printed = print_items(items, out.get());
  std::size_t unreadable = print_assessments(
      assessments,
      [&](const review::BundleAssessment& a) -> Result<std::unique_ptr<ByteSource>> {
        // `a` is an element of `assessments`, whose records `sealed` holds alike.
        return std::make_unique<SpanSource>(
            sealed.at(static_cast<std::size_t>(&a - assessments.data())));
      },
      raw);
  unreadable += print_copies(
      copies,
      [&store](const store::PublicationCopyRecord& copy) {
        return store.blobs().open_blob(copy.body);
      },
      raw, out.get());
  if (!printed) return printed;
  if (unreadable > 0) {
    return Error(ErrorCode::kIntegrity,
                 "review read: " + std::to_string(unreadable) + " of " +
                     std::to_string(assessments.size() + copies.size()) +
                     " assessments and publication copies could not be read");
  }
  return {};
}

Result<std::string> read_reply_text(const std::string& path) {
  auto in = SAFEHOUSE_TRY(InputFile::open(path));
  std::string text;
  Bytes buffer(64 * 1024);
  for (;;) {
    const std::size_t n = SAFEHOUSE_TRY(in->read(buffer));
    if (n == 0) break;
    text.append(reinterpret_cast<const char*>(buffer.data()), n);
    if (text.size() > intake::kMaxReplyBytes) {
      return Error(ErrorCode::kTooLarge, "review reply: longer than " +
                                             std::to_string(intake::kMaxReplyBytes) + " bytes");
    }
  }
  if (!review::is_valid_utf8(text)) return malformed("review reply: the text is not UTF-8");
  return text;
}

Result<void> run_reply(const ReviewOptions& options) {
  if (options.language != "en" && options.language != "fa") {
    return invalid_argument("review reply: --lang must be en or fa");
  }
  const std::string text = SAFEHOUSE_TRY(read_reply_text(options.reply_file));
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  std::string actor = "unidentified (no -i)";
  if (!options.identity.empty()) {
    actor = review::actor_name(*session.workflow, SAFEHOUSE_TRY(load_key_file(options.identity)));
  }
  intake::IntakeOptions intake_options;
  intake_options.recipients = session.installation->recipients();
  intake_options.today = [] { return store::day_of(std::chrono::system_clock::now()); };
  intake::Intake intake(session.installation->store(), std::move(intake_options));
  const store::ItemId item =
      SAFEHOUSE_TRY(intake.send_reply(options.case_id, text, options.language));
  SAFEHOUSE_TRY_VOID(
      session.workflow->log(actor, "reply", options.case_id, "item " + std::to_string(item)));
  std::cout << "Reply stored as item " << item << " of case " << options.case_id
            << "; the source sees it at their next sign-in.\n";
  return {};
}

Result<void> run_transition(const ReviewOptions& options) {
  auto target = store::status_from_name(options.target);
  if (!target) {
    return invalid_argument("review transition: unknown status '" + options.target +
                            "' (received triage verifying needs-info corroborated verified "
                            "duplicate rejected suspected-infiltration withdrawn purged)");
  }
  auto session = SAFEHOUSE_TRY(open_workflow(options.data));
  review::Workflow& workflow = *session.workflow;
  auto keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  auto reviewer = workflow.reviewer_of(keys);
  if (!reviewer) {
    (void)workflow.log(review::actor_name(workflow, keys), "refused", options.case_id,
                       "-> " + options.target + ": " + reviewer.error().message());
    return reviewer.error().with_context("case " + std::to_string(options.case_id));
  }
  const review::ReviewerKeys* own = nullptr;
  for (const auto& key : keys) {
    if (key.signing_key() == reviewer->signing_key) own = &key;
  }
  std::optional<store::CaseId> duplicate_of;
  if (options.duplicate_of != 0) duplicate_of = options.duplicate_of;
  const review::TransitionOutcome outcome =
      SAFEHOUSE_TRY(workflow.transition(*own, options.case_id, *target, duplicate_of));
  const std::string move = std::string(store::status_name(outcome.from)) + " -> " +
                           std::string(store::status_name(outcome.to));
  if (outcome.moved) {
    std::cout << "Case " << options.case_id << ": " << move << " by " << reviewer->name << " ("
              << outcome.approvals << " of " << outcome.needed << " approvals); event "
              << outcome.event_number;
    if (duplicate_of) std::cout << "; duplicate of case " << *duplicate_of;
    std::cout << ".\n";
    if (outcome.to == store::CaseStatus::kPurged) {
      std::cout << "Its items are deleted (" << outcome.blobs_removed
                << " blob files); a tombstone stays.\n";
    }
  } else {
    std::cout << "Case " << options.case_id << ": approval " << outcome.approvals << " of "
              << outcome.needed << " recorded by " << reviewer->name << " for " << move
              << "; it needs " << (outcome.needed - outcome.approvals)
              << " more from a different reviewer.\n";
  }
  return {};
}

void add_data_option(CLI::App* cmd, ReviewOptions& options) {
  cmd->add_option("--data", options.data, "The installation's data directory")->required();
}

}  // namespace

void add_review_command(CLI::App& app) {
  auto options = std::make_shared<ReviewOptions>();
  CLI::App* review =
      app.add_subcommand("review", "Reviewer tools: list cases, read, reply, transition");
  review->require_subcommand(1);

  CLI::App* list = review->add_subcommand("list", "List cases (nothing is decrypted)");
  add_data_option(list, *options);
  list->add_option("--status", options->status, "Only cases with this status (e.g. received)");
  list->callback([options] { exit_on_error(run_list(*options)); });

  CLI::App* read = review->add_subcommand(
      "read", "Decrypt and show every item of a case (from --data, or an export --bundle)");
  read->add_option("--data", options->data, "The installation's data directory");
  read->add_option("--bundle", options->bundle,
                   "An export bundle (safehouse export) instead of --data: its manifest is "
                   "verified first; every case in it is shown unless CASE is given");
  read->add_option("-i,--identity", options->identity,
                   "Identity file: AGE-SECRET-KEY-1 lines, or a passphrase-encrypted one "
                   "(passphrase from SAFEHOUSE_PASSPHRASE or the terminal); default "
                   "DIR/reviewers/reviewer.age");
  read->add_option("--out", options->out,
                   "Save the case's files into this directory (created if needed)");
  read->add_option("case", options->case_id,
                   "Case id (see `safehouse review list`); optional with --bundle");
  read->callback([options] { exit_on_error(run_read(*options)); });

  CLI::App* reply = review->add_subcommand("reply", "Send the source of a case a reply");
  add_data_option(reply, *options);
  reply->add_option("case", options->case_id, "Case id")->required();
  reply->add_option("file", options->reply_file, "File with the reply text (default: stdin)");
  reply->add_option("--lang", options->language, "Language of the reply: en or fa")
      ->capture_default_str();
  reply->add_option("-i,--identity", options->identity,
                    "The replying reviewer's key file, to name them in the audit log");
  reply->callback([options] { exit_on_error(run_reply(*options)); });

  CLI::App* transition = review->add_subcommand(
      "transition", "Move a case to a status, or approve a move that needs two reviewers");
  add_data_option(transition, *options);
  transition->add_option("-i,--identity", options->identity, "The reviewer's key file")->required();
  transition->add_option("case", options->case_id, "Case id")->required();
  transition
      ->add_option("status", options->target,
                   "The new status: received triage verifying needs-info corroborated "
                   "verified duplicate rejected suspected-infiltration withdrawn purged")
      ->required();
  transition->add_option("--of", options->duplicate_of,
                         "With duplicate: the case this one duplicates (recorded as a link)");
  transition->callback([options] { exit_on_error(run_transition(*options)); });

  add_review_categorise_command(*review);
  add_review_clean_command(*review);
  add_review_grant_command(*review);
  add_review_assess_command(*review);
  add_review_share_command(*review);
}

}  // namespace safehouse::cli
