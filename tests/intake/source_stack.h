// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/source_stack.h: a real installation in a temporary directory
// and everything the source routes need on top of it (what `safehouse serve`
// builds), shared by the tests that drive the routes through the Router and
// through a real Server.
#ifndef SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_
#define SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>

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
  std::filesystem::path root;  // the installation is root / "data"
  std::unique_ptr<config::Installation> installation;
  std::unique_ptr<intake::Intake> intake;
  std::unique_ptr<web::Renderer> renderer;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<SourceContext> source;

  // Call with ASSERT_NO_FATAL_FAILURE. `demo` also writes demo-reviewer.key.
  void open(const std::string& organisation, bool demo, std::uint64_t max_upload_bytes) {
    char path[] = "/tmp/safehouse-stack-XXXXXX";
    ASSERT_NE(mkdtemp(path), nullptr);
    root = path;
    config::InitOptions options;
    options.organisation_name = organisation;
    options.demo = demo;
    options.scrypt_work_factor = 10;  // fast: the tests do not attack it
    ASSERT_TRUE(config::create_installation(root / "data", options, store::FileSystem::posix()));
    installation = config::Installation::open(root / "data", store::FileSystem::posix()).value();
    intake::IntakeOptions intake_options;
    intake_options.recipients = installation->recipients();
    intake = std::make_unique<intake::Intake>(installation->store(), std::move(intake_options));
    renderer =
        std::make_unique<web::Renderer>(web::Renderer::create(web::SiteInfo{organisation}).value());
    sessions = std::make_unique<SessionStore>(std::chrono::minutes(15));
    source = std::make_unique<SourceContext>(
        SourceContext{SourceSite{organisation, installation->verifier_key(),
                                 installation->recipient_strings(), max_upload_bytes},
                      *intake, *renderer, *sessions});
  }

  // Closes the installation before its directory goes.
  ~SourceStack() {
    source.reset();
    sessions.reset();
    intake.reset();
    installation.reset();
    if (root.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_TESTS_INTAKE_SOURCE_STACK_H_
