// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/cleanup.cpp: signal handlers that remove a pending temporary file and
// restore the terminal. SIGBUS is included: it is what reading a mapped input
// file that someone truncates meanwhile raises. The handler only calls async-signal-safe functions
// (unlink, tcsetattr, signal, raise) on state kept in plain static storage.
#include "cli/cleanup.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace safehouse::cli {
namespace {

// PATH_MAX-sized; a longer temp path is simply not cleaned up on a signal
// (the normal error path still removes it).
constexpr std::size_t kMaxPathBytes = 4096;

char g_temp_path[kMaxPathBytes];
volatile std::sig_atomic_t g_have_temp = 0;
termios g_saved_termios;
volatile std::sig_atomic_t g_tty_fd = -1;

void on_signal(int signo) {
  if (g_have_temp != 0) unlink(g_temp_path);
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
  std::signal(signo, SIG_DFL);
  std::raise(signo);
}

}  // namespace

void install_cleanup_handlers() {
  for (int signo : {SIGINT, SIGTERM, SIGHUP, SIGBUS}) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(signo, &action, nullptr);
  }
}

void set_pending_temp_file(const std::string& path) {
  g_have_temp = 0;
  if (path.empty() || path.size() >= kMaxPathBytes) return;
  std::memcpy(g_temp_path, path.c_str(), path.size() + 1);
  g_have_temp = 1;
}

void set_pending_terminal(int fd, const termios& saved) {
  g_tty_fd = -1;
  if (fd < 0) return;
  g_saved_termios = saved;
  g_tty_fd = fd;
}

}  // namespace safehouse::cli
