// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/age_io.cpp: recipients, identities and inputs for the age subcommands.
#include "cli/age_io.h"

#include <string_view>

#include "age/identity_file.h"
#include "age/x25519.h"

namespace safehouse::cli {
namespace {

// Enough to recognise the armor's begin marker.
constexpr std::size_t kArmorPeekBytes = 64;

std::string_view as_text(const crypto::SecretBytes& bytes) {
  auto span = bytes.reveal();
  return {reinterpret_cast<const char*>(span.data()), span.size()};
}

}  // namespace

Result<std::vector<std::unique_ptr<age::Recipient>>> load_recipients(
    const std::vector<std::string>& recipients, const std::vector<std::string>& recipient_files) {
  std::vector<std::unique_ptr<age::Recipient>> all;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    auto parsed = age::X25519Recipient::parse(recipients[i]);
    if (!parsed) {
      return parsed.error().with_context("-r/--recipient #" + std::to_string(i + 1));
    }
    all.push_back(std::make_unique<age::X25519Recipient>(std::move(*parsed)));
  }
  for (const auto& path : recipient_files) {
    auto text = SAFEHOUSE_TRY(read_key_file(path, age::kMaxKeyFileBytes));
    auto parsed = age::parse_recipients_file(as_text(text));
    if (!parsed) return parsed.error().with_context("recipients file " + path);
    if (parsed->empty()) return malformed("recipients file " + path + ": no recipients in it");
    for (auto& recipient : *parsed) all.push_back(std::move(recipient));
  }
  return all;
}

Result<std::vector<std::unique_ptr<age::Identity>>> load_identities(
    const std::vector<std::string>& identity_files) {
  std::vector<std::unique_ptr<age::Identity>> all;
  for (const auto& path : identity_files) {
    auto text = SAFEHOUSE_TRY(read_key_file(path, age::kMaxKeyFileBytes));
    auto parsed = age::parse_identity_file(as_text(text));
    if (!parsed) return parsed.error().with_context("identity file " + path);
    if (parsed->empty()) return malformed("identity file " + path + ": no identities in it");
    for (auto& identity : *parsed) all.push_back(std::move(identity));
  }
  return all;
}

Result<AgeInput> AgeInput::open(const std::string& path) {
  AgeInput input;
  input.file_ = SAFEHOUSE_TRY(InputFile::open(path));
  auto first = SAFEHOUSE_TRY(input.file_->peek(kArmorPeekBytes));
  if (age::looks_armored(first)) input.armor_ = std::make_unique<age::ArmorReader>(*input.file_);
  return input;
}

Result<void> copy_stream(InputFile& in, ByteSink& out) {
  for (;;) {
    auto bytes = SAFEHOUSE_TRY(in.next());
    if (bytes.empty()) return {};
    SAFEHOUSE_TRY_VOID(out.write(bytes));
  }
}

Result<void> FinishOnceSink::finish() {
  if (finished_) return {};
  finished_ = true;
  return out_.finish();
}

}  // namespace safehouse::cli
