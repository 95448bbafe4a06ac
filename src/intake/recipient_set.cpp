// SPDX-License-Identifier: AGPL-3.0-or-later
#include "intake/recipient_set.h"

#include <utility>

namespace safehouse::intake {

RecipientSet::RecipientSet(std::vector<age::X25519Recipient> recipients)
    : recipients_(std::move(recipients)) {
  for (const auto& recipient : recipients_) {
    pointers_.push_back(&recipient);
    strings_.push_back(recipient.to_string());
  }
}

LiveRecipientSet::LiveRecipientSet(Loader load, std::chrono::milliseconds max_age, Clock clock)
    : load_(std::move(load)), max_age_(max_age), clock_(std::move(clock)) {}

Result<RecipientSnapshot> LiveRecipientSet::current() {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (snapshot_ && now - loaded_at_ < max_age_) return snapshot_;
  auto loaded = load_();
  if (!loaded) return loaded.error().with_context("recipient set");
  if (loaded->empty()) return malformed("recipient set: no recipient");
  // An unchanged set keeps its snapshot (and its pointers).
  bool same = snapshot_ && snapshot_->size() == loaded->size();
  for (std::size_t i = 0; same && i < loaded->size(); ++i) {
    same = (*loaded)[i].public_key() == snapshot_->recipients()[i].public_key();
  }
  if (!same) {
    snapshot_ = std::make_shared<const RecipientSet>(std::move(*loaded));
  }
  loaded_at_ = now;
  return snapshot_;
}

}  // namespace safehouse::intake
