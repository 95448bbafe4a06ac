// SPDX-License-Identifier: AGPL-3.0-or-later
// age/scrypt.h: passphrase recipients ("scrypt" stanza). The stanza must be
// the only one in its file. Knows nothing of the header text or the payload.
#ifndef SAFEHOUSE_AGE_SCRYPT_H_
#define SAFEHOUSE_AGE_SCRYPT_H_

#include "age/recipient.h"

namespace safehouse::age {

// The work factor is log2(N) of scrypt. Decrypting untrusted files must cap
// it: 2^22 costs about 4 GiB-seconds; beyond that a file is a denial of service.
inline constexpr int kScryptDefaultWorkFactor = 18;
inline constexpr int kScryptDefaultMaxWorkFactor = 22;
// Hard ceiling whatever the caller asks for (2^30 * 128 * 8 bytes of memory).
inline constexpr int kScryptHardMaxWorkFactor = 30;

class ScryptRecipient : public Recipient {
 public:
  // Requires: 1 <= work_factor <= kScryptHardMaxWorkFactor.
  explicit ScryptRecipient(crypto::SecretBytes passphrase,
                           int work_factor = kScryptDefaultWorkFactor);
  Result<std::vector<Stanza>> wrap(const crypto::SecretBytes& file_key) const override;
  bool requires_sole_stanza() const override { return true; }

 private:
  crypto::SecretBytes passphrase_;
  int work_factor_;
};

class ScryptIdentity : public Identity {
 public:
  explicit ScryptIdentity(crypto::SecretBytes passphrase,
                          int max_work_factor = kScryptDefaultMaxWorkFactor);
  Result<crypto::SecretBytes> unwrap(std::span<const Stanza> stanzas) const override;

 private:
  crypto::SecretBytes passphrase_;
  int max_work_factor_;
};

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_SCRYPT_H_
