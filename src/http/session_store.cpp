// SPDX-License-Identifier: AGPL-3.0-or-later
// http/session_store.cpp: the in-memory session map.
#include "http/session_store.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace safehouse::http {
namespace {

constexpr std::size_t kTokenBytes = 32;

std::string random_token() {
  std::array<std::uint8_t, kTokenBytes> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex(kTokenBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  sodium_memzero(bytes.data(), bytes.size());
  return hex;
}

}  // namespace

SessionStore::SessionStore(std::chrono::steady_clock::duration idle_timeout, Clock clock,
                           std::size_t max_sessions)
    : idle_timeout_(idle_timeout),
      clock_(std::move(clock)),
      max_sessions_(max_sessions),
      last_sweep_(clock_()) {}

bool SessionStore::expired(const Session& session,
                           std::chrono::steady_clock::time_point now) const {
  return now - session.last_seen >= idle_timeout_;
}

void SessionStore::maybe_sweep_locked(std::chrono::steady_clock::time_point now) {
  if (now - last_sweep_ >= idle_timeout_ / 4) sweep_locked(now);
}

std::size_t SessionStore::sweep_locked(std::chrono::steady_clock::time_point now) {
  last_sweep_ = now;
  return std::erase_if(sessions_, [&](const auto& entry) { return expired(entry.second, now); });
}

// Scans every session: only sign-ins (an Argon2id derivation each) get here
// with an owner, so the scan is cheap next to what led to it.
void SessionStore::limit_owner_locked(const std::string& owner) {
  std::size_t count = 0;
  auto oldest = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.owner != owner) continue;
    ++count;
    if (oldest == sessions_.end() || it->second.last_seen < oldest->second.last_seen) oldest = it;
  }
  if (count >= kMaxSessionsPerOwner) sessions_.erase(oldest);
}

Result<Session> SessionStore::create(std::shared_ptr<SessionState> state, std::string csrf_token,
                                     std::string owner) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  maybe_sweep_locked(now);
  if (!owner.empty()) limit_owner_locked(owner);
  if (sessions_.size() >= max_sessions_ && (sweep_locked(now), sessions_.size() >= max_sessions_)) {
    return Error(ErrorCode::kUnavailable, "sessions: too many live sessions");
  }
  if (csrf_token.empty()) csrf_token = random_token();
  Session session{random_token(), std::move(csrf_token), now, std::move(state), std::move(owner)};
  sessions_.emplace(session.token, session);
  return session;
}

std::optional<Session> SessionStore::find(std::string_view token) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  maybe_sweep_locked(now);
  auto it = sessions_.find(std::string(token));
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

bool SessionStore::set_state(std::string_view token, std::shared_ptr<SessionState> state) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(token));
  if (it == sessions_.end() || expired(it->second, now)) return false;
  it->second.state = std::move(state);
  it->second.last_seen = now;
  return true;
}

std::optional<Session> SessionStore::rotate(std::string_view token) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(token));
  if (it == sessions_.end()) return std::nullopt;
  Session session = std::move(it->second);
  sessions_.erase(it);
  if (expired(session, now)) return std::nullopt;
  session.token = random_token();
  session.csrf_token = random_token();
  session.last_seen = now;
  sessions_.emplace(session.token, session);
  return session;
}

unsigned SessionStore::add_sign_in_failure(std::string_view token) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(token));
  if (it == sessions_.end() || expired(it->second, now)) return 0;
  return ++it->second.sign_in_failures;
}

bool SessionStore::destroy(std::string_view token) {
  std::lock_guard lock(mutex_);
  return sessions_.erase(std::string(token)) > 0;
}

std::size_t SessionStore::destroy_owner(std::string_view owner) {
  if (owner.empty()) return 0;
  std::lock_guard lock(mutex_);
  return std::erase_if(sessions_,
                       [owner](const auto& entry) { return entry.second.owner == owner; });
}

std::size_t SessionStore::sweep() {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  return sweep_locked(now);
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

bool csrf_matches(std::string_view expected, std::string_view presented) {
  if (expected.empty() || expected.size() != presented.size()) return false;
  // sodium_memcmp takes time that depends only on the length.
  return sodium_memcmp(expected.data(), presented.data(), expected.size()) == 0;
}

}  // namespace safehouse::http
