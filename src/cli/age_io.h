// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/age_io.h: what the age subcommands share: loading recipients (-r, -R)
// and identities (-i), opening an age input with its armor detected, and the
// plaintext copy loop. Knows the command-line meaning of the flags, not the
// age format.
#ifndef SAFEHOUSE_CLI_AGE_IO_H_
#define SAFEHOUSE_CLI_AGE_IO_H_

#include <memory>
#include <string>
#include <vector>

#include "age/armor.h"
#include "age/recipient.h"
#include "cli/files.h"

namespace safehouse::cli {

// Parses -r strings and -R files. Errors name the flag and its position or
// the file and line, never the key text.
Result<std::vector<std::unique_ptr<age::Recipient>>> load_recipients(
    const std::vector<std::string>& recipients, const std::vector<std::string>& recipient_files);

// Parses -i identity files.
Result<std::vector<std::unique_ptr<age::Identity>>> load_identities(
    const std::vector<std::string>& identity_files);

// Non-owning views the age engine takes.
template <typename T>
std::vector<const T*> raw_pointers(const std::vector<std::unique_ptr<T>>& owned) {
  std::vector<const T*> raw;
  raw.reserve(owned.size());
  for (const auto& item : owned) raw.push_back(item.get());
  return raw;
}

// An age file to read: binary, or armored (detected from its first bytes).
class AgeInput {
 public:
  static Result<AgeInput> open(const std::string& path);
  ByteSource& source() { return armor_ ? static_cast<ByteSource&>(*armor_) : *file_; }
  bool armored() const { return armor_ != nullptr; }

 private:
  std::unique_ptr<InputFile> file_;
  std::unique_ptr<age::ArmorReader> armor_;
};

// Copies `in` to `out` until EOF, borrowing its bytes (InputFile::next());
// does not call out.finish().
Result<void> copy_stream(InputFile& in, ByteSink& out);

// A ByteSink forwarding to another that remembers whether finish() was
// called, so a caller can finish exactly once whatever the engine did.
class FinishOnceSink final : public ByteSink {
 public:
  explicit FinishOnceSink(ByteSink& out) : out_(out) {}
  Result<void> write(ByteSpan data) override { return out_.write(data); }
  Result<void> finish() override;
  bool finished() const { return finished_; }

 private:
  ByteSink& out_;
  bool finished_ = false;
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_AGE_IO_H_
