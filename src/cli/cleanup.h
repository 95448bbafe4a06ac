// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/cleanup.h: undoes what an interrupted command leaves behind. On SIGINT,
// SIGTERM, SIGHUP or SIGBUS it kills the pending child process group (mat2),
// removes the pending temporary output file and private directory (so no
// partial plaintext stays on disk) and restores the terminal's echo, then
// dies of the same signal; a SIGBUS from a live input mapping whose file
// shrank is absorbed instead (cli/file_mapping.h). Knows nothing of age or
// of what the files hold.
#ifndef SAFEHOUSE_CLI_CLEANUP_H_
#define SAFEHOUSE_CLI_CLEANUP_H_

#include <sys/types.h>
#include <termios.h>

#include <string>

namespace safehouse::cli {

// Installs the signal handlers (idempotent).
void install_cleanup_handlers();

// The temporary file to unlink if a signal arrives; one at a time, since a
// command writes one output. Pass "" to clear it after rename or unlink.
void set_pending_temp_file(const std::string& path);

// A private temporary directory (review/private_dir.h) to empty and remove
// if a signal arrives: its files and those of its subdirectories (two
// levels). Pass "" to clear it once the directory is gone.
void set_pending_temp_dir(const std::string& path);

// A child's process group to kill (SIGKILL) if a signal arrives, before the
// directory it works in is removed. Pass 0 to clear it.
void set_pending_child(pid_t process_group);

// The terminal whose settings to restore if a signal arrives while a
// passphrase is being read with echo off. Pass fd -1 to clear.
void set_pending_terminal(int fd, const termios& saved);

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_CLEANUP_H_
