// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_source_api_fuzz.cpp: the JavaScript client API's JSON
// bodies (http/source_api_json.h: POST /api/v1/sign-in,
// /api/v1/submissions and /api/v1/uploads/attach) and their base64 and hex.
// Accepted input must keep the parsers' promises: canonical base64 that
// re-encodes to itself (and exactly what libsodium's decoder with that check
// accepted), items within the sealed-item limits, a first contact only with
// all its fields, attach ids distinct and well-formed.
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/source_api_json.h"
#include "intake/sealed_items.h"

// The decoder before the table one: libsodium's, then re-encoded, which
// must give the input back (canonical), within `max_bytes`.
static bool reference_base64(std::string_view text, std::size_t max_bytes) {
  if (text.size() / 4 * 3 > max_bytes + 3) return false;
  safehouse::Bytes out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || length > max_bytes) {
    return false;
  }
  out.resize(length);
  return safehouse::http::source_api_to_base64(out) == text;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto bytes = http::source_api_from_base64(input, 4096)) {
    if (bytes->size() > 4096 || http::source_api_to_base64(*bytes) != input) std::abort();
  }
  // Differential: the table decoder accepts exactly what libsodium's decoder
  // plus the canonical re-encoding check (the decoder it replaced) accepted.
  if (http::source_api_from_base64(input, 4096).has_value() != reference_base64(input, 4096)) {
    std::abort();
  }
  if (auto id = http::source_id_from_hex(input)) {
    if (input.size() != 64) std::abort();
  }
  if (auto sign_in = http::parse_sign_in_body(input)) {
    if (input.size() < 2 + 64 + 88) std::abort();  // a hex id and a 64-byte signature at least
  }
  if (auto body = http::parse_submission_body(input)) {
    using FirstContact = http::SubmissionBody::FirstContact;
    if (body->items.size() > intake::kMaxSealedItems) std::abort();
    for (const Bytes& item : body->items) {
      if (item.size() > intake::kMaxSealedItemBytes) std::abort();
      if (http::source_api_to_base64(item).size() > input.size()) std::abort();
    }
    if ((body->first_contact_state == FirstContact::kPresent) != body->first_contact.has_value()) {
      std::abort();
    }
  }
  if (auto attach = http::parse_attach_body(input)) {
    auto& ids = attach->upload_ids;
    if (ids.empty() || ids.size() > http::kMaxAttachUploads) std::abort();
    for (const std::string& id : ids) {
      if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
        std::abort();
      }
    }
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) std::abort();
    if (attach->language != "en" && attach->language != "fa") std::abort();
  }
  return 0;
}
