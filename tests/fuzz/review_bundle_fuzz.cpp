// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/review_bundle_fuzz.cpp: the export bundle's parsers
// (review/bundle.h, and review/audit_share.h's share file of an audit
// bundle) on any input: the manifest, the case file and the share file
// never crash, and whatever they accept is canonical: formatting it again gives
// back exactly the input, and every accepted manifest name is a plain
// bundle file name.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "review/audit_share.h"
#include "review/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse::review;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto manifest = parse_manifest(text)) {
    if (format_manifest(*manifest) != text) std::abort();
    for (const auto& entry : *manifest) {
      if (!is_bundle_file_name(entry.name) || entry.name.find('/') != std::string::npos ||
          entry.name == "." || entry.name == ".." || entry.name == kBundleManifestName) {
        std::abort();
      }
    }
  }
  if (auto bundle_case = parse_case_file(text)) {
    if (format_case_file(*bundle_case) != text) std::abort();
    if (!(parse_case_file(format_case_file(*bundle_case)).value() == *bundle_case)) std::abort();
  }
  if (auto share = parse_share_file(text)) {
    if (format_share_file(*share) != text) std::abort();
  }
  return 0;
}
