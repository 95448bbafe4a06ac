// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/published_file.cpp: the published-file entry and FILE.sig text
// (cli/published_file.h). Hand-written: a four-line format of our own.
#include "cli/published_file.h"

#include <optional>

#include "store/types.h"
#include "tlog/case_entry.h"
#include "tlog/encoding.h"
#include "tlog/note.h"

namespace safehouse::cli {
namespace {

constexpr std::string_view kHeader = "safehouse/published-file/v1\n";

// Takes "<key> <value>\n" off the front of `text`.
std::optional<std::string_view> take_field(std::string_view& text, std::string_view key) {
  if (!text.starts_with(key) || text.size() <= key.size() || text[key.size()] != ' ') {
    return std::nullopt;
  }
  const auto end = text.find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = text.substr(key.size() + 1, end - key.size() - 1);
  text.remove_prefix(end + 1);
  return value;
}

// Parses the entry at the front of `text` and removes it.
Result<PublishedFile> take_entry(std::string_view& text) {
  if (!text.starts_with(kHeader)) return malformed("published file: not a published-file entry");
  text.remove_prefix(kHeader.size());
  PublishedFile file;
  constexpr const char* kBadHash = "published file: sha256 is not 64 lower-case hex digits";
  auto sha = take_field(text, "sha256");
  if (!sha) return malformed(kBadHash);
  auto digest = store::sha256_from_hex(*sha);
  if (!digest) return malformed(kBadHash);
  file.sha256 = *digest;
  auto language = take_field(text, "language");
  if (!language || !is_statement_language(*language)) {
    return malformed("published file: language is not en or fa");
  }
  file.language = std::string(*language);
  auto day = take_field(text, "day");
  if (!day || !tlog::is_valid_day(*day)) {
    return malformed("published file: day is not a calendar day YYYY-MM-DD");
  }
  file.day = std::string(*day);
  return file;
}

}  // namespace

bool is_statement_language(std::string_view language) {
  return language == "en" || language == "fa";
}

std::string hex(const crypto::Sha256Digest& digest) {
  return store::to_hex(digest);
}

Result<std::string> format_published_file(const PublishedFile& file) {
  if (!is_statement_language(file.language)) {
    return malformed("published file: language is not en or fa");
  }
  if (!tlog::is_valid_day(file.day)) {
    return malformed("published file: day is not a calendar day YYYY-MM-DD");
  }
  return std::string(kHeader) + "sha256 " + hex(file.sha256) + "\nlanguage " + file.language +
         "\nday " + file.day + "\n";
}

Result<PublishedFile> parse_published_file(std::string_view entry) {
  PublishedFile file = SAFEHOUSE_TRY(take_entry(entry));
  if (!entry.empty()) return malformed("published file: text after the day line");
  return file;
}

Result<std::string> format_receipt(const PublishedFileReceipt& receipt) {
  std::string text = SAFEHOUSE_TRY(format_published_file(receipt.file));
  if (receipt.origin.empty() || receipt.origin.find('\n') != std::string::npos ||
      receipt.verifier_key.empty() || receipt.verifier_key.find('\n') != std::string::npos) {
    return malformed("published file receipt: empty origin or key");
  }
  text += "log " + receipt.origin + "\nindex " + std::to_string(receipt.index) + "\nkey " +
          receipt.verifier_key + "\n";
  SAFEHOUSE_TRY_VOID(tlog::check_note_text(text));
  return text;
}

Result<PublishedFileReceipt> parse_receipt(std::string_view text) {
  PublishedFileReceipt receipt;
  receipt.file = SAFEHOUSE_TRY(take_entry(text));
  auto origin = take_field(text, "log");
  if (!origin || origin->empty()) return malformed("published file receipt: no log line");
  receipt.origin = std::string(*origin);
  auto index_text = take_field(text, "index");
  std::optional<std::uint64_t> index;
  if (!index_text || !(index = tlog::parse_decimal(*index_text))) {
    return malformed("published file receipt: index is not a decimal");
  }
  receipt.index = *index;
  auto key = take_field(text, "key");
  if (!key || key->empty()) return malformed("published file receipt: no key line");
  receipt.verifier_key = std::string(*key);
  if (!text.empty()) return malformed("published file receipt: text after the key line");
  return receipt;
}

}  // namespace safehouse::cli
