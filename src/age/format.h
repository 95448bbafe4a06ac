// SPDX-License-Identifier: AGPL-3.0-or-later
// age/format.h: the age header as text: version line, stanzas, MAC line.
// Writes it and parses it strictly (canonical base64, 64-column body lines,
// named size limits). Knows no keys: the MAC is computed by the caller.
#ifndef SAFEHOUSE_AGE_FORMAT_H_
#define SAFEHOUSE_AGE_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "age/stanza.h"
#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::age::detail {

inline constexpr std::string_view kVersionLine = "age-encryption.org/v1";
// An honest header is a few hundred bytes per recipient; this is thousands.
inline constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;
inline constexpr std::size_t kMaxStanzas = 4096;
inline constexpr std::size_t kMaxStanzaArgs = 64;
inline constexpr std::size_t kBodyColumns = 64;

struct Header {
  std::vector<Stanza> stanzas;
  Bytes mac;  // 32 bytes when parsed
};

// The header text that the MAC covers: version line, stanzas and "---".
std::string header_mac_input(std::span<const Stanza> stanzas);
// The complete header: mac input, " ", base64 MAC, "\n".
std::string header_with_mac(std::string_view mac_input, ByteSpan mac);

// The result of reading a header off a stream.
struct ParsedHeader {
  Header header;
  std::string mac_input;  // the bytes covered by the MAC, as they were read
  Bytes rest;             // bytes read past the header (start of the payload)
};

// Reads and parses a header from `in`. Errors start with "header: ".
Result<ParsedHeader> read_header(ByteSource& in);
// Parses a complete header held in memory (for the fuzzer and tests); bytes
// after the MAC line are returned in `rest`.
Result<ParsedHeader> parse_header(ByteSpan data);

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_FORMAT_H_
