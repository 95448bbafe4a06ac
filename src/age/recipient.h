// SPDX-License-Identifier: AGPL-3.0-or-later
// age/recipient.h: the two interfaces every key type implements. A Recipient
// wraps a file key into stanzas; an Identity unwraps it from them. Neither
// knows the header text or the payload.
#ifndef SAFEHOUSE_AGE_RECIPIENT_H_
#define SAFEHOUSE_AGE_RECIPIENT_H_

#include <span>
#include <vector>

#include "age/stanza.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace safehouse::age {

// The file key is always 16 bytes (age spec "File key").
inline constexpr std::size_t kFileKeyBytes = 16;

// Both interfaces are immutable after construction: wrap() and unwrap() are
// const and may run concurrently from several threads.
class Recipient {
 public:
  virtual ~Recipient() = default;
  // Wraps the 16-byte `file_key` into one or more stanzas.
  virtual Result<std::vector<Stanza>> wrap(const crypto::SecretBytes& file_key) const = 0;
  // True for recipients whose stanza must be the only one in a file
  // (scrypt: a passphrase must not silently share a file with public keys).
  virtual bool requires_sole_stanza() const { return false; }
};

class Identity {
 public:
  virtual ~Identity() = default;
  // Returns the 16-byte file key, or an Error with ErrorCode::kNoMatch when
  // no stanza is for this identity ("try the next one"). Any other error is
  // fatal for the file.
  virtual Result<crypto::SecretBytes> unwrap(std::span<const Stanza> stanzas) const = 0;
};

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_RECIPIENT_H_
