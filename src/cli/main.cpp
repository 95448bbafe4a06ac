// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/main.cpp: the `safehouse` command; each subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include "crypto/sodium_init.h"

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  CLI::App app{"Safehouse: secure first contact and verification", "safehouse"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
