// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/frame.cpp: streaming writer and decoder of item frames. The decoder
// never buffers content: zero runs are counted until a non-zero byte proves
// them content, or the trailer proves them padding.
#include "intake/frame.h"

#include <algorithm>
#include <array>

#include "crypto/secret_bytes.h"
#include "intake/padme.h"

namespace safehouse::intake {

namespace {

constexpr std::size_t kZeroChunkBytes = 4096;
constexpr std::array<std::uint8_t, kZeroChunkBytes> kZeros{};

std::uint64_t min_document_bytes(std::uint64_t header_bytes, std::uint64_t content_bytes) {
  return header_bytes + content_bytes + kFrameTrailerBytes;
}

Result<void> write_zeros(ByteSink& out, std::uint64_t count) {
  while (count > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, kZeroChunkBytes));
    SAFEHOUSE_TRY_VOID(out.write(ByteSpan(kZeros.data(), n)));
    count -= n;
  }
  return {};
}

void wipe_string(std::string& s) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(s.data()), s.size()});
}

}  // namespace

// ---- FrameWriter ----

Result<std::unique_ptr<FrameWriter>> FrameWriter::create(const FrameHeader& header, ByteSink& out) {
  std::string json = SAFEHOUSE_TRY(serialize_frame_header(header));
  const auto size = static_cast<std::uint32_t>(json.size());
  const std::array<std::uint8_t, 4> prefix = {
      static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
      static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
  auto written = out.write(prefix);
  if (written) written = out.write(as_bytes(json));
  wipe_string(json);  // it may hold the source's claims
  if (!written) return written.error();
  return std::unique_ptr<FrameWriter>(new FrameWriter(out, kFramePrefixBytes + size));
}

Result<void> FrameWriter::fail(Error error) {
  error_ = error;
  return error;
}

Result<void> FrameWriter::write(ByteSpan content) {
  if (error_) return *error_;
  if (finished_) return fail(Error(ErrorCode::kInternal, "frame: write after finish"));
  if (content.empty()) return {};
  auto written = out_.write(content);
  if (!written) return fail(written.error());
  content_bytes_ += content.size();
  return {};
}

Result<void> FrameWriter::finish() {
  if (error_) return *error_;
  if (finished_) return fail(Error(ErrorCode::kInternal, "frame: finish called twice"));
  finished_ = true;
  const std::uint64_t minimum = min_document_bytes(header_bytes_, content_bytes_);
  if (minimum > kPadmeMaxLength) return fail(Error(ErrorCode::kTooLarge, "frame: too large"));
  padding_bytes_ = padme(minimum) - minimum;
  std::array<std::uint8_t, kFrameTrailerBytes> trailer{};
  for (std::size_t i = 0; i < trailer.size(); ++i) {
    trailer[i] = static_cast<std::uint8_t>(content_bytes_ >> (8 * (trailer.size() - 1 - i)));
  }
  auto done = write_zeros(out_, padding_bytes_);
  if (done) done = out_.write(trailer);
  if (done) done = out_.finish();
  if (!done) return fail(done.error());
  return {};
}

std::uint64_t FrameWriter::document_bytes() const {
  return min_document_bytes(header_bytes_, content_bytes_) + padding_bytes_;
}

// ---- FrameDecoder ----

FrameDecoder::~FrameDecoder() {
  crypto::wipe(prefix_);
}

Result<void> FrameDecoder::fail(Error error) {
  error_ = error;
  return error;
}

Result<void> FrameDecoder::take_header(ByteSpan& data) {
  if (prefix_.size() < kFramePrefixBytes) {
    std::size_t n = std::min(kFramePrefixBytes - prefix_.size(), data.size());
    prefix_.insert(prefix_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
    if (prefix_.size() < kFramePrefixBytes) return {};
    header_bytes_ = (std::uint32_t{prefix_[0]} << 24) | (std::uint32_t{prefix_[1]} << 16) |
                    (std::uint32_t{prefix_[2]} << 8) | std::uint32_t{prefix_[3]};
    if (header_bytes_ == 0) return malformed("frame: header length is zero");
    if (header_bytes_ > kMaxFrameHeaderBytes) {
      return malformed("frame: header length " + std::to_string(header_bytes_) + " exceeds " +
                       std::to_string(kMaxFrameHeaderBytes));
    }
    // Reserved once so that the JSON (maybe claims) is never left behind
    // by a reallocation.
    prefix_.reserve(kFramePrefixBytes + header_bytes_);
  }
  const std::size_t want = kFramePrefixBytes + header_bytes_ - prefix_.size();
  const std::size_t n = std::min(want, data.size());
  prefix_.insert(prefix_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
  data = data.subspan(n);
  if (n < want) return {};
  std::string_view json(reinterpret_cast<const char*>(prefix_.data()) + kFramePrefixBytes,
                        header_bytes_);
  auto parsed = parse_frame_header(json);
  crypto::wipe(prefix_);
  if (!parsed) return parsed.error();
  header_ = std::move(*parsed);
  return {};
}

Result<void> FrameDecoder::flush_zeros(std::uint64_t count) {
  SAFEHOUSE_TRY_VOID(write_zeros(out_, count));
  emitted_ += count;
  return {};
}

// Body bytes known not to be the trailer: content up to the last non-zero
// byte, then a zero run whose fate the next bytes or the trailer decide.
Result<void> FrameDecoder::release(ByteSpan body) {
  auto last = std::find_if(body.rbegin(), body.rend(), [](std::uint8_t b) { return b != 0; });
  if (last == body.rend()) {
    pending_zeros_ += body.size();
    return {};
  }
  const std::size_t content = static_cast<std::size_t>(body.rend() - last);
  SAFEHOUSE_TRY_VOID(flush_zeros(pending_zeros_));
  pending_zeros_ = 0;
  SAFEHOUSE_TRY_VOID(out_.write(body.first(content)));
  emitted_ += content;
  pending_zeros_ = body.size() - content;
  return {};
}

Result<void> FrameDecoder::write(ByteSpan data) {
  if (error_) return *error_;
  if (finished_) return fail(Error(ErrorCode::kInternal, "frame: write after finish"));
  if (!header_) {
    auto taken = take_header(data);
    if (!taken) return fail(taken.error());
    if (!header_) return {};
  }
  // Everything but the last 8 bytes seen so far is body.
  const std::size_t total = tail_size_ + data.size();
  if (total <= kFrameTrailerBytes) {
    std::copy(data.begin(), data.end(), tail_.begin() + static_cast<std::ptrdiff_t>(tail_size_));
    tail_size_ = total;
    return {};
  }
  const std::size_t to_release = total - kFrameTrailerBytes;
  const std::size_t from_tail = std::min(to_release, tail_size_);
  auto released = release(ByteSpan(tail_).first(from_tail));
  if (released) released = release(data.first(to_release - from_tail));
  if (!released) return fail(released.error());
  // The new tail: what is left of the old one, then the end of `data`.
  std::array<std::uint8_t, kFrameTrailerBytes> next{};
  std::size_t n = 0;
  for (std::size_t i = from_tail; i < tail_size_; ++i) next[n++] = tail_[i];
  for (std::uint8_t b : data.subspan(to_release - from_tail)) next[n++] = b;
  tail_ = next;
  tail_size_ = kFrameTrailerBytes;
  crypto::wipe(next);
  return {};
}

Result<void> FrameDecoder::finish() {
  if (error_) return *error_;
  if (finished_) return fail(Error(ErrorCode::kInternal, "frame: finish called twice"));
  finished_ = true;
  if (!header_ || tail_size_ < kFrameTrailerBytes) return fail(malformed("frame: truncated"));
  std::uint64_t length = 0;
  for (std::uint8_t b : tail_) length = (length << 8) | b;
  const std::uint64_t body = emitted_ + pending_zeros_;
  if (length < emitted_) return fail(malformed("frame: padding is not all zero"));
  if (length > body) return fail(malformed("frame: content length exceeds the document"));
  const std::uint64_t header_bytes = kFramePrefixBytes + header_bytes_;
  const std::uint64_t minimum = min_document_bytes(header_bytes, length);
  if (minimum > kPadmeMaxLength || padme(minimum) != header_bytes + body + kFrameTrailerBytes) {
    return fail(malformed("frame: padding does not match the Padmé bucket"));
  }
  auto done = flush_zeros(length - emitted_);
  if (done) done = out_.finish();
  if (!done) return fail(done.error());
  return {};
}

// ---- whole documents ----

Result<Frame> parse_frame(ByteSpan document) {
  Frame frame;
  VectorSink sink(frame.content);
  FrameDecoder decoder(sink);
  auto done = decoder.write(document);
  if (done) done = decoder.finish();
  if (!done) {
    crypto::wipe(frame.content);
    return done.error();
  }
  frame.header = *decoder.header();
  return frame;
}

Result<Bytes> encode_frame(const FrameHeader& header, ByteSpan content) {
  Bytes out;
  VectorSink sink(out);
  auto writer = SAFEHOUSE_TRY(FrameWriter::create(header, sink));
  SAFEHOUSE_TRY_VOID(writer->write(content));
  SAFEHOUSE_TRY_VOID(writer->finish());
  return out;
}

}  // namespace safehouse::intake
