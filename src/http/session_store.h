// SPDX-License-Identifier: AGPL-3.0-or-later
// http/session_store.h: in-memory browser sessions: a random token (the
// cookie) maps to a CSRF token and the application's state for that visitor.
// Nothing is written to disk: a restart signs everyone out, by design.
// Knows nothing of what the application keeps in its SessionState.
#ifndef SAFEHOUSE_HTTP_SESSION_STORE_H_
#define SAFEHOUSE_HTTP_SESSION_STORE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.h"

namespace safehouse::http {

// The application's data for one session (e.g. a codename generated but not
// yet used, or a signed-in source's id). Subclass it; the store only owns it.
// Thread safety of the subclass is the subclass's business: two requests of
// one session may run at once.
class SessionState {
 public:
  virtual ~SessionState() = default;
};

struct Session {
  std::string token;       // 64 hex chars (32 random bytes); the cookie value
  std::string csrf_token;  // 64 hex chars (32 random bytes); a hidden form field
  std::chrono::steady_clock::time_point last_seen;
  std::shared_ptr<SessionState> state;  // may be null
  std::string owner;                    // who signed in (opaque), or empty
  unsigned sign_in_failures = 0;        // wrong or malformed codenames tried
};

// The session cookie's name (routes.md).
inline constexpr std::string_view kSessionCookieName = "safehouse_session";

// Thread safety: every member function may be called from any thread; one
// mutex guards the map.
class SessionStore {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::size_t kDefaultMaxSessions = 100000;
  // Live sessions one owner (one source) may hold; signing in once more
  // ends the owner's least recently used one. So filling the table takes as
  // many different sources as kDefaultMaxSessions / kMaxSessionsPerOwner,
  // not one codename signed in over and over.
  static constexpr std::size_t kMaxSessionsPerOwner = 4;

  // Sessions unused for `idle_timeout` expire. `clock` is injectable for tests.
  explicit SessionStore(std::chrono::steady_clock::duration idle_timeout,
                        Clock clock = &std::chrono::steady_clock::now,
                        std::size_t max_sessions = kDefaultMaxSessions);

  // A new session with a fresh random token, and `csrf_token` as its CSRF
  // token (a fresh random one if empty). Sessions are only for visitors who
  // signed in (http/visitor_tokens.h keeps the others' state in their
  // cookie); `owner` names who (e.g. the hex source id), and an owner at
  // kMaxSessionsPerOwner loses its least recently used session. Expired
  // sessions are swept first; kUnavailable if max_sessions are still live
  // (a flood), so that memory is bounded.
  Result<Session> create(std::shared_ptr<SessionState> state = nullptr, std::string csrf_token = {},
                         std::string owner = {});

  // The session for `token`, refreshing its idle time; nullopt if unknown or
  // expired (an expired one is removed).
  std::optional<Session> find(std::string_view token);

  // Replaces the state of a live session; false if it is unknown or expired.
  bool set_state(std::string_view token, std::shared_ptr<SessionState> state);

  // Moves a live session to a new token and CSRF token (call on sign-in, so a
  // token planted before sign-in is useless after it). nullopt if unknown/expired.
  std::optional<Session> rotate(std::string_view token);

  // Counts one more failed sign-in in a live session; the new count, or 0 if
  // the session is unknown or expired.
  unsigned add_sign_in_failure(std::string_view token);

  // Ends a session; false if there was none.
  bool destroy(std::string_view token);
  // Ends every session of `owner` ("sign out everywhere"); how many. An
  // empty owner ends nothing.
  std::size_t destroy_owner(std::string_view owner);

  // Removes expired sessions and returns how many. create() and find() also
  // sweep at most every sweep interval (a quarter of the idle timeout), so
  // an expired session's state (derived keys) does not linger in memory
  // while there is traffic; a quiet server may call sweep() from a timer.
  std::size_t sweep();
  std::size_t size() const;

 private:
  bool expired(const Session& session, std::chrono::steady_clock::time_point now) const;
  std::size_t sweep_locked(std::chrono::steady_clock::time_point now);
  void maybe_sweep_locked(std::chrono::steady_clock::time_point now);
  void limit_owner_locked(const std::string& owner);

  const std::chrono::steady_clock::duration idle_timeout_;
  const Clock clock_;
  const std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;  // guarded by mutex_
  std::chrono::steady_clock::time_point last_sweep_;   // guarded by mutex_
};

// Constant-time comparison of the session's CSRF token with the one a form
// presented (time depends only on the lengths). False if either is empty.
bool csrf_matches(std::string_view expected, std::string_view presented);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_SESSION_STORE_H_
