// SPDX-License-Identifier: AGPL-3.0-or-later
// http/multipart.cpp: the multipart/form-data state machine. The body is
// treated as if it began with CRLF, so the first boundary needs no special
// case; only a delimiter's length of bytes is ever held back between feeds.
#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace safehouse::http {
namespace {

constexpr std::size_t kMaxBoundaryBytes = 70;  // RFC 2046 §5.1.1

using Params = std::vector<std::pair<std::string, std::string>>;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Reads a quoted-string starting at s[0] == '"'; `s` is advanced past it.
// A backslash is an ordinary character: browsers (WHATWG HTML "multipart/
// form-data encoding") escape '"' as %22 and never use quoted-pairs, and old
// ones send Windows paths ("C:\docs\a.txt") unescaped.
Result<std::string> read_quoted(std::string_view& s) {
  std::string value;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '"') {
      s.remove_prefix(i + 1);
      return value;
    }
    value.push_back(s[i]);
  }
  return malformed("unterminated quoted string");
}

// Parses "; name=value; name="quoted"" after a media type or disposition
// type. Names are lower-cased.
Result<Params> parse_params(std::string_view s) {
  Params params;
  for (s = trim(s); !s.empty(); s = trim(s)) {
    if (s.front() != ';') return malformed("expected ';' between parameters");
    s = trim(s.substr(1));
    if (s.empty()) break;  // a trailing ";" is harmless
    std::size_t eq = s.find('=');
    if (eq == std::string_view::npos) return malformed("parameter without '='");
    std::string name = lower(trim(s.substr(0, eq)));
    if (name.empty()) return malformed("parameter without a name");
    s = trim(s.substr(eq + 1));
    std::string value;
    if (!s.empty() && s.front() == '"') {
      value = SAFEHOUSE_TRY(read_quoted(s));
    } else {
      std::size_t end = s.find(';');
      value = std::string(trim(s.substr(0, end)));
      s = end == std::string_view::npos ? std::string_view() : s.substr(end);
    }
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

const std::string* find_param(const Params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool is_boundary_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t& code) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t length = c < 0x80                 ? 1
                       : c >= 0xC2 && c <= 0xDF ? 2
                       : c >= 0xE0 && c <= 0xEF ? 3
                       : c >= 0xF0 && c <= 0xF4 ? 4
                                                : 0;
  if (length == 0 || s.size() - i < length) return 0;
  code = length == 1 ? c : c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000)) return 0;
  if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// Control characters, and the bidi overrides that can disguise an extension
// ("invoice\u202Efdp.exe").
bool is_unwanted(std::uint32_t code) {
  return code < 0x20 || (code >= 0x7F && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069) || code == 0x200E || code == 0x200F;
}

}  // namespace

Result<std::string> boundary_from_content_type(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) {
    return Error(ErrorCode::kUnsupported, "multipart: content type is not multipart/form-data");
  }
  if (semi == std::string_view::npos) return malformed("multipart: content type has no boundary");
  auto params = parse_params(content_type.substr(semi));
  if (!params) return params.error().with_context("multipart: content type");
  const std::string* boundary = find_param(*params, "boundary");
  if (boundary == nullptr || boundary->empty()) {
    return malformed("multipart: content type has no boundary");
  }
  if (boundary->size() > kMaxBoundaryBytes) return malformed("multipart: boundary is too long");
  for (char c : *boundary) {
    if (!is_boundary_char(c)) return malformed("multipart: boundary has an invalid character");
  }
  if (boundary->back() == ' ') return malformed("multipart: boundary ends in a space");
  return *boundary;
}

std::string sanitize_file_name(std::string_view raw) {
  std::size_t slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos) raw.remove_prefix(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    std::uint32_t code = 0;
    std::size_t length = utf8_length(raw, i, code);
    if (length == 0) {  // invalid UTF-8: drop the byte
      ++i;
      continue;
    }
    bool leading = out.empty() && (code == '.' || code == ' ');
    if (!leading && !is_unwanted(code)) {
      if (out.size() + length > kMaxFileNameBytes) break;
      out.append(raw.substr(i, length));
    }
    i += length;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  return out.empty() ? "file" : out;
}

MultipartParser::MultipartParser(std::string boundary, Callbacks callbacks, MultipartLimits limits)
    : delimiter_("\r\n--" + boundary),
      callbacks_(std::move(callbacks)),
      limits_(limits),
      buffer_("\r\n") {}

MultipartParser::~MultipartParser() {
  crypto::wipe_all(buffer_);
}

Result<void> MultipartParser::fail(Error error) {
  error_ = error;
  return error;
}

Result<void> MultipartParser::feed(ByteSpan data) {
  if (error_) return *error_;
  if (state_ == State::kBody) {
    // In a part's body the bytes are handed on where they are, not copied
    // into buffer_ first (a file upload's every byte went through it).
    auto rest = feed_body_in_place(data);
    if (!rest) {
      if (!error_) error_ = rest.error();
      return rest.error();
    }
    data = *rest;
    if (data.empty()) return {};
  }
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  do {
    progress_ = false;
    if (auto stepped = step(); !stepped) {
      if (!error_) error_ = stepped.error();
      return stepped;
    }
  } while (progress_);
  return {};
}

Result<void> MultipartParser::finish() {
  if (error_) return *error_;
  if (state_ != State::kEpilogue) {
    return fail(malformed("multipart: body ended before the closing boundary"));
  }
  return {};
}

Result<void> MultipartParser::step() {
  switch (state_) {
    case State::kPreamble:
      return parse_preamble();
    case State::kAfterBoundary:
      return parse_after_boundary();
    case State::kHeaders:
      return parse_headers();
    case State::kBody:
      return parse_body();
    case State::kEpilogue:
      buffer_.clear();  // ignored, as RFC 2046 says
      return {};
  }
  return {};
}

Result<void> MultipartParser::parse_preamble() {
  std::size_t at = buffer_.find(delimiter_);
  if (at == std::string::npos) {
    // Keep only what could be the start of a delimiter.
    if (buffer_.size() >= delimiter_.size())
      buffer_.erase(0, buffer_.size() - delimiter_.size() + 1);
    return {};
  }
  buffer_.erase(0, at + delimiter_.size());
  state_ = State::kAfterBoundary;
  progress_ = true;
  return {};
}

Result<void> MultipartParser::parse_after_boundary() {
  // After a delimiter: "--" closes the body; else optional blanks, then CRLF.
  std::size_t i = 0;
  if (buffer_.size() < 2) return {};
  if (buffer_.compare(0, 2, "--") == 0) {
    state_ = State::kEpilogue;
    progress_ = true;
    return {};
  }
  while (i < buffer_.size() && (buffer_[i] == ' ' || buffer_[i] == '\t')) ++i;
  if (i > 64) return malformed("multipart: too much padding after a boundary");
  if (buffer_.size() - i < 2) return {};
  if (buffer_.compare(i, 2, "\r\n") != 0) {
    return malformed("multipart: boundary is not followed by a line break");
  }
  buffer_.erase(0, i + 2);
  if (++parts_ > limits_.max_parts) {
    return Error(ErrorCode::kTooLarge, "multipart: too many parts");
  }
  state_ = State::kHeaders;
  header_scanned_ = 0;
  progress_ = true;
  return {};
}

namespace {

// Parses one part's header block (lines without the final empty line).
Result<PartHeaders> parse_part_headers(std::string_view block) {
  PartHeaders headers;
  headers.content_type = "text/plain";
  bool have_disposition = false;
  while (!block.empty()) {
    std::size_t end = block.find("\r\n");
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    if (line.empty() || line.front() == ' ' || line.front() == '\t') {
      return malformed("folded or empty header line");
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("header line has no colon");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : line) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return malformed("header has a control character");
      }
    }
    if (iequals(name, "content-disposition")) {
      if (have_disposition) return malformed("two content-disposition headers");
      have_disposition = true;
      std::size_t semi = value.find(';');
      if (!iequals(trim(value.substr(0, semi)), "form-data")) {
        return malformed("content-disposition is not form-data");
      }
      Params params;
      if (semi != std::string_view::npos) {
        auto parsed = parse_params(value.substr(semi));
        if (!parsed) return parsed.error().with_context("content-disposition");
        params = std::move(*parsed);
      }
      const std::string* field = find_param(params, "name");
      if (field == nullptr || field->empty()) {
        return malformed("content-disposition has no field name");
      }
      headers.field_name = *field;
      if (const std::string* file = find_param(params, "filename")) headers.file_name = *file;
    } else if (iequals(name, "content-type")) {
      if (value.empty()) return malformed("empty content-type");
      headers.content_type = std::string(value);
    }  // Other headers (Content-Transfer-Encoding is deprecated) are ignored.
  }
  if (!have_disposition) return malformed("part has no content-disposition");
  return headers;
}

}  // namespace

Result<void> MultipartParser::parse_headers() {
  std::size_t end;
  std::size_t skip;
  if (buffer_.compare(0, 2, "\r\n") == 0) {
    end = 0;  // no header lines at all
    skip = 2;
  } else {
    // Search only what is new (and 3 bytes back), so a header block fed a
    // byte at a time costs linear, not quadratic, time.
    end = buffer_.find("\r\n\r\n", header_scanned_);
    skip = 4;
  }
  if (end == std::string::npos || buffer_.size() < 2) {
    header_scanned_ = buffer_.size() >= 3 ? buffer_.size() - 3 : 0;
    // Too long only once the blank line can no longer end within the limit,
    // so the verdict does not depend on how the input was split.
    if (buffer_.size() > limits_.max_part_header_bytes + 3) {
      return Error(ErrorCode::kTooLarge, "multipart: part headers are too long");
    }
    return {};
  }
  if (end > limits_.max_part_header_bytes) {
    return Error(ErrorCode::kTooLarge, "multipart: part headers are too long");
  }
  auto headers = parse_part_headers(std::string_view(buffer_).substr(0, end));
  if (!headers) {
    return headers.error().with_context("multipart: part " + std::to_string(parts_));
  }
  buffer_.erase(0, end + skip);
  state_ = State::kBody;
  progress_ = true;
  if (callbacks_.on_part_begin) return callbacks_.on_part_begin(*headers);
  return {};
}

// buffer_ holds less than a delimiter (what parse_body() held back): if
// no delimiter starts within it, it is part data, and so is `data` up to
// the first delimiter in it or, without one, all but its last
// delimiter-length-minus-one bytes, which are held back as before. Emits
// those bytes from `data` itself; returns the bytes still to parse (from
// the delimiter on, or the held-back tail once buffer_ was emptied), or
// all of `data` with nothing done when the delimiter may start in buffer_
// or `data` is too short to tell.
Result<ByteSpan> MultipartParser::feed_body_in_place(ByteSpan data) {
  const std::size_t d = delimiter_.size();
  if (buffer_.size() >= d || data.size() < d) return data;
  const std::string_view incoming(reinterpret_cast<const char*>(data.data()), data.size());
  if (!buffer_.empty()) {
    // A delimiter starting in buffer_ ends within its first d - 1 bytes of
    // `data`: look in that joint (a few dozen bytes) only.
    crypto::WipedString joint(buffer_);
    joint.append(incoming.substr(0, d - 1));
    const bool starts_in_buffer = joint.find(delimiter_) != std::string::npos;
    crypto::wipe_all(joint);
    if (starts_in_buffer) return data;
    if (callbacks_.on_part_data)
      SAFEHOUSE_TRY_VOID(callbacks_.on_part_data(as_bytes(std::string_view(buffer_))));
    crypto::wipe_all(buffer_);
    // The first piece of a large part left buffer_ as large as the piece:
    // wiping all of that capacity for a few dozen bytes, piece after piece,
    // was two 512 KiB memsets per piece (~3 % of an upload's server CPU).
    // Given back once (the allocator wipes it), it stays small.
    buffer_.shrink_to_fit();
  }
  const std::size_t at = find_delimiter(incoming);
  const std::size_t emit = at == std::string_view::npos ? data.size() - (d - 1) : at;
  if (emit > 0 && callbacks_.on_part_data) {
    SAFEHOUSE_TRY_VOID(callbacks_.on_part_data(data.first(emit)));
  }
  return data.subspan(emit);
}

// glibc's memmem skips ahead by a shift table; string_view::find stops at
// every '\r' (one byte in 256 of a random file) to compare: 4.7 -> 5.9 GB/s
// on a 64 MiB file part (bench/multipart_bench.cpp, bench/RESULTS.md).
std::size_t MultipartParser::find_delimiter(std::string_view text) const {
  const void* found = ::memmem(text.data(), text.size(), delimiter_.data(), delimiter_.size());
  return found == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
}

Result<void> MultipartParser::parse_body() {
  std::size_t at = find_delimiter(buffer_);
  std::size_t emit = at;
  if (at == std::string::npos) {
    // Hold back what could be the start of the next delimiter.
    emit = buffer_.size() >= delimiter_.size() ? buffer_.size() - delimiter_.size() + 1 : 0;
  }
  if (emit > 0 && callbacks_.on_part_data) {
    SAFEHOUSE_TRY_VOID(
        callbacks_.on_part_data(as_bytes(std::string_view(buffer_).substr(0, emit))));
  }
  if (at == std::string::npos) {
    buffer_.erase(0, emit);
    return {};
  }
  buffer_.erase(0, at + delimiter_.size());
  state_ = State::kAfterBoundary;
  progress_ = true;
  if (callbacks_.on_part_end) return callbacks_.on_part_end();
  return {};
}

}  // namespace safehouse::http
