// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/published_file.h: the organisation's own statements in the log
// (docs/tlog.md, "Published files"). One log entry per published file:
//
//   safehouse/published-file/v1
//   sha256 <64 lower-case hex digits>
//   language <en|fa>
//   day <YYYY-MM-DD>
//
// and beside the file, FILE.sig: a note signed with the log key whose text
// is the entry followed by where it is in the log:
//
//   log <origin of the log's checkpoints>
//   index <the entry's index>
//   key <the log's verifier key>
//
// Parsers accept exactly this text (fields in order, one space, final
// newline), so an entry has one spelling and one leaf hash.
#ifndef SAFEHOUSE_CLI_PUBLISHED_FILE_H_
#define SAFEHOUSE_CLI_PUBLISHED_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/sha256.h"

namespace safehouse::cli {

struct PublishedFile {
  crypto::Sha256Digest sha256{};
  std::string language;  // "en" or "fa"
  std::string day;       // YYYY-MM-DD (UTC), never a time
  friend bool operator==(const PublishedFile&, const PublishedFile&) = default;
};

// What FILE.sig says (its signature is checked separately).
struct PublishedFileReceipt {
  PublishedFile file;
  std::string origin;        // the log's
  std::uint64_t index = 0;   // the entry's
  std::string verifier_key;  // the log key's, name+hash+base64
  friend bool operator==(const PublishedFileReceipt&, const PublishedFileReceipt&) = default;
};

bool is_statement_language(std::string_view language);

// The entry; kMalformed for an unknown language or a day that is not one.
Result<std::string> format_published_file(const PublishedFile& file);
// Strict; kMalformed naming what is wrong.
Result<PublishedFile> parse_published_file(std::string_view entry);

Result<std::string> format_receipt(const PublishedFileReceipt& receipt);
Result<PublishedFileReceipt> parse_receipt(std::string_view text);

std::string hex(const crypto::Sha256Digest& digest);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_PUBLISHED_FILE_H_
