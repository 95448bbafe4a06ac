// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/file_mapping.h: a read-only mapping of a whole regular file that
// survives the file shrinking under it. Reading a mapped page that a
// truncation (or an I/O error) took away raises SIGBUS, which would kill the
// process in the middle of a write. Here the SIGBUS handler (cli/cleanup.h)
// first asks absorb_mapping_fault(): for an address in a live mapping it
// puts zero pages over the rest of that mapping, marks the mapping damaged
// and lets the faulting read go on (reading zeros). Readers check damaged()
// after they have used the bytes and before they trust them, so zeros are
// never passed off as the file's content.
//
// Why map at all: `safehouse encrypt` seals straight from the mapping, which
// saves read(2)'s copy out of the page cache: 7-10 % of encrypt's time on
// one core (bench/RESULTS.md, "encrypt from a whole-file mapping").
#ifndef SAFEHOUSE_CLI_FILE_MAPPING_H_
#define SAFEHOUSE_CLI_FILE_MAPPING_H_

#include <cstddef>
#include <memory>
#include <string>

#include "base/byte_stream.h"

namespace safehouse::cli {

class FileMapping {
 public:
  // How many mappings may be live at once (the handler's table is fixed so
  // that it needs no lock and no allocation).
  static constexpr std::size_t kMaxLive = 8;

  // Maps the first `size` bytes (> 0) of the open file `fd`; `name` is for
  // errors. Fails when mmap does, or when kMaxLive mappings are live: the
  // caller then reads the file instead.
  static Result<std::unique_ptr<FileMapping>> map(int fd, std::size_t size,
                                                  const std::string& name);
  ~FileMapping();
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;

  // The file's bytes as they were mapped; pages lost since read as zeros.
  ByteSpan bytes() const { return {base_, size_}; }

  // True once a read of the mapping found a page missing: everything read
  // from it since may be zeros rather than the file. Call after reading.
  bool damaged() const;

  // Drops the pages before `offset` from this process's page tables (they
  // stay in the page cache): a long sequential read then keeps the process's
  // resident set bounded instead of growing to the file's size.
  void release_before(std::size_t offset);

 private:
  FileMapping(const std::uint8_t* base, std::size_t size, std::size_t mapped, std::size_t slot)
      : base_(base), size_(size), mapped_(mapped), slot_(slot) {}

  const std::uint8_t* base_;
  std::size_t size_;
  std::size_t mapped_;  // size_ rounded up to whole pages
  std::size_t slot_;    // in the handler's table
  std::size_t released_ = 0;
};

// For the SIGBUS handler only (async-signal-safe): true if `address` lies in
// a live mapping, which is then zero-filled from that page on and marked
// damaged, so that returning from the handler repeats the read harmlessly.
bool absorb_mapping_fault(const void* address);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_FILE_MAPPING_H_
