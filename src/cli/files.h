// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/files.h: ByteSource/ByteSink adapters over files and stdio for the
// `safehouse` subcommands. Output to a named file goes to a temporary file in
// the same directory that is renamed into place only by finish(): a command
// that fails never leaves a partial output behind. Knows nothing of age.
#ifndef SAFEHOUSE_CLI_FILES_H_
#define SAFEHOUSE_CLI_FILES_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"
#include "crypto/wiping_allocator.h"

namespace safehouse::cli {

class FileMapping;

// Reads a whole key file into locked memory (it may hold secret keys),
// refusing files over `max_bytes`. Errors name the path, never the content.
Result<crypto::SecretBytes> read_key_file(const std::string& path, std::size_t max_bytes);

// A reader over a file, or stdin when the path is "" or "-". When a named
// regular file of 1 MiB or more is read with next() alone, it is mapped
// whole (cli/file_mapping.h) and next() hands out spans of the mapping, so
// the age writers seal straight from the page cache: that saves read(2)'s
// copy, 7-10 % of `safehouse encrypt` on one core (bench/RESULTS.md). (A
// sliding 1 MiB mapping, mapped and unmapped per step, cost more than the
// copy: 285 against 170 ms CPU for 256 MiB.) If the file shrinks while it
// is mapped, next() fails with an error rather than the process dying of
// SIGBUS. Otherwise (stdin, pipes, small files, read() and peek(), or a
// file that cannot be mapped) the file is read into a 1 MiB buffer, which
// next() hands out itself.
class InputFile final : public ByteSource {
 public:
  static Result<std::unique_ptr<InputFile>> open(const std::string& path);
  ~InputFile() override;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  Result<std::size_t> read(MutableByteSpan data) override;
  // The next up to `n` bytes without consuming them (fewer only at EOF).
  // Requires: n <= kBufferBytes.
  Result<ByteSpan> peek(std::size_t n);
  // Borrows the next bytes without copying where possible; the span stays
  // valid until the next call on this object. Empty at EOF. Don't mix with
  // read() after the first call.
  Result<ByteSpan> next();

  // Large enough for whole 64 KiB chunks to be sealed from it on two
  // threads (ParallelStreamWriter borrows a write's chunks but the last two).
  static constexpr std::size_t kBufferBytes = 1024 * 1024;
  // Reads at least this large into an empty buffer go straight to read(2).
  static constexpr std::size_t kDirectReadBytes = 16 * 1024;
  // Regular files at least this large are mapped rather than read.
  static constexpr std::size_t kMapMinBytes = 1024 * 1024;
  // next() hands out at most this much of a mapping at a time: between two
  // calls the reader checks that nothing it read was lost, and drops the
  // pages behind it from its resident set.
  static constexpr std::size_t kMapSpanBytes = 8 * 1024 * 1024;

 private:
  InputFile(int fd, bool owned, std::string name);
  Result<std::size_t> fill();
  Error changed_error() const;
  Error mixed_error() const;
  Result<void> check_mapping() const;
  Result<void> leave_mapping();
  void map_if_worth_it();

  int fd_;
  bool owned_;
  std::string name_;
  crypto::WipedBytes buffer_;  // plaintext on its way to the encryptor
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool started_ = false;                  // read, peeked or next()ed
  std::unique_ptr<FileMapping> mapping_;  // until its end is reached
  std::size_t map_pos_ = 0;               // bytes of the mapping consumed
};

// How open() treats an existing file at the output path.
enum class Existing { kReplace, kRefuse };

// A buffered writer to stdout (path "" or "-") or, atomically, to a file.
// For a regular file: writes go to "<path>.tmp-XXXXXX" (mode 0600) beside
// it; finish() flushes, fsyncs and renames it onto <path> (onto the target
// of a symbolic link); destruction without a successful finish() removes the
// temporary file. An existing device or FIFO (/dev/null) is written in
// place. On stdout, a device or a FIFO a failure cannot take back what was
// already written: callers that care use -o with a regular file.
class OutputFile final : public ByteSink {
 public:
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path, Existing existing);
  ~OutputFile() override;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

  // True when the output is a terminal.
  bool is_terminal() const;

  static constexpr std::size_t kBufferBytes = 128 * 1024;
  // Writes at least this large go straight to write(2).
  static constexpr std::size_t kDirectWriteBytes = 16 * 1024;

 private:
  OutputFile(int fd, std::string name, std::string temp_path, Existing existing);
  Result<void> flush();
  Result<void> commit();
  Result<void> fail(Error error);

  int fd_;
  std::string name_;        // for error messages: the path as given, or "stdout"
  std::string final_path_;  // where finish() renames to; "" when written in place
  std::string temp_path_;   // "" when written in place, or once renamed or removed
  Existing existing_;
  Bytes buffer_;
  std::size_t used_ = 0;
  bool finished_ = false;
  std::optional<Error> error_;  // sticky
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_FILES_H_
