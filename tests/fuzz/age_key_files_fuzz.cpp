// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/age_key_files_fuzz.cpp: identity and recipient files on
// arbitrary bytes. Nothing may crash, and an error about an identity file
// must never quote a secret key from it (errors name lines, not contents).
#include <cstdlib>
#include <string>
#include <string_view>

#include "age/identity_file.h"

namespace {

// Upper-case Bech32 data characters: what follows the marker in a real key.
bool looks_like_key_data(std::string_view text) {
  for (char c : text) {
    if (std::string_view("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto identities = safehouse::age::parse_identity_file(text);
  if (identities && identities->empty()) std::abort();  // success means at least one key
  if (!identities) {
    // No key line of the input (nor a prefix of one past the marker) may
    // appear in the message; the marker itself may ("not an AGE-SECRET-KEY-1
    // identity").
    const std::string message = identities.error().message();
    for (std::size_t at = text.find("AGE-SECRET-KEY-1"); at != std::string_view::npos;
         at = text.find("AGE-SECRET-KEY-1", at + 1)) {
      const std::string_view key = text.substr(at, 24);
      if (key.size() == 24 && looks_like_key_data(key.substr(16)) &&
          message.find(key) != std::string::npos) {
        std::abort();
      }
    }
  }

  auto recipients = safehouse::age::parse_recipients_file(text);
  if (recipients && recipients->empty()) std::abort();
  return 0;
}
