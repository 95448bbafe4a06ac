// SPDX-License-Identifier: AGPL-3.0-or-later
// age/format.cpp: writes and strictly parses the age v1 header text (spec
// "Header" and its ABNF). Any deviation is an error: the MAC is checked over
// the bytes as read, so only one encoding of a header may ever be accepted.
#include "age/format.h"

#include <algorithm>

#include "age/primitives.h"

namespace safehouse::age::detail {
namespace {

constexpr std::size_t kBodyBytesPerLine = kBodyColumns / 4 * 3;  // 48
constexpr std::string_view kStanzaPrefix = "-> ";
constexpr std::string_view kMacPrefix = "---";
constexpr std::size_t kReadBlockBytes = 4096;

Error header_error(std::string what) {
  return malformed("header: " + what);
}

// Reads '\n'-terminated lines off a source, never holding more than
// kMaxHeaderBytes; what is read past the header stays in the buffer.
class LineReader {
 public:
  explicit LineReader(ByteSource& in) : in_(in) {}

  // The next line without its '\n'.
  Result<std::string_view> next() {
    for (;;) {
      auto begin = buf_.begin() + static_cast<std::ptrdiff_t>(pos_);
      auto nl = std::find(begin + static_cast<std::ptrdiff_t>(scanned_), buf_.end(), '\n');
      if (nl != buf_.end()) {
        std::string_view line(reinterpret_cast<const char*>(&*begin),
                              static_cast<std::size_t>(nl - begin));
        pos_ += line.size() + 1;
        scanned_ = 0;
        return line;
      }
      scanned_ = buf_.size() - pos_;
      if (eof_) return header_error("unexpected end of file");
      if (buf_.size() >= kMaxHeaderBytes) {
        return Error(ErrorCode::kTooLarge, "header: larger than the header size limit");
      }
      SAFEHOUSE_TRY_VOID(fill());
    }
  }

  std::size_t consumed() const { return pos_; }
  const Bytes& buffer() const { return buf_; }

 private:
  Result<void> fill() {
    std::size_t old = buf_.size();
    std::size_t want = std::min(kReadBlockBytes, kMaxHeaderBytes - old);
    buf_.resize(old + want);
    auto n = in_.read(MutableByteSpan(buf_).subspan(old, want));
    if (!n) {
      buf_.resize(old);
      return n.error();
    }
    buf_.resize(old + *n);
    if (*n == 0) eof_ = true;
    return {};
  }

  ByteSource& in_;
  Bytes buf_;
  std::size_t pos_ = 0;
  std::size_t scanned_ = 0;
  bool eof_ = false;
};

// Splits on single spaces, keeping empty parts so "a  b" is caught.
std::vector<std::string_view> split_args(std::string_view line) {
  std::vector<std::string_view> parts;
  for (;;) {
    std::size_t sp = line.find(' ');
    parts.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) return parts;
    line.remove_prefix(sp + 1);
  }
}

bool is_valid_argument(std::string_view arg) {
  return !arg.empty() &&
         std::all_of(arg.begin(), arg.end(), [](char c) { return c >= 33 && c <= 126; });
}

Result<Stanza> parse_stanza(std::string_view arg_line, LineReader& lines) {
  auto parts = split_args(arg_line.substr(kStanzaPrefix.size()));
  if (parts.size() > kMaxStanzaArgs + 1) return header_error("stanza has too many arguments");
  for (auto part : parts) {
    if (!is_valid_argument(part)) return header_error("stanza has an empty or invalid argument");
  }
  Stanza stanza;
  stanza.type = std::string(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) stanza.args.emplace_back(parts[i]);
  for (;;) {
    auto line = SAFEHOUSE_TRY(lines.next());
    if (line.size() > kBodyColumns) return header_error("stanza body line is too long");
    auto bytes = base64_decode_raw(line);
    if (!bytes) return header_error("stanza body is not canonical base64");
    stanza.body.insert(stanza.body.end(), bytes->begin(), bytes->end());
    if (bytes->size() < kBodyBytesPerLine) return stanza;
  }
}

Result<Bytes> parse_mac_line(std::string_view line) {
  auto parts = split_args(line);
  if (parts.size() != 2 || parts[0] != kMacPrefix) return header_error("malformed MAC line");
  auto mac = base64_decode_raw(parts[1]);
  if (!mac || mac->size() != kMacBytes)
    return header_error("MAC is not canonical base64 of 32 bytes");
  return *mac;
}

Result<void> check_version(std::string_view line) {
  if (line == kVersionLine) return {};
  if (line.starts_with("age-encryption.org/")) {
    return Error(ErrorCode::kUnsupported, "header: unsupported age format version");
  }
  return header_error("not an age file (bad version line)");
}

}  // namespace

std::string header_mac_input(std::span<const Stanza> stanzas) {
  std::string out(kVersionLine);
  out.push_back('\n');
  for (const Stanza& s : stanzas) {
    out.append(kStanzaPrefix).append(s.type);
    for (const auto& arg : s.args) out.append(" ").append(arg);
    out.push_back('\n');
    std::string body = base64_encode_raw(s.body);
    // Full lines of 64 columns, then a final shorter (possibly empty) line.
    for (std::size_t i = 0; i <= body.size(); i += kBodyColumns) {
      out.append(body, i, kBodyColumns).push_back('\n');
    }
  }
  out.append(kMacPrefix);
  return out;
}

std::string header_with_mac(std::string_view mac_input, ByteSpan mac) {
  std::string out(mac_input);
  out.append(" ").append(base64_encode_raw(mac)).push_back('\n');
  return out;
}

Result<ParsedHeader> read_header(ByteSource& in) {
  LineReader lines(in);
  auto version = SAFEHOUSE_TRY(lines.next());
  SAFEHOUSE_TRY_VOID(check_version(version));
  ParsedHeader out;
  for (;;) {
    std::size_t line_start = lines.consumed();
    auto line = SAFEHOUSE_TRY(lines.next());
    if (line.starts_with(kStanzaPrefix)) {
      if (out.header.stanzas.size() >= kMaxStanzas) {
        return Error(ErrorCode::kTooLarge, "header: too many stanzas");
      }
      out.header.stanzas.push_back(SAFEHOUSE_TRY(parse_stanza(line, lines)));
    } else if (line.starts_with(kMacPrefix)) {
      if (out.header.stanzas.empty()) return header_error("no recipient stanzas");
      out.header.mac = SAFEHOUSE_TRY(parse_mac_line(line));
      const Bytes& buf = lines.buffer();
      out.mac_input.assign(reinterpret_cast<const char*>(buf.data()),
                           line_start + kMacPrefix.size());
      out.rest.assign(buf.begin() + static_cast<std::ptrdiff_t>(lines.consumed()), buf.end());
      return out;
    } else {
      return header_error("unexpected line (want a stanza or the MAC line)");
    }
  }
}

Result<ParsedHeader> parse_header(ByteSpan data) {
  SpanSource source(data);
  return read_header(source);
}

}  // namespace safehouse::age::detail
