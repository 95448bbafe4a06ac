// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/passphrase.cpp: reads passphrases from the environment or the terminal
// into locked memory. Terminal settings are restored on every path, including
// a signal (cli/cleanup.h).
#include "cli/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "age/scrypt.h"
#include "cli/cleanup.h"

namespace safehouse::cli {
namespace {

Result<crypto::SecretBytes> from_environment(char* value) {
  std::size_t size = std::strlen(value);
  if (size == 0)
    return invalid_argument(std::string("passphrase: ") + kPassphraseEnv + " is empty");
  if (size > kMaxPassphraseBytes) {
    return invalid_argument(std::string("passphrase: ") + kPassphraseEnv + " is too long");
  }
  auto bytes = std::span(reinterpret_cast<std::uint8_t*>(value), size);
  auto secret = crypto::SecretBytes::copy_of(bytes);
  // The environment block stays readable in /proc/<pid>/environ by the same
  // user for the life of the process; overwrite our copy of it.
  crypto::wipe(bytes);
  return secret;
}

void write_tty(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads one line (without its newline) from the terminal `fd`.
Result<crypto::SecretBytes> read_line(int fd) {
  crypto::SecretBytes buffer(kMaxPassphraseBytes + 1);
  std::size_t used = 0;
  for (;;) {
    std::uint8_t c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return io_error(std::string("passphrase: terminal read failed: ") + std::strerror(errno));
    if (n == 0 || c == '\n') break;
    if (used == buffer.size()) return invalid_argument("passphrase: too long");
    buffer.reveal()[used++] = c;
  }
  if (used > 0 && buffer.reveal()[used - 1] == '\r') --used;
  if (used > kMaxPassphraseBytes) return invalid_argument("passphrase: too long");
  return crypto::SecretBytes::copy_of(buffer.reveal().first(used));
}

// Prompts on `fd` with echo off and reads one line.
Result<crypto::SecretBytes> ask(int fd, std::string_view prompt) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) {
    return io_error(std::string("passphrase: cannot read terminal settings: ") +
                    std::strerror(errno));
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  install_cleanup_handlers();
  set_pending_terminal(fd, saved);
  // TCSANOW, not TCSAFLUSH: like age, keep what was typed ahead.
  ::tcsetattr(fd, TCSANOW, &quiet);
  write_tty(fd, prompt);
  auto line = read_line(fd);
  ::tcsetattr(fd, TCSANOW, &saved);
  set_pending_terminal(-1, saved);
  write_tty(fd, "\n");
  return line;
}

Result<crypto::SecretBytes> from_terminal(std::string_view prompt, Confirm confirm) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return invalid_argument(std::string("passphrase: no terminal to ask on; set ") +
                            kPassphraseEnv);
  }
  auto first = ask(fd, prompt);
  if (first && confirm == Confirm::kYes) {
    auto second = ask(fd, "Confirm passphrase: ");
    if (!second) {
      first = second.error();
    } else if (!first->equals(*second)) {
      first = invalid_argument("passphrase: the two entries differ");
    }
  }
  ::close(fd);
  if (first && first->empty()) return invalid_argument("passphrase: empty");
  return first;
}

}  // namespace

Result<crypto::SecretBytes> read_passphrase(std::string_view prompt, Confirm confirm) {
  if (char* value = std::getenv(kPassphraseEnv)) return from_environment(value);
  return from_terminal(prompt, confirm);
}

Result<crypto::SecretBytes> PassphrasePromptIdentity::unwrap(
    std::span<const age::Stanza> stanzas) const {
  bool has_scrypt = false;
  for (const auto& stanza : stanzas) has_scrypt = has_scrypt || stanza.type == "scrypt";
  if (!has_scrypt) return Error(ErrorCode::kNoMatch, "file is not passphrase-encrypted");
  if (mode_ == Mode::kRefuse) {
    return invalid_argument("the file is passphrase-encrypted: decrypt it without -i");
  }
  auto passphrase = SAFEHOUSE_TRY(read_passphrase("Enter passphrase: ", Confirm::kNo));
  auto file_key = age::ScryptIdentity(std::move(passphrase)).unwrap(stanzas);
  // The only identity: "not mine" can only mean a wrong passphrase here, and
  // saying so beats the engine's generic "no identity matched".
  if (!file_key && file_key.error().code() == ErrorCode::kNoMatch) {
    return Error(ErrorCode::kIntegrity, "incorrect passphrase");
  }
  return file_key;
}

}  // namespace safehouse::cli
