// SPDX-License-Identifier: AGPL-3.0-or-later
// review/metadata_cleaner.cpp: posix_spawn (no fork: the caller may have
// threads, such as the store's writer) of `unshare --net --ipc -- mat2 FILE`,
// its output read through a pipe with poll() until it exits or the time
// limit passes.
#include "review/metadata_cleaner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "review/file_names.h"

namespace safehouse::review {
namespace {

using Clock = std::chrono::steady_clock;

// mat2's message when it has no parser for the file's type (mat2 0.13:
// "[-] FILE's format (TYPE) is not supported").
constexpr std::string_view kUnsupportedMarker = "is not supported";

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return printable_text(text);
}

// mat2 names its output "<stem>.cleaned<extension>" (libmat2/abstract.py).
std::string cleaned_name(std::string_view input) {
  const std::size_t dot = input.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::string(input) + ".cleaned";
  return std::string(input.substr(0, dot)) + ".cleaned" + std::string(input.substr(dot));
}

// Owns a posix_spawn file-actions and attributes pair.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

struct Outcome {
  int status = 0;
  bool timed_out = false;
  std::string output;
};

// Reads the child's output until it has exited (or the deadline passed:
// then the whole process group is killed). The group is killed after a
// normal exit too, so that nothing mat2 started lingers.
Outcome wait_for(pid_t pid, int out_fd, Clock::time_point deadline) {
  Outcome outcome;
  bool exited = false;
  bool eof = false;
  char buffer[4096];
  auto drain = [&](int timeout_ms) {
    pollfd fd{out_fd, POLLIN, 0};
    if (::poll(&fd, 1, timeout_ms) <= 0) return false;
    const ssize_t n = ::read(out_fd, buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) return true;
      eof = true;
      return false;
    }
    const std::size_t room = kMaxCleanerOutputBytes - outcome.output.size();
    outcome.output.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    return true;
  };
  while (!exited) {
    const pid_t done = ::waitpid(pid, &outcome.status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) {
      exited = true;
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &outcome.status, 0) < 0 && errno == EINTR) {
      }
      outcome.timed_out = true;
      return outcome;
    }
    const int wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 100));
    if (eof) {
      ::poll(nullptr, 0, wait_ms);
    } else {
      drain(wait_ms);
    }
  }
  ::kill(-pid, SIGKILL);
  while (!eof && drain(0)) {
  }
  return outcome;
}

}  // namespace

std::optional<std::filesystem::path> find_on_path(std::string_view program) {
  if (program.find('/') != std::string_view::npos) return std::filesystem::path(program);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : std::string(dir)) / std::string(program);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

Result<std::string> clean_metadata(const std::filesystem::path& dir, std::string_view input_name,
                                   const CleanerOptions& options) {
  const auto mat2 = find_on_path("mat2");
  if (!mat2) {
    return Error(ErrorCode::kUnavailable,
                 "mat2 is not installed (Debian's package mat2: apt-get install mat2)");
  }
  const auto unshare = find_on_path("unshare");
  if (!unshare) {
    return Error(ErrorCode::kUnavailable,
                 "unshare is not installed (Debian's package util-linux), so mat2 cannot be "
                 "run without network");
  }
  const std::string output_name = cleaned_name(input_name);
  // A leftover of the same name would be taken for mat2's work.
  ::unlink((dir / output_name).c_str());

  // New network and IPC namespaces: mat2 and everything it starts see no
  // network interface but a loopback that is down. Without root, a user
  // namespace makes that possible (where the kernel allows it).
  std::vector<std::string> args = {unshare->string()};
  if (::geteuid() != 0) args.emplace_back("--map-root-user");
  for (const char* arg : {"--net", "--ipc", "--"}) args.emplace_back(arg);
  args.push_back(mat2->string());
  args.emplace_back(input_name);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // A minimal environment: PATH (mat2 runs exiftool, ffmpeg, bwrap), a
  // locale, and the private directory as home and temporary directory.
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {"PATH=" + std::string(path ? path : "/usr/bin:/bin"),
                                  "HOME=" + dir.string(), "TMPDIR=" + dir.string(),
                                  "LC_ALL=C.UTF-8", "LANG=C.UTF-8"};
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::kIo, std::string("mat2: pipe: ") + std::strerror(errno));
  }
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addchdir_np(&setup.actions, dir.c_str());
  // Its own process group, so that a time-out kills all it started; an
  // empty signal mask, and the default action for the signals a caller may
  // ignore (an ignored signal stays ignored across exec).
  sigset_t defaults;
  sigset_t none;
  sigemptyset(&defaults);
  for (int signo : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD})
    sigaddset(&defaults, signo);
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), envp.data());
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return Error(ErrorCode::kUnavailable,
                 "mat2: cannot start " + args[0] + ": " + std::strerror(spawned));
  }
  if (options.on_child) options.on_child(pid);
  const Outcome outcome = wait_for(pid, pipe_fds[0], Clock::now() + options.time_limit);
  if (options.on_child) options.on_child(0);
  ::close(pipe_fds[0]);

  const std::string said = trimmed(outcome.output);
  if (outcome.timed_out) {
    ::unlink((dir / output_name).c_str());
    return Error(ErrorCode::kIo, "mat2 did not finish within " +
                                     std::to_string(options.time_limit.count()) +
                                     " s and was stopped (--time-limit)");
  }
  const bool ok = WIFEXITED(outcome.status) && WEXITSTATUS(outcome.status) == 0;
  if (!ok) {
    ::unlink((dir / output_name).c_str());
    if (said.starts_with("unshare: ")) {
      return Error(ErrorCode::kUnavailable,
                   "the sandbox without network could not be made (" + said + ")");
    }
    if (said.find(kUnsupportedMarker) != std::string::npos) {
      return Error(ErrorCode::kUnsupported, "mat2 cannot clean this type of file: " + said);
    }
    const std::string how = WIFEXITED(outcome.status)
                                ? "exit status " + std::to_string(WEXITSTATUS(outcome.status))
                                : "signal " + std::to_string(WTERMSIG(outcome.status));
    return Error(ErrorCode::kIo,
                 "mat2 failed (" + how + ")" + (said.empty() ? std::string() : ": " + said));
  }
  struct stat st {};
  if (::lstat((dir / output_name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kIo, "mat2 reported success but wrote no cleaned file" +
                                     (said.empty() ? std::string() : ": " + said));
  }
  return output_name;
}

}  // namespace safehouse::review
