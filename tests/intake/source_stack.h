// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/source_stack.h: a real installation in a temporary directory
// and everything the source routes need on top of it (what `safehouse serve`
// builds), shared by the tests that drive the routes through the Router and
// through a real Server. Set `engine` before open() to run it on
// PostgreSQL (SAFEHOUSE_TEST_POSTGRES_URL's cluster, a fresh database).
#ifndef SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_
#define SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <string>

#include "../store/engines.h"
#include "config/installation.h"
#include "http/session_store.h"
#include "http/source_routes.h"
#include "intake/intake.h"
#include "store/file_system.h"
#include "web/renderer.h"

namespace safehouse::http {

// The first group of `pattern` found in `text`, or "".
inline std::string match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

struct SourceStack {
  // The engine to open() on; the database (and root) live as long as this.
  store::testing::Engine engine = store::testing::Engine::kSqlite;
  std::unique_ptr<store::testing::EngineInstallation> db;
  std::filesystem::path root;  // the installation is root / "data"
  std::unique_ptr<config::Installation> installation;
  std::unique_ptr<intake::Intake> intake;
  std::unique_ptr<web::Renderer> renderer;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<VisitorTokens> visitors;
  std::unique_ptr<SourceContext> source;

  // Call with ASSERT_NO_FATAL_FAILURE. `demo` also writes demo-reviewer.key.
  // The installation is opened through `fs`; `tune` may set intake options
  // (quotas); the session store's clock and size are the tests' to choose.
  void open(const std::string& organisation, bool demo, std::uint64_t max_upload_bytes,
            store::FileSystem& fs = store::FileSystem::posix(),
            const std::function<void(intake::IntakeOptions&)>& tune = {},
            SessionStore::Clock session_clock = &std::chrono::steady_clock::now,
            std::size_t max_sessions = SessionStore::kDefaultMaxSessions) {
    db = std::make_unique<store::testing::EngineInstallation>(engine);
    ASSERT_NO_FATAL_FAILURE(db->require());
    root = db->root();
    config::InitOptions options;
    options.organisation_name = organisation;
    options.demo = demo;
    options.scrypt_work_factor = 10;  // fast: the tests do not attack it
    options.database = db->database();
    ASSERT_TRUE(config::create_installation(root / "data", options, store::FileSystem::posix()));
    installation = config::Installation::open(root / "data", fs).value();
    intake::IntakeOptions intake_options;
    intake_options.recipients = installation->recipients();
    if (tune) tune(intake_options);
    intake = std::make_unique<intake::Intake>(installation->store(), std::move(intake_options));
    renderer =
        std::make_unique<web::Renderer>(web::Renderer::create(web::SiteInfo{organisation}).value());
    sessions =
        std::make_unique<SessionStore>(std::chrono::minutes(15), session_clock, max_sessions);
    visitors = std::make_unique<VisitorTokens>();
    source = std::make_unique<SourceContext>(
        SourceContext{SourceSite{organisation, installation->verifier_key(),
                                 installation->recipient_strings(), max_upload_bytes},
                      *intake, *renderer, *sessions, *visitors});
  }

  // Blobs the installation holds, read as another process would.
  std::size_t blob_count() const { return db->blob_count(); }

  // Closes the installation before its directory and database go.
  ~SourceStack() {
    source.reset();
    sessions.reset();
    visitors.reset();
    intake.reset();
    installation.reset();
    db.reset();
  }
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_
