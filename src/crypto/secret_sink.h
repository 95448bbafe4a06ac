// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_sink.h: a ByteSink that collects decrypted secrets (a log
// key, an identity file) in locked memory that is wiped when freed, and
// refuses more than a fixed limit so a hostile ciphertext cannot make it grow.
#ifndef SAFEHOUSE_CRYPTO_SECRET_SINK_H_
#define SAFEHOUSE_CRYPTO_SECRET_SINK_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"

namespace safehouse::crypto {

class SecretSink final : public ByteSink {
 public:
  // `what` names the secret in the error when more than `limit` bytes arrive.
  SecretSink(std::size_t limit, std::string what);

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override { return {}; }

  // What was written so far; valid while the sink lives.
  std::string_view text() const;
  std::size_t size() const { return used_; }

 private:
  SecretBytes buffer_;
  std::size_t used_ = 0;
  std::string what_;
};

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_SECRET_SINK_H_
