// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_api_json.h: the JSON bodies of the JavaScript client's API
// (docs/routes.md, "The JavaScript client's API"): the sign-in body, the
// submission body (a follow-up's items, or a first contact's public keys and
// signature with its items) and the attach body of resumable uploads, parsed
// strictly: each member of its type,
// canonical base64 (libsodium's original variant, padded) and lower- or
// upper-case hex of the exact sizes. Unknown members are ignored, as the
// route always did. Knows nothing of sessions, challenges or the store; the
// routes (source_api.cpp) decide what a valid body means. Fuzzed by
// tests/fuzz/http_source_api_fuzz.cpp.
#ifndef SAFEHOUSE_HTTP_SOURCE_API_JSON_H_
#define SAFEHOUSE_HTTP_SOURCE_API_JSON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "store/types.h"

namespace safehouse::http {

inline constexpr std::size_t kSourceSigningKeyBytes = 32;  // Ed25519 public key
inline constexpr std::size_t kSourceSignatureBytes = 64;   // Ed25519 signature

// {"source_id": "<64 hex>", "signature": "<base64 of 64 bytes>"}.
struct SignInBody {
  store::SourceId source_id{};
  std::array<std::uint8_t, kSourceSignatureBytes> signature{};
};
std::optional<SignInBody> parse_sign_in_body(std::string_view body);

// The "first_contact" member of a submission body.
struct FirstContactBody {
  store::SourceId source_id{};
  std::string reply_recipient;  // checked by intake when the source is stored
  std::array<std::uint8_t, kSourceSigningKeyBytes> signing_key{};
  std::array<std::uint8_t, kSourceSignatureBytes> signature{};
  // "audit_consent": true (the source ticked the box); false or absent: no
  // consent; any other value makes the first contact malformed.
  bool audit_consent = false;
};

// {"items": ["<base64 age file>", ...]} with, at first contact,
// "first_contact": {"source_id", "reply_recipient", "signing_key",
// "signature"[, "audit_consent"]}. nullopt: not a JSON object, or items missing, not an array,
// more than intake::kMaxSealedItems, not strings, not base64 or over
// intake::kMaxSealedItemBytes each (the route's 400).
struct SubmissionBody {
  enum class FirstContact {
    kAbsent,     // no member, or not an object (a signed-in follow-up; else 403)
    kMalformed,  // an object whose members are missing or malformed (400)
    kPresent,
  };
  std::vector<Bytes> items;
  FirstContact first_contact_state = FirstContact::kAbsent;
  std::optional<FirstContactBody> first_contact;  // set when kPresent
};
std::optional<SubmissionBody> parse_submission_body(std::string_view body);

// The most complete uploads one attach request may name (as many as the
// file parts one no-JavaScript submission may carry by default).
inline constexpr std::size_t kMaxAttachUploads = 64;

// {"uploads": ["<upload id>", ...], "language": "en" | "fa"} (language
// optional, "en" by default): 1 to kMaxAttachUploads distinct upload ids,
// each 32 lower-case hex digits as the tus endpoint issues them. nullopt
// for anything else (the route's 400): a repeated id would attach one
// upload twice.
struct AttachBody {
  std::vector<std::string> upload_ids;
  std::string language = "en";
};
std::optional<AttachBody> parse_attach_body(std::string_view body);

// Padded standard base64 of at most `max_bytes` bytes, canonical; nullopt
// else. And its inverse.
std::optional<Bytes> source_api_from_base64(std::string_view text, std::size_t max_bytes);
std::string source_api_to_base64(ByteSpan bytes);

// 64 hex digits → a source id.
std::optional<store::SourceId> source_id_from_hex(std::string_view hex);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_SOURCE_API_JSON_H_
