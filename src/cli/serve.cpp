// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/serve.cpp: `safehouse serve --data DIR [--source-listen H:P]
// [--staff-listen H:P]`: opens the installation and runs the source and
// staff listeners until SIGTERM or SIGINT. Prints where they listen and points
// to `safehouse torrc` for the onion services; logs nothing
// about any request.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/log_key_unlock.h"
#include "cli/passphrase.h"
#include "cli/published_file.h"
#include "cli/published_index.h"
#include "cli/witness_client.h"
#include "config/installation.h"
#include "config/transparency_log.h"
#include "crypto/hkdf.h"
#include "crypto/process_hardening.h"
#include "http/log_pages.h"
#include "http/log_publication_routes.h"
#include "http/log_routes.h"
#include "http/server.h"
#include "http/session_store.h"
#include "http/source_routes.h"
#include "http/staff_routes.h"
#include "http/tus_routes.h"
#include "intake/intake.h"
#include "intake/recipient_set.h"
#include "intake/resumable_uploads.h"
#include "review/accounts.h"
#include "review/log_publisher.h"
#include "review/workflow.h"
#include "store/log_store.h"
#include "tlog/encoding.h"
#include "tlog/tile_store.h"
#include "web/language.h"
#include "web/renderer.h"

namespace safehouse::cli {
namespace {

constexpr std::size_t kSignInMaxWaiting = 256;
constexpr auto kSignInMaxWait = std::chrono::seconds(30);
// How often the log's head is compared with what the witnesses cosigned.
constexpr auto kWitnessPollPeriod = std::chrono::seconds(2);
// How long the recipient set read from the database is used before it is
// read again.
constexpr auto kRecipientSetMaxAge = std::chrono::seconds(1);

struct ServeOptions {
  std::string data;
  std::string source_listen;
  std::string staff_listen;
};

std::string url_of(const config::ListenAddress& address, std::uint16_t port) {
  config::ListenAddress bound = address;
  bound.port = port;
  return "http://" + bound.to_string() + "/";
}

Result<void> apply_overrides(const ServeOptions& options, config::Config& config) {
  if (!options.source_listen.empty()) {
    auto address = config::parse_listen_address(options.source_listen);
    if (!address) return address.error().with_context("--source-listen");
    config.source_listen = *address;
  }
  if (!options.staff_listen.empty()) {
    auto address = config::parse_listen_address(options.staff_listen);
    if (!address) return address.error().with_context("--staff-listen");
    config.staff_listen = *address;
  }
  return {};
}

void print_start(const config::Config& config, const http::Server& server) {
  const auto source_port = server.port("source");
  const auto staff_port = server.port("staff");
  std::cout << "Safehouse is serving " << config.organisation_name << ".\n"
            << "  Source pages:  " << url_of(config.source_listen, source_port) << "\n"
            << "  Staff:         " << url_of(config.staff_listen, staff_port)
            << "  (metrics at /metrics)\n\n"
            << "Each listener belongs behind its own Tor onion service, the staff one with\n"
            << "client authorisation: `safehouse torrc --data DIR` prints the torrc lines.\n\n"
            << "Stop with Ctrl-C or SIGTERM." << std::endl;
}

Result<void> run_serve(const ServeOptions& options) {
  // Before any secret is in memory: no core dump, no ptrace (docs/secrets.md).
  SAFEHOUSE_TRY_VOID(crypto::disable_core_dumps());
  // Everything this process creates in the data directory (the database
  // included, which SQLite creates itself) is for its owner alone.
  ::umask(077);
  auto installation =
      SAFEHOUSE_TRY(config::Installation::open(options.data, store::FileSystem::posix()));
  config::Config& config = installation->mutable_config();
  SAFEHOUSE_TRY_VOID(apply_overrides(options, config));
  SAFEHOUSE_TRY_VOID(ensure_log_key_unlocked(*installation, "serve"));

  intake::IntakeOptions intake_options;
  intake_options.recipients = installation->recipients();
  // The recipient set as the database holds it now: `safehouse recipients
  // add|remove` takes effect within kRecipientSetMaxAge, for the intake and
  // the signed note alike, without a restart.
  auto live_recipients = std::make_shared<intake::LiveRecipientSet>(
      [&installation] {
        return config::load_recipient_set(installation->store(), installation->layout(),
                                          store::FileSystem::posix());
      },
      kRecipientSetMaxAge);
  intake_options.live_recipients = live_recipients;
  intake_options.limits.max_message_bytes = config.limits.max_message_bytes;
  const config::Quotas& quotas = config.quotas;
  intake_options.bytes_per_source_per_day = quotas.bytes_per_source_per_day;
  intake_options.free_space_reserve_bytes = quotas.free_space_reserve_bytes;
  intake_options.available_bytes = [dir = installation->layout().dir] {
    return store::FileSystem::posix().available_bytes(dir);
  };
  intake::Intake intake(installation->store(), std::move(intake_options));
  const web::Renderer renderer =
      SAFEHOUSE_TRY(web::Renderer::create(web::SiteInfo{config.organisation_name}));
  http::SessionStore sessions(std::chrono::minutes(config.session_idle_minutes));
  // Derived from the log key, which serve holds anyway: a first-contact
  // form shown before a restart is still accepted after it (docs/http.md).
  http::VisitorTokens visitors(installation->log_key().private_key_text().reveal());

  // Sign-in attempts beyond the budget wait their turn, at most this long.
  http::FairBudget sign_in_budget(quotas.sign_ins_per_minute, kSignInMaxWaiting, kSignInMaxWait);
  http::SourceContext source{
      http::SourceSite{
          config.organisation_name, installation->verifier_key(), installation->recipient_strings(),
          config.limits.max_upload_bytes, web::parse_language(config.default_language).value(),
          quotas.sign_in_failures_per_session, quotas.submissions_per_session_per_minute},
      intake,
      renderer,
      sessions,
      visitors,
      &sign_in_budget,
      {},
      nullptr};
  // The JavaScript client's recipient set: the file as it is now, signed
  // with the log key at each request (docs/web-client.md).
  const tlog::Ed25519Signer note_signer = config::log_signer(installation->log_key());
  source.note_signer = &note_signer;
  // The genuine onion addresses, signed with the log key (docs/tlog.md).
  if (!config.onion.addresses.empty()) {
    source.site.onion_addresses = config.onion.addresses;
    source.site.onion_note = SAFEHOUSE_TRY(
        config::onion_addresses_note(installation->log_key(), config.onion.addresses));
  }
  source.live_recipients = [live_recipients]() -> Result<std::vector<std::string>> {
    const intake::RecipientSnapshot set = SAFEHOUSE_TRY(live_recipients->current());
    return set->strings();
  };
  http::Router source_router;
  http::add_source_routes(source_router, source);
  // Resumable uploads (tus) of the JavaScript client, in the blob engine;
  // who owns which is kept in memory only (intake/resumable_uploads.h).
  intake::ResumableUploadOptions upload_options;
  upload_options.max_size_bytes = config.limits.tus_max_size_bytes;
  upload_options.expiry = std::chrono::hours(config.limits.upload_expiry_hours);
  upload_options.recipient_count = [&source, &installation] {
    auto recipients = http::current_recipients(source);
    return recipients ? recipients->size() : installation->recipients().size();
  };
  intake::ResumableUploads uploads(installation->store().blobs(), std::move(upload_options));
  http::add_tus_routes(source_router, source, uploads);
  // The transparency log, shared through the database (docs/tlog.md); an
  // installation made before the log existed gets its empty checkpoint now.
  auto log = SAFEHOUSE_TRY(store::LogStore::open(
      installation->layout().dir, config.storage.database, store::FileSystem::posix()));
  SAFEHOUSE_TRY_VOID(log->create(config::log_origin(installation->log_key()),
                                 config::log_signer(installation->log_key())));
  // Openings sealed to observers, statements and their cosignatures.
  http::LogPublication publication;
  publication.openings = [&log](std::string_view observer) -> Result<Bytes> {
    Bytes sealed;
    SAFEHOUSE_TRY_VOID(log->read_with([&](store::SqlSession& db) -> Result<void> {
      sealed = SAFEHOUSE_TRY(store::read_observer_openings(db, observer));
      return {};
    }));
    return sealed;
  };
  publication.statements = [&log]() -> Result<std::vector<http::StatementListing>> {
    std::vector<http::StatementListing> out;
    SAFEHOUSE_TRY_VOID(log->read_with([&](store::SqlSession& db) -> Result<void> {
      for (const auto& record : SAFEHOUSE_TRY(store::list_statements(db))) {
        out.push_back({record.statement_id, SAFEHOUSE_TRY(review::statement_with_cosignatures(
                                                db, record.statement_id))});
      }
      return {};
    }));
    return out;
  };
  // The landing page lists the newest of the same statements
  // (http/log_pages.h), reading the cosignatures of those only.
  source.statements = [&log]() -> Result<std::vector<http::StatementListing>> {
    std::vector<http::StatementListing> out;
    SAFEHOUSE_TRY_VOID(log->read_with([&](store::SqlSession& db) -> Result<void> {
      const auto records = SAFEHOUSE_TRY(store::list_statements(db));
      const std::size_t first =
          records.size() > http::kLandingStatements ? records.size() - http::kLandingStatements : 0;
      for (std::size_t i = first; i < records.size(); ++i) {
        out.push_back({records[i].statement_id, SAFEHOUSE_TRY(review::statement_with_cosignatures(
                                                    db, records[i].statement_id))});
      }
      return {};
    }));
    return out;
  };
  publication.statement = [&log](std::int64_t id) -> Result<std::string> {
    std::string note;
    SAFEHOUSE_TRY_VOID(log->read_with([&](store::SqlSession& db) -> Result<void> {
      note = SAFEHOUSE_TRY(review::statement_with_cosignatures(db, id));
      return {};
    }));
    return note;
  };
  publication.cosign = [&log](std::int64_t id, std::string_view note) {
    return review::add_cosignatures(*log, id, note);
  };
  http::add_log_publication_routes(source_router, std::move(publication));
  // The organisation's own published files, and the page that checks a
  // file's hash against them (docs/tlog.md, "On the source pages").
  PublishedFileIndex published_index(*log);
  http::PublishedFiles published_files;
  published_files.list = [&published_index]() -> Result<std::vector<http::PublishedFileRow>> {
    std::vector<http::PublishedFileRow> rows;
    for (const IndexedFile& file : SAFEHOUSE_TRY(published_index.files())) {
      rows.push_back({file.index, hex(file.file.sha256), file.file.language, file.file.day});
    }
    return rows;
  };
  published_files.find =
      [&published_index](
          const crypto::Sha256Digest& digest) -> Result<std::optional<http::PublishedFileProof>> {
    auto found = SAFEHOUSE_TRY(published_index.find(digest));
    if (!found) return std::optional<http::PublishedFileProof>();
    http::PublishedFileProof proof;
    proof.file = {found->file.index, hex(found->file.file.sha256), found->file.file.language,
                  found->file.file.day};
    proof.checkpoint_note = found->head.note;
    proof.size = found->head.checkpoint.size;
    proof.root = tlog::base64_encode(found->head.checkpoint.root);
    proof.leaf_hash = tlog::base64_encode(found->leaf);
    for (const tlog::Hash& hash : found->proof) proof.proof.push_back(tlog::base64_encode(hash));
    return std::optional<http::PublishedFileProof>(std::move(proof));
  };
  http::add_published_files_page(source_router, renderer, std::move(published_files));
  // Case events go into the log in daily batches (docs/tlog.md, "Case
  // events in the log"): the first check after midnight UTC, on whichever
  // server gets the log's lock first, appends the events of the days before.
  const tlog::Ed25519Signer log_signer = config::log_signer(installation->log_key());
  auto daily_batch = [&log, &log_signer] {
    auto batch = review::publish_daily_batch(*log, log_signer,
                                             store::day_of(std::chrono::system_clock::now()));
    if (!batch) {
      std::cerr << "safehouse: " << batch.error().message() << " (retried in 10 minutes)"
                << std::endl;
    } else if (*batch && (*batch)->entries > 0) {
      std::cout << "Log: published " << (*batch)->entries << " case events of the days before "
                << "today; checkpoint size " << (*batch)->head.checkpoint.size << "." << std::endl;
    }
  };
  daily_batch();
  // The checkpoint goes out with the cosignatures witnesses gave it.
  http::add_log_routes(source_router, [&log](std::string_view path) -> Result<Bytes> {
    return path == tlog::kCheckpointPath ? log->cosigned_checkpoint() : log->read(path);
  });
  source_router.get("/log/onion-addresses", [&source_router, &source](http::Request& request) {
    if (source.site.onion_note.empty()) return source_router.error_page(404, request);
    http::Response response(200, "text/plain; charset=utf-8", source.site.onion_note);
    response.set_header("Cache-Control", "no-cache");
    return response;
  });
  // Witnesses named in config.toml are asked to cosign each new checkpoint
  // (whoever appended it: this server, `statement sign`, another server).
  auto witnesses =
      SAFEHOUSE_TRY(WitnessClient::create(config.witnesses, *log, http_witness_transport()));
  std::unique_ptr<WitnessLoop> witness_loop;
  if (!config.witnesses.empty()) {
    witness_loop = std::make_unique<WitnessLoop>(*witnesses, kWitnessPollPeriod);
  }

  http::ServerOptions server_options;
  server_options.key_derivation_queue_limit = quotas.key_derivation_queue;
  server_options.small_body_timeout = std::chrono::seconds(quotas.small_body_seconds);
  server_options.min_body_bytes_per_second = quotas.min_body_bytes_per_second;
  http::Server server(server_options);
  // Reviewers' accounts (review/accounts.h): their own sessions and cookie;
  // TOTP secrets are sealed at rest with a key derived from the log key,
  // which only a running server holds unlocked.
  http::SessionStore staff_sessions(std::chrono::minutes(config.session_idle_minutes));
  review::StaffAccounts accounts(
      installation->store(),
      crypto::hkdf_sha256(installation->log_key().private_key_text().reveal(), {},
                          "safehouse/staff/totp-seal/v1", 32));
  http::StaffContext staff{intake,
                           renderer,
                           [&server] { return server.stats(); },
                           &accounts,
                           &staff_sessions,
                           &installation->store(),
                           installation->verifier_key()};
  // The workspace's approvals name the installation as every server and the
  // CLI do (cli/workflow_session.cpp): the stored verifier key if any.
  std::string workflow_installation = installation->verifier_key();
  if (auto stored = installation->store().get_setting(config::kVerifierKeySetting)) {
    workflow_installation.assign(stored->begin(), stored->end());
  }
  review::Workflow workflow(installation->store(), std::move(workflow_installation),
                            [] { return store::day_of(std::chrono::system_clock::now()); });
  staff.workflow = &workflow;
  staff.categories = config.log.categories;
  staff.recipients = source.live_recipients;
  http::Router staff_router;
  http::add_staff_routes(staff_router, staff);

  SAFEHOUSE_TRY_VOID(server.add_listener(
      "source", config.source_listen.host, config.source_listen.port, source_router,
      http::SecurityHeaders::source_defaults(), http::ListenerLimits{quotas.source_connections}));
  SAFEHOUSE_TRY_VOID(server.add_listener(
      "staff", config.staff_listen.host, config.staff_listen.port, staff_router,
      http::SecurityHeaders::staff_defaults(), http::ListenerLimits{quotas.staff_connections}));
  // An expired session's codename-derived keys are freed (wiped) within a
  // quarter of the idle time, even if no request comes to trigger a sweep.
  const std::chrono::milliseconds idle = std::chrono::minutes(config.session_idle_minutes);
  server.every(std::clamp<std::chrono::milliseconds>(idle / 4, std::chrono::seconds(1),
                                                     std::chrono::seconds(60)),
               [&sessions, &staff_sessions] {
                 sessions.sweep();
                 staff_sessions.sweep();
               });
  server.every(std::chrono::minutes(10), daily_batch);
  // Abandoned uploads go within a minute of their expiry.
  server.every(std::chrono::seconds(60), [&uploads] { uploads.sweep(); });
  print_start(config, server);
  server.run();
  if (witness_loop) witness_loop->stop();
  std::cout << "Stopped." << std::endl;
  return {};
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the source and staff listeners");
  cmd->add_option("--data", options->data, "The installation's data directory")->required();
  cmd->add_option("--source-listen", options->source_listen,
                  "Source listener address HOST:PORT (default from config.toml)");
  cmd->add_option("--staff-listen", options->staff_listen,
                  "Staff listener address HOST:PORT (default from config.toml)");
  cmd->callback([options] { exit_on_error(run_serve(*options)); });
}

}  // namespace safehouse::cli
