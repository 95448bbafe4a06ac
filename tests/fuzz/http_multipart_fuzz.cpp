// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_multipart_fuzz.cpp: the multipart parser and the boundary
// and file-name helpers. The first line is tried as a Content-Type; the rest
// is the body, parsed whole and in pieces: both must give the same parts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/form.h"
#include "http/multipart.h"

namespace {

using safehouse::ByteSpan;
using safehouse::Result;
using safehouse::http::MultipartParser;
using safehouse::http::PartHeaders;

// A transcript of everything the callbacks saw, data concatenated per part.
std::string parse(const std::string& boundary, std::string_view body, std::size_t step, bool& ok) {
  std::string log;
  MultipartParser parser(
      boundary,
      {[&](const PartHeaders& h) -> Result<void> {
         log += "[begin " + h.field_name + "|" + h.file_name.value_or("-") + "|" + h.content_type +
                "]";
         std::string clean = safehouse::http::sanitize_file_name(h.file_name.value_or(""));
         if (clean.empty() || clean.size() > safehouse::http::kMaxFileNameBytes ||
             clean.find_first_of("/\\") != std::string::npos ||
             !safehouse::http::is_valid_utf8(clean) || clean.front() == '.') {
           std::abort();
         }
         return {};
       },
       [&](ByteSpan data) -> Result<void> {
         if (data.empty()) std::abort();  // pieces are never empty
         log.append(reinterpret_cast<const char*>(data.data()), data.size());
         return {};
       },
       [&]() -> Result<void> {
         log += "[end]";
         return {};
       }},
      {.max_part_header_bytes = 512, .max_parts = 16});
  ok = true;
  for (std::size_t i = 0; i < body.size() && ok; i += step) {
    ok = bool(parser.feed(safehouse::as_bytes(body.substr(i, step))));
  }
  if (ok) ok = bool(parser.finish());
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string boundary = "XyZ";
  std::string_view body = input;
  if (newline != std::string_view::npos) {
    auto parsed = safehouse::http::boundary_from_content_type(input.substr(0, newline));
    if (parsed) boundary = *parsed;
    body = input.substr(newline + 1);
  }
  std::size_t step = size > 0 ? (data[0] % 13) + 1 : 1;
  bool whole_ok = false, pieces_ok = false;
  std::string whole = parse(boundary, body, body.size() + 1, whole_ok);
  std::string pieces = parse(boundary, body, step, pieces_ok);
  // On success both transcripts match; on failure pieces may have reported
  // more of the prefix before the error, so only the outcome must agree.
  if (whole_ok != pieces_ok || (whole_ok && whole != pieces)) std::abort();
  return 0;
}
