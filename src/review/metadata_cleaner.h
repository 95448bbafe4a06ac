// SPDX-License-Identifier: AGPL-3.0-or-later
// review/metadata_cleaner.h: runs Debian's mat2 on one file in a private
// directory, inside a sandbox with no network: `unshare --net --ipc` (new,
// empty network and IPC namespaces: only a loopback that is down), a
// minimal environment, no standard input, its own process group, killed
// when it exceeds a time limit. mat2 is found on PATH. Knows POSIX
// processes and mat2's command line; nothing of age, items or the store.
#ifndef SAFEHOUSE_REVIEW_METADATA_CLEANER_H_
#define SAFEHOUSE_REVIEW_METADATA_CLEANER_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace safehouse::review {

// How long mat2 may run on one file before it is killed (a video can take
// minutes; a parser stuck on hostile input must not hang the reviewer).
inline constexpr std::chrono::seconds kDefaultCleanTimeLimit{600};
// mat2's output kept for error messages, bytes.
inline constexpr std::size_t kMaxCleanerOutputBytes = 8 * 1024;

struct CleanerOptions {
  std::chrono::seconds time_limit = kDefaultCleanTimeLimit;
  // Called with the sandbox's process id (also its process group) once it
  // runs, and with 0 once it has ended, so that an interrupted command can
  // kill it (cli/cleanup.h).
  std::function<void(pid_t)> on_child;
};

// The path of `program` on PATH (as execvp would find it), or nullopt.
std::optional<std::filesystem::path> find_on_path(std::string_view program);

// Runs mat2 (full cleaning, not --lightweight) on `input_name`, a file in
// `dir`, with `dir` as working directory, HOME and TMPDIR. Returns the name
// of the cleaned file mat2 wrote beside it ("x.cleaned.png" for "x.png").
// Errors: kUnavailable when mat2 or unshare is not installed or the sandbox
// cannot be made; kUnsupported when mat2 cannot clean this file type (its
// message included); kIo when mat2 fails, exceeds the time limit or writes
// no cleaned file. The input file is left as it was.
Result<std::string> clean_metadata(const std::filesystem::path& dir, std::string_view input_name,
                                   const CleanerOptions& options);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_METADATA_CLEANER_H_
