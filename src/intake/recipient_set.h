// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/recipient_set.h: the recipient set every new item is encrypted to,
// as an immutable snapshot (a submission holds the one it started with
// while it encrypts), and LiveRecipientSet, which follows the set an
// administrator changes (`safehouse recipients add|remove`) while the server
// runs: it reloads at most once per `max_age` and shares the result between
// the intake and the signed note the JavaScript client checks, so both see
// the same set.
#ifndef SAFEHOUSE_INTAKE_RECIPIENT_SET_H_
#define SAFEHOUSE_INTAKE_RECIPIENT_SET_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "age/x25519.h"
#include "base/error.h"

namespace safehouse::intake {

class RecipientSet {
 public:
  // Requires: `recipients` is non-empty.
  explicit RecipientSet(std::vector<age::X25519Recipient> recipients);
  RecipientSet(const RecipientSet&) = delete;
  RecipientSet& operator=(const RecipientSet&) = delete;

  const std::vector<age::X25519Recipient>& recipients() const { return recipients_; }
  // For age::encrypt; valid while this set lives.
  std::span<const age::Recipient* const> pointers() const { return pointers_; }
  // The age1… strings, in order.
  const std::vector<std::string>& strings() const { return strings_; }
  std::size_t size() const { return recipients_.size(); }

 private:
  std::vector<age::X25519Recipient> recipients_;
  std::vector<const age::Recipient*> pointers_;
  std::vector<std::string> strings_;
};

using RecipientSnapshot = std::shared_ptr<const RecipientSet>;

// Thread-safe. `load` reads the set where it is kept (the database) and is
// called at most once per `max_age` (0: at every current()); a failed load
// is returned as the error and retried at the next call.
class LiveRecipientSet {
 public:
  using Loader = std::function<Result<std::vector<age::X25519Recipient>>()>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  LiveRecipientSet(Loader load, std::chrono::milliseconds max_age,
                   Clock clock = &std::chrono::steady_clock::now);

  Result<RecipientSnapshot> current();

 private:
  Loader load_;
  std::chrono::milliseconds max_age_;
  Clock clock_;
  std::mutex mutex_;
  RecipientSnapshot snapshot_;                         // guarded by mutex_
  std::chrono::steady_clock::time_point loaded_at_{};  // guarded by mutex_
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_RECIPIENT_SET_H_
