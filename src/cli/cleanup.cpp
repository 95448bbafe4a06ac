// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/cleanup.cpp: signal handlers that remove a pending temporary file and
// restore the terminal. SIGBUS is included: it is what reading a mapped input
// file that someone truncates meanwhile raises; a fault in a live input
// mapping is absorbed first (cli/file_mapping.h, which adds mmap to the list
// below). The handlers only call async-signal-safe functions (kill, open,
// getdents64, unlinkat, rmdir, close, tcsetattr, signal, raise) on state
// kept in plain static storage.
#include "cli/cleanup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "cli/file_mapping.h"

namespace safehouse::cli {
namespace {

// PATH_MAX-sized; a longer temp path is simply not cleaned up on a signal
// (the normal error path still removes it).
constexpr std::size_t kMaxPathBytes = 4096;

char g_temp_path[kMaxPathBytes];
volatile std::sig_atomic_t g_have_temp = 0;
char g_temp_dir[kMaxPathBytes];
volatile std::sig_atomic_t g_have_temp_dir = 0;
volatile pid_t g_child_group = 0;
termios g_saved_termios;
volatile std::sig_atomic_t g_tty_fd = -1;

// Removes what `dir_fd` holds, descending `depth` more levels, with raw
// getdents64 (opendir/readdir may allocate, which a handler must not).
void empty_dir(int dir_fd, int depth) {
  alignas(8) char buffer[4096];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir_fd, buffer, sizeof buffer);
    if (n <= 0) return;
    bool removed_any = false;
    for (long at = 0; at < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + at);
      at += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      if (entry->d_type == DT_DIR) {
        if (depth > 0) {
          const int sub = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0) {
            empty_dir(sub, depth - 1);
            close(sub);
          }
        }
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0) removed_any = true;
      } else if (unlinkat(dir_fd, name, 0) == 0) {
        removed_any = true;
      }
    }
    // Entries removed while reading: start over so none is skipped.
    if (removed_any) lseek(dir_fd, 0, SEEK_SET);
  }
}

void on_signal(int signo) {
  if (g_child_group > 0) kill(-g_child_group, SIGKILL);
  if (g_have_temp_dir != 0) {
    const int fd = open(g_temp_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      empty_dir(fd, 2);
      close(fd);
    }
    rmdir(g_temp_dir);
  }
  if (g_have_temp != 0) unlink(g_temp_path);
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
  std::signal(signo, SIG_DFL);
  std::raise(signo);
}

// A read of a mapped input whose page went away (cli/file_mapping.h) is
// absorbed: the read repeats on zero pages and the reader reports the file
// as changed. Any other SIGBUS is a crash, after the cleanup.
void on_bus_error(int signo, siginfo_t* info, void* /*context*/) {
  if (info != nullptr && absorb_mapping_fault(info->si_addr)) return;
  on_signal(signo);
}

}  // namespace

void install_cleanup_handlers() {
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(signo, &action, nullptr);
  }
  struct sigaction bus {};
  bus.sa_sigaction = on_bus_error;
  bus.sa_flags = SA_SIGINFO;
  sigemptyset(&bus.sa_mask);
  sigaction(SIGBUS, &bus, nullptr);
}

void set_pending_temp_file(const std::string& path) {
  g_have_temp = 0;
  if (path.empty() || path.size() >= kMaxPathBytes) return;
  std::memcpy(g_temp_path, path.c_str(), path.size() + 1);
  g_have_temp = 1;
}

void set_pending_temp_dir(const std::string& path) {
  g_have_temp_dir = 0;
  if (path.empty() || path.size() >= kMaxPathBytes) return;
  std::memcpy(g_temp_dir, path.c_str(), path.size() + 1);
  g_have_temp_dir = 1;
}

void set_pending_child(pid_t process_group) {
  g_child_group = process_group;
}

void set_pending_terminal(int fd, const termios& saved) {
  g_tty_fd = -1;
  if (fd < 0) return;
  g_saved_termios = saved;
  g_tty_fd = fd;
}

}  // namespace safehouse::cli
