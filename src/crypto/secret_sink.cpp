// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_sink.cpp: decrypted secrets into locked memory, bounded.
#include "crypto/secret_sink.h"

#include <algorithm>
#include <utility>

namespace safehouse::crypto {

SecretSink::SecretSink(std::size_t limit, std::string what)
    : buffer_(limit), what_(std::move(what)) {}

Result<void> SecretSink::write(ByteSpan data) {
  if (data.size() > buffer_.size() - used_) {
    return Error(ErrorCode::kTooLarge, what_ + ": decrypted content is larger than " +
                                           std::to_string(buffer_.size()) + " bytes");
  }
  std::copy(data.begin(), data.end(), buffer_.reveal().begin() + static_cast<long>(used_));
  used_ += data.size();
  return {};
}

std::string_view SecretSink::text() const {
  return {reinterpret_cast<const char*>(buffer_.reveal().data()), used_};
}

}  // namespace safehouse::crypto
