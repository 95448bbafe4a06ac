// SPDX-License-Identifier: AGPL-3.0-or-later
// http/visitor_tokens.h: state for a visitor who is not signed in, kept in
// the visitor's own cookie instead of in server memory, so that no number of
// anonymous requests can fill the session table (docs/http.md, "Visitors who
// are not signed in"). The cookie is sealed (XChaCha20-Poly1305) under a
// key held in locked memory; the CSRF token of a visitor is a MAC
// (HMAC-SHA-512-256) of the visitor's random id under a second one. The
// keys are random (a restart then makes every cookie worthless) or derived
// from a secret the server keeps anyway, so that a form shown before a
// restart is still accepted after it.
// Knows nothing of what the application puts in the payload.
#ifndef SAFEHOUSE_HTTP_VISITOR_TOKENS_H_
#define SAFEHOUSE_HTTP_VISITOR_TOKENS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"

namespace safehouse::http {

// A visitor's random id: what a visitor's CSRF token is bound to.
using VisitorId = std::array<std::uint8_t, 16>;

// What a visitor cookie holds once opened.
struct Visitor {
  VisitorId id{};
  // Failed sign-ins this visitor made (what a session would count for a
  // per-session failure limit); saturates at 255.
  unsigned sign_in_failures = 0;
  crypto::SecretBytes payload;  // empty if none was sealed in
};

// Thread safety: const after construction; every member may be called from
// any thread.
class VisitorTokens {
 public:
  // Longest cookie value open() reads; longer ones are refused unread.
  static constexpr std::size_t kMaxCookieChars = 1024;

  // Fresh random keys.
  VisitorTokens();
  // Keys derived from `secret` (HKDF-SHA-256, info
  // "safehouse/visitor-tokens/v1"): the same secret gives the same keys.
  explicit VisitorTokens(std::span<const std::uint8_t> secret);

  static VisitorId new_id();

  // The cookie value (hex) holding `id`, `payload` (may be empty) and
  // `sign_in_failures` (capped at 255), sealed. Holds no time.
  std::string seal(const VisitorId& id, std::span<const std::uint8_t> payload,
                   unsigned sign_in_failures = 0) const;

  // The visitor in a cookie value; nullopt if it is not one this process
  // sealed (forged, altered, from before a restart, too long).
  std::optional<Visitor> open(std::string_view cookie) const;

  // The CSRF token for `id` and `context` (what the form is for, e.g. the
  // codename a first-contact form was shown with): 64 hex characters, the
  // same for the same arguments until the process ends.
  std::string csrf_for(const VisitorId& id, std::span<const std::uint8_t> context = {}) const;

 private:
  crypto::SecretBytes seal_key_;
  crypto::SecretBytes mac_key_;
};

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_VISITOR_TOKENS_H_
