// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/config_parse_fuzz.cpp: config.toml and listen addresses on
// arbitrary bytes. Nothing may crash; a config that parses must survive
// format_config() and parse again to the same text.
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)safehouse::config::parse_listen_address(text);

  auto config = safehouse::config::parse_config(text);
  if (!config) {
    if (config.error().message().empty()) std::abort();
    return 0;
  }
  const std::string formatted = safehouse::config::format_config(*config);
  auto again = safehouse::config::parse_config(formatted);
  if (!again) std::abort();
  if (safehouse::config::format_config(*again) != formatted) std::abort();
  return 0;
}
