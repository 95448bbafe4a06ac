// SPDX-License-Identifier: AGPL-3.0-or-later
// age/armor.cpp: strict PEM armor (RFC 7468 §3 "strict", as the age spec
// asks): 64-column lines of padded canonical base64, LF or CRLF endings,
// whitespace only before and after the block. Anything else is rejected
// because a lax armor would make age files malleable.
#include "age/armor.h"

#include <algorithm>
#include <cstring>

#include "age/armor_base64.h"

namespace safehouse::age {
namespace {

constexpr std::size_t kColumns = 64;
constexpr std::size_t kBytesPerLine = kColumns / 4 * 3;  // 48
// Whitespace tolerated before and after the block (bytes).
constexpr std::size_t kMaxOuterWhitespaceBytes = 1024;
// No valid line is longer than the whitespace allowance plus its ending.
constexpr std::size_t kMaxLineBytes = kMaxOuterWhitespaceBytes + 2;
constexpr std::size_t kReadBlockBytes = 16 * 1024;
constexpr std::size_t kWriteFlushBytes = 64 * 1024;

Error armor_error(std::string what) {
  return malformed("armor: " + what);
}

bool is_space(std::uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool all_space(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_space(static_cast<std::uint8_t>(c)); });
}

class ArmorWriter final : public ByteSink {
 public:
  explicit ArmorWriter(ByteSink& out) : out_(out) { buf_.append(kArmorBegin).push_back('\n'); }

  Result<void> write(ByteSpan data) override {
    if (!sticky_) return sticky_;
    if (finished_) return Error(ErrorCode::kInternal, "armor: write after finish");
    while (!data.empty()) {
      if (pending_len_ == 0 && data.size() >= kBytesPerLine) {
        emit_line(data.first(kBytesPerLine));  // bulk path: no copy into pending_
        data = data.subspan(kBytesPerLine);
      } else {
        std::size_t n = std::min(data.size(), kBytesPerLine - pending_len_);
        std::memcpy(pending_.data() + pending_len_, data.data(), n);
        pending_len_ += n;
        data = data.subspan(n);
        if (pending_len_ == kBytesPerLine) {
          emit_line(ByteSpan(pending_.data(), pending_len_));
          pending_len_ = 0;
        }
      }
      if (buf_.size() >= kWriteFlushBytes) {
        sticky_ = flush();
        if (!sticky_) return sticky_;
      }
    }
    return {};
  }

  Result<void> finish() override {
    if (!sticky_) return sticky_;
    if (finished_) return Error(ErrorCode::kInternal, "armor: finish called twice");
    finished_ = true;
    if (pending_len_ > 0) emit_line(ByteSpan(pending_.data(), pending_len_));
    buf_.append(kArmorEnd).push_back('\n');
    sticky_ = flush();
    if (sticky_) sticky_ = out_.finish();
    return sticky_;
  }

 private:
  void emit_line(ByteSpan bytes) {
    std::size_t old = buf_.size();
    std::size_t chars = (bytes.size() + 2) / 3 * 4;
    buf_.resize(old + chars + 1);
    detail::armor_base64_encode(bytes, buf_.data() + old);
    buf_[old + chars] = '\n';
  }
  Result<void> flush() {
    auto r = out_.write(as_bytes(buf_));
    buf_.clear();
    return r;
  }

  ByteSink& out_;
  std::string buf_;
  std::array<std::uint8_t, kBytesPerLine> pending_{};
  std::size_t pending_len_ = 0;
  bool finished_ = false;
  Result<void> sticky_{};
};

}  // namespace

std::unique_ptr<ByteSink> armor_writer(ByteSink& out) {
  return std::make_unique<ArmorWriter>(out);
}

bool looks_armored(ByteSpan first_bytes) {
  std::string_view s(reinterpret_cast<const char*>(first_bytes.data()), first_bytes.size());
  while (!s.empty() && is_space(static_cast<std::uint8_t>(s.front()))) s.remove_prefix(1);
  return s.starts_with(kArmorBegin);
}

ArmorReader::ArmorReader(ByteSource& in) : in_(in) {}
ArmorReader::~ArmorReader() = default;

// The next line without "\n" or "\r\n". At the end of input a last line
// without an ending is returned; after that, an error.
Result<std::string_view> ArmorReader::next_line() {
  for (;;) {
    auto begin = raw_.begin() + static_cast<std::ptrdiff_t>(raw_pos_);
    auto nl = std::find(begin, raw_.end(), '\n');
    if (nl != raw_.end() || (raw_eof_ && begin != raw_.end())) {
      std::string_view line(reinterpret_cast<const char*>(raw_.data()) + raw_pos_,
                            static_cast<std::size_t>(nl - begin));
      raw_pos_ += line.size() + (nl != raw_.end() ? 1 : 0);
      if (line.ends_with('\r')) line.remove_suffix(1);
      return line;
    }
    if (raw_eof_) return armor_error("unexpected end of file");
    if (raw_.size() - raw_pos_ > kMaxLineBytes) return armor_error("line too long");
    raw_.erase(raw_.begin(), begin);
    raw_pos_ = 0;
    std::size_t old = raw_.size();
    raw_.resize(old + kReadBlockBytes);
    auto n = in_.read(MutableByteSpan(raw_).subspan(old));
    if (!n) return n.error();
    raw_.resize(old + *n);
    raw_eof_ = *n == 0;
  }
}

Result<void> ArmorReader::start() {
  std::size_t whitespace = 0;
  for (;;) {
    auto line = SAFEHOUSE_TRY(next_line());
    if (line == kArmorBegin) return {};
    if (!all_space(line)) return armor_error("invalid first line (want the BEGIN line)");
    whitespace += line.size() + 1;
    if (whitespace > kMaxOuterWhitespaceBytes) return armor_error("too much leading whitespace");
  }
}

Result<void> ArmorReader::drain_trailing() {
  std::size_t trailing = raw_.size() - raw_pos_;
  if (!all_space({reinterpret_cast<const char*>(raw_.data()) + raw_pos_, trailing})) {
    return armor_error("trailing data after the END line");
  }
  while (!raw_eof_ && trailing <= kMaxOuterWhitespaceBytes) {
    std::array<std::uint8_t, 256> tmp{};
    std::size_t n = SAFEHOUSE_TRY(in_.read(tmp));
    raw_eof_ = n == 0;
    trailing += n;
    if (!std::all_of(tmp.begin(), tmp.begin() + static_cast<std::ptrdiff_t>(n), is_space)) {
      return armor_error("trailing data after the END line");
    }
  }
  if (trailing > kMaxOuterWhitespaceBytes) return armor_error("too much trailing whitespace");
  state_ = State::kDone;
  return {};
}

// Decodes one body line into decoded_, or reaches the END line.
Result<void> ArmorReader::decode_line() {
  auto line = SAFEHOUSE_TRY(next_line());
  // The END line right after a full 64-column line (or right after BEGIN).
  if (line == kArmorEnd) return drain_trailing();
  if (line.size() > kColumns) return armor_error("line longer than 64 columns");
  if (line.empty()) return armor_error("empty line in the body");
  bool last = line.size() < kColumns || line.back() == '=';
  std::ptrdiff_t n = detail::armor_base64_decode(line, decoded_.data());
  if (n < 0) return armor_error("body is not canonical base64");
  decoded_len_ = static_cast<std::size_t>(n);
  decoded_pos_ = 0;
  if (last) {
    // Checked before the last bytes are released, so a damaged ending
    // never reaches the age decoder as valid input.
    auto end = SAFEHOUSE_TRY(next_line());
    if (end != kArmorEnd) return armor_error("invalid closing line (want the END line)");
    return drain_trailing();
  }
  return {};
}

Result<std::size_t> ArmorReader::read(MutableByteSpan data) {
  if (!sticky_) return sticky_.error();
  if (state_ == State::kStart) {
    sticky_ = start();
    if (!sticky_) return sticky_.error();
    state_ = State::kBody;
  }
  std::size_t n = 0;
  while (n < data.size()) {
    if (decoded_pos_ == decoded_len_) {
      if (state_ == State::kDone) break;
      sticky_ = decode_line();
      if (!sticky_) return sticky_.error();
      continue;
    }
    std::size_t k = std::min(data.size() - n, decoded_len_ - decoded_pos_);
    std::memcpy(data.data() + n, decoded_.data() + decoded_pos_, k);
    decoded_pos_ += k;
    n += k;
  }
  return n;
}

}  // namespace safehouse::age
