// SPDX-License-Identifier: AGPL-3.0-or-later
// review/identities.h: a reviewer's age identities from an identity file:
// plain AGE-SECRET-KEY-1 lines (`age-keygen` output, DIR/demo-reviewer.key)
// or a passphrase-encrypted age file holding such lines (DIR/reviewers/*.age,
// binary or armored). Where the passphrase comes from is the caller's
// business (the CLI: SAFEHOUSE_PASSPHRASE or the terminal).
#ifndef SAFEHOUSE_REVIEW_IDENTITIES_H_
#define SAFEHOUSE_REVIEW_IDENTITIES_H_

#include <functional>
#include <memory>
#include <vector>

#include "age/recipient.h"
#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"

namespace safehouse::review {

// Largest decrypted identity file accepted (bytes).
inline constexpr std::size_t kMaxIdentityFileBytes = 64 * 1024;

using PassphraseSource = std::function<Result<crypto::SecretBytes>()>;

// True when `file` starts like an age file (binary or armored).
bool is_age_file(ByteSpan file);

// Parses `file` (see above). `passphrase` is called only for an age file.
// Errors: kIntegrity/kNoMatch for a wrong passphrase ("identity file: wrong
// passphrase"), kMalformed for no identities; never the file's content.
Result<std::vector<std::unique_ptr<age::Identity>>> load_identities(
    ByteSpan file, const PassphraseSource& passphrase);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_IDENTITIES_H_
