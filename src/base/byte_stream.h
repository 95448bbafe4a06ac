// SPDX-License-Identifier: AGPL-3.0-or-later
// base/byte_stream.h: the narrow byte-stream interfaces components talk
// through. The age engine writes to a ByteSink and reads a ByteSource;
// adapters to files, Beast bodies and blobs live in the components that own
// those things.
#ifndef SAFEHOUSE_BASE_BYTE_STREAM_H_
#define SAFEHOUSE_BASE_BYTE_STREAM_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace safehouse {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using MutableByteSpan = std::span<std::uint8_t>;

// Where bytes go. finish() must be called once after the last write(); a
// sink may hold back data (the age encryptor holds the last chunk) until then.
// Errors are sticky: after a failure every call returns the same error.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(ByteSpan data) = 0;
  virtual Result<void> finish() = 0;
};

// Where bytes come from. read() fills up to data.size() bytes and returns how
// many it wrote; 0 means the end of the stream.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<std::size_t> read(MutableByteSpan data) = 0;
};

// A ByteSink that appends to a vector in memory. For tests and small items.
class VectorSink final : public ByteSink {
 public:
  explicit VectorSink(Bytes& out) : out_(out) {}
  Result<void> write(ByteSpan data) override {
    out_.insert(out_.end(), data.begin(), data.end());
    return {};
  }
  Result<void> finish() override { return {}; }

 private:
  Bytes& out_;
};

// A ByteSource over memory the caller keeps alive.
class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(ByteSpan data) : data_(data) {}
  Result<std::size_t> read(MutableByteSpan out) override {
    std::size_t n = std::min(out.size(), data_.size() - offset_);
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(offset_), n, out.begin());
    offset_ += n;
    return n;
  }

 private:
  ByteSpan data_;
  std::size_t offset_ = 0;
};

inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace safehouse

#endif  // SAFEHOUSE_BASE_BYTE_STREAM_H_
