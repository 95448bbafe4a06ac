// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/clean.cpp: `safehouse review clean`, publication copies
// (docs/reviewing.md, "Publication copies"): decrypts one file item of a
// case, from a data directory or an export bundle, into a private
// temporary directory, has Debian's mat2 remove its metadata there in a
// sandbox without network (review/metadata_cleaner.h), and writes the
// cleaned copy to -o OUT (0600). With --data and --attach the copy is also
// stored on the case, encrypted to the recipient set and linked to its
// original. The original item is never changed: it stays the evidence.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cleanup.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/workflow_session.h"
#include "review/bundle.h"
#include "review/case_reader.h"
#include "review/metadata_cleaner.h"
#include "review/private_dir.h"
#include "review/publication_copy.h"

namespace safehouse::cli {
namespace {

struct CleanOptions {
  std::string data;
  std::string bundle;
  std::string identity;
  std::string out;
  store::CaseId case_id = 0;
  store::ItemId item_id = 0;
  bool attach = false;
  std::int64_t time_limit_seconds = review::kDefaultCleanTimeLimit.count();
};

// The extension mat2 recognises the type by (it goes by the name): the
// file name's last ".xyz", lower case, when it is 1-10 letters or digits.
std::string extension_of(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string ext(file_name.substr(dot + 1));
  if (ext.empty() || ext.size() > 10) return "";
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return "";
  }
  return "." + ext;
}

// Clears the signal handlers' pending directory and child on every way out.
// Declared before the PrivateDir, so that it outlives the directory.
struct PendingDir {
  PendingDir() = default;
  void set(const std::string& path) { set_pending_temp_dir(path); }
  ~PendingDir() {
    set_pending_child(0);
    set_pending_temp_dir("");
  }
  PendingDir(const PendingDir&) = delete;
  PendingDir& operator=(const PendingDir&) = delete;
};

Result<void> copy_to_output(const std::filesystem::path& from, const std::string& to) {
  auto in = SAFEHOUSE_TRY(InputFile::open(from.string()));
  auto out = SAFEHOUSE_TRY(OutputFile::open(to, Existing::kRefuse));
  Bytes buffer(256 * 1024);
  for (;;) {
    const std::size_t n = SAFEHOUSE_TRY(in->read(buffer));
    if (n == 0) break;
    SAFEHOUSE_TRY_VOID(out->write(ByteSpan(buffer.data(), n)));
  }
  return out->finish();
}

Result<store::ItemRecord> find_item(const std::vector<store::ItemRecord>& items,
                                    store::CaseId case_id, store::ItemId item_id) {
  for (const auto& item : items) {
    if (item.item_id == item_id) return item;
  }
  return Error(ErrorCode::kNotFound, "review clean: case " + std::to_string(case_id) +
                                         " has no item " + std::to_string(item_id) +
                                         " (see `safehouse review read`)");
}

Result<void> check_options(const CleanOptions& options) {
  if (options.data.empty() == options.bundle.empty()) {
    return invalid_argument("review clean: give either --data DIR or --bundle BUNDLE");
  }
  if (options.attach && options.data.empty()) {
    return invalid_argument(
        "review clean: --attach needs --data (a bundle is a read-only copy of the cases)");
  }
  if (options.time_limit_seconds < 1) {
    return invalid_argument("review clean: --time-limit must be at least 1 second");
  }
  struct stat st {};
  if (::lstat(options.out.c_str(), &st) == 0) {
    return Error(ErrorCode::kConflict,
                 "review clean: " + options.out + " already exists; give a new file name with -o");
  }
  return {};
}

Result<void> run_clean(const CleanOptions& options) {
  SAFEHOUSE_TRY_VOID(check_options(options));
  const auto keys = SAFEHOUSE_TRY(load_key_file(options.identity));
  std::vector<const age::Identity*> identities;
  for (const auto& key : keys) identities.push_back(&key.identity());

  std::unique_ptr<review::Bundle> bundle;
  WorkflowSession session;
  store::ItemRecord record;
  review::ItemBodyOpener open_body;
  std::optional<store::ReviewerRecord> reviewer;
  std::string actor;
  if (!options.bundle.empty()) {
    bundle = SAFEHOUSE_TRY(review::Bundle::open(options.bundle));
    const review::BundleCase* c = SAFEHOUSE_TRY(bundle->find_case(options.case_id));
    record = SAFEHOUSE_TRY(find_item(c->items, options.case_id, options.item_id));
    open_body = [&bundle](const store::ItemRecord& item) { return bundle->open_item(item); };
  } else {
    session = SAFEHOUSE_TRY(open_workflow(options.data));
    store::Store& store = session.installation->store();
    SAFEHOUSE_TRY(store.get_case(options.case_id));
    const auto items = SAFEHOUSE_TRY(store.list_items(options.case_id));
    record = SAFEHOUSE_TRY(find_item(items, options.case_id, options.item_id));
    open_body = [&store](const store::ItemRecord& item) {
      return store.open_item_body(item.item_id);
    };
    if (options.attach) {
      // Only a reviewer of the installation files copies on its cases.
      auto who = session.workflow->reviewer_of(keys);
      if (!who) return who.error().with_context("review clean --attach");
      if (!who->active()) {
        return Error(ErrorCode::kConflict, "review clean --attach: reviewer " + who->name +
                                               " was removed and files nothing on cases");
      }
      reviewer = *who;
      actor = who->name;
    } else {
      actor = review::actor_name(*session.workflow, keys);
    }
    // Logged before anything is decrypted, as `review read` is.
    SAFEHOUSE_TRY_VOID(session.workflow->log(
        actor, "clean", options.case_id,
        "item " + std::to_string(options.item_id) + (options.attach ? ", --attach" : "")));
  }

  install_cleanup_handlers();
  PendingDir pending;
  auto dir = SAFEHOUSE_TRY(review::PrivateDir::create());
  pending.set(dir->path().string());
  auto work = SAFEHOUSE_TRY(review::OutputDir::open(dir->path()));
  const std::vector<store::ItemRecord> one = {record};
  const auto read = review::read_items(one, open_body, identities, work.get());
  const review::ReadItem& item = read.front();
  if (item.error) return item.error->with_context("review clean");
  if (item.header->kind != intake::ItemKind::kFile) {
    return Error(ErrorCode::kUnsupported,
                 "review clean: item " + std::to_string(options.item_id) + " is a " +
                     std::string(intake::item_kind_name(item.header->kind)) +
                     ", not a file: only files are cleaned");
  }
  // A name of our own: the source's file name never reaches mat2's
  // command line (only its extension, which mat2 goes by).
  const std::string extension = extension_of(item.header->file_name);
  const std::string input = "original" + extension;
  std::error_code ec;
  std::filesystem::rename(dir->path() / item.saved_as, dir->path() / input, ec);
  if (ec) return Error(ErrorCode::kIo, "review clean: " + ec.message());

  review::CleanerOptions cleaner;
  cleaner.time_limit = std::chrono::seconds(options.time_limit_seconds);
  cleaner.on_child = [](pid_t pid) { set_pending_child(pid); };
  auto cleaned = review::clean_metadata(dir->path(), input, cleaner);
  if (!cleaned) {
    return cleaned.error().with_context("review clean: item " + std::to_string(options.item_id));
  }
  const std::filesystem::path cleaned_path = dir->path() / *cleaned;
  SAFEHOUSE_TRY_VOID(copy_to_output(cleaned_path, options.out));
  const auto bytes = std::filesystem::file_size(options.out, ec);
  std::cout << "Item " << options.item_id << " of case " << options.case_id
            << ": metadata removed by mat2; the cleaned copy is " << options.out << " (" << bytes
            << " bytes). The original item is unchanged.\n";

  if (options.attach) {
    review::AttachRequest request;
    request.case_id = options.case_id;
    request.item_id = options.item_id;
    request.reviewer_id = reviewer->reviewer_id;
    request.actor = actor;
    request.header = *item.header;
    request.header.claims.reset();
    // Not the source's file name: it may say as much as the metadata did.
    request.header.file_name = "copy-of-item-" + std::to_string(options.item_id) + extension;
    request.cleaned = cleaned_path;
    request.day = store::day_of(std::chrono::system_clock::now());
    const auto& set = session.installation->recipients();
    std::vector<const age::Recipient*> recipients;
    for (const auto& r : set) recipients.push_back(&r);
    auto copy_id =
        review::attach_publication_copy(session.installation->store(), recipients, request);
    if (!copy_id) {
      ::unlink(options.out.c_str());
      return copy_id.error().with_context("review clean --attach (" + options.out +
                                          " removed again)");
    }
    std::cout << "Stored on case " << options.case_id << " as publication copy " << *copy_id
              << " of item " << options.item_id << ", encrypted to the " << set.size()
              << " recipient" << (set.size() == 1 ? "" : "s") << " of the installation.\n";
  }
  return {};
}

}  // namespace

void add_review_clean_command(CLI::App& review) {
  auto options = std::make_shared<CleanOptions>();
  CLI::App* clean = review.add_subcommand(
      "clean",
      "A publication copy of a file item: its metadata removed by mat2 (in a sandbox without "
      "network); the original stays as it is");
  clean->add_option("--data", options->data, "The installation's data directory");
  clean->add_option("--bundle", options->bundle,
                    "An export bundle (safehouse export) instead of --data");
  clean->add_option("-i,--identity", options->identity, "The reviewer's identity file")->required();
  clean->add_option("case", options->case_id, "Case id")->required();
  clean->add_option("item", options->item_id, "Item id (see `safehouse review read`)")->required();
  clean->add_option("-o,--out", options->out, "Where to write the cleaned copy (a new file)")
      ->required();
  clean->add_flag("--attach", options->attach,
                  "With --data: also store the copy on the case, encrypted to the recipient "
                  "set, as a publication copy of the item");
  clean
      ->add_option("--time-limit", options->time_limit_seconds,
                   "Seconds mat2 may take before it is stopped")
      ->capture_default_str();
  clean->callback([options] { exit_on_error(run_clean(*options)); });
}

}  // namespace safehouse::cli
