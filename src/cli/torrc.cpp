// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/torrc.cpp: `safehouse torrc --data DIR [--tor-dir TOR] [--new-client-key]`:
// prints the torrc lines of the two onion services (source: public, with
// tor's own flood defences; staff: v3 client authorisation) and, when it
// creates the staff service's client key, writes its public half to
// TOR/safehouse-staff/authorized_clients/reviewer.auth and prints the
// private half once for the reviewer's tor. Never stores the private half.
// The services' folders (their onion private keys) live in tor's own
// directory, /var/lib/tor by default, and never under DIR: a copy of the
// data directory must not let anyone run the genuine address.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "config/config.h"
#include "review/onion_client_auth.h"

namespace safehouse::cli {
namespace {

namespace fs = std::filesystem;

struct TorrcOptions {
  std::string data;
  std::string tor_dir = "/var/lib/tor";
  bool new_client_key = false;
};

// Whether `inner` is `outer` or lies below it (both absolute, normalised).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

// Absolute, with symbolic links resolved where the path exists.
fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : canonical;
}

Error os_error(const std::string& what) {
  return Error(ErrorCode::kIo, "torrc: " + what + ": " + std::strerror(errno));
}

// tor refuses a HiddenServiceDir readable by others, or not its own: 0700,
// owned by whoever owns tor's directory (debian-tor for /var/lib/tor).
Result<void> make_private_dir(const fs::path& dir, const struct stat& owner) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return os_error("mkdir " + dir.string());
  if (::chmod(dir.c_str(), 0700) != 0) return os_error("chmod " + dir.string());
  if (::geteuid() == 0 && ::chown(dir.c_str(), owner.st_uid, owner.st_gid) != 0) {
    return os_error("chown " + dir.string());
  }
  return {};
}

Result<void> write_file_atomic(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("create " + temp.string());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return os_error("write " + path.string());
  }
  const int dir_fd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

void print_service(const fs::path& dir, const config::ListenAddress& target) {
  std::cout << "HiddenServiceDir " << dir.string() << "\n"
            << "HiddenServiceVersion 3\n"
            << "HiddenServicePort 80 " << target.to_string() << "\n";
}

// Tor's own defences for the public service (tor 0.4.8+; Debian 12's tor
// accepts them, tests/integration/torrc_test.sh checks with --verify-config).
void print_source_defences() {
  std::cout << "# Proof of work at the introduction: under a flood, clients solve a puzzle\n"
            << "# (Tor Browser does it itself, JavaScript off) and the service answers the\n"
            << "# highest efforts first, so a flooder must spend CPU per attempt.\n"
            << "HiddenServicePoWDefensesEnabled 1\n"
            << "# Introduction requests the service queues per second, and in a burst.\n"
            << "HiddenServicePoWQueueRate 250\n"
            << "HiddenServicePoWQueueBurst 2500\n"
            << "# The introduction points themselves drop requests beyond 25 a second (bursts\n"
            << "# of 200) before they reach this server.\n"
            << "HiddenServiceEnableIntroDoSDefense 1\n"
            << "HiddenServiceEnableIntroDoSRatePerSec 25\n"
            << "HiddenServiceEnableIntroDoSBurstPerSec 200\n"
            << "# At most 20 open streams (connections) per client circuit; a circuit that\n"
            << "# asks for more is closed, so one client cannot hold every connection slot.\n"
            << "HiddenServiceMaxStreams 20\n"
            << "HiddenServiceMaxStreamsCloseCircuit 1\n";
}

void print_client_key(const review::ClientAuthKeys& keys, const fs::path& staff_dir) {
  const crypto::SecretBytes line = review::client_auth_line(keys, "<onion-address>");
  const auto text = line.reveal();
  std::cout
      << "\n# Reviewer's side (shown only now; Safehouse keeps no copy). On each reviewer's\n"
      << "# machine, with `ClientOnionAuthDir /var/lib/tor/onion_auth` in its torrc, put this\n"
      << "# line in /var/lib/tor/onion_auth/safehouse-staff.auth_private (mode 0600):\n"
      << std::string_view(reinterpret_cast<const char*>(text.data()), text.size()) << "\n"
      << "# replacing <onion-address> by the staff address without \".onion\": tor creates\n"
      << "# it when it first starts with the lines above; read it from\n# "
      << (staff_dir / "hostname").string() << ".\n";
}

Result<void> run_torrc(const TorrcOptions& options) {
  const config::Config config = SAFEHOUSE_TRY(config::load_config(options.data));
  const fs::path tor_dir = resolved(options.tor_dir);
  if (is_within(tor_dir, resolved(options.data))) {
    return Error(ErrorCode::kInvalidArgument,
                 "torrc: " + tor_dir.string() +
                     " is inside the data directory; the onion keys must not be (a copy of the "
                     "data would let anyone run the genuine address)");
  }
  struct stat owner {};
  if (::stat(tor_dir.c_str(), &owner) != 0 || !S_ISDIR(owner.st_mode)) {
    if (errno == 0 || S_ISDIR(owner.st_mode) == 0) errno = errno ? errno : ENOTDIR;
    return os_error(tor_dir.string() + " (install tor first, or give --tor-dir)");
  }
  const fs::path source_dir = tor_dir / "safehouse-source";
  const fs::path staff_dir = tor_dir / "safehouse-staff";
  const fs::path clients_dir = staff_dir / "authorized_clients";
  for (const auto& dir : {source_dir, staff_dir, clients_dir}) {
    SAFEHOUSE_TRY_VOID(make_private_dir(dir, owner));
  }
  const fs::path auth_file = clients_dir / "reviewer.auth";
  std::optional<review::ClientAuthKeys> keys;
  if (options.new_client_key || !fs::exists(auth_file)) {
    keys = review::generate_client_auth_keys();
    SAFEHOUSE_TRY_VOID(write_file_atomic(auth_file, review::service_auth_line(*keys) + "\n"));
    if (::geteuid() == 0 && ::chown(auth_file.c_str(), owner.st_uid, owner.st_gid) != 0) {
      return os_error("chown " + auth_file.string());
    }
  }
  std::cout << "# Safehouse onion services: add to the tor configuration (/etc/tor/torrc)\n"
            << "# and reload tor. The services' keys stay in tor's directory, never in the\n"
            << "# data directory; tor must own " << source_dir.string() << " and\n# "
            << staff_dir.string() << " (mode 0700).\n"
            << "# Source service: what sources open in Tor Browser.\n";
  print_service(source_dir, config.source_listen);
  print_source_defences();
  std::cout << "# Staff service: reachable only with a client key listed in\n# "
            << clients_dir.string() << "/.\n";
  print_service(staff_dir, config.staff_listen);
  if (keys) {
    print_client_key(*keys, staff_dir);
  } else {
    std::cout << "\n# The reviewer client key already exists (" << auth_file.string()
              << ");\n# its private half was shown when it was made. --new-client-key "
                 "replaces it.\n";
  }
  return {};
}

}  // namespace

void add_torrc_command(CLI::App& app) {
  auto options = std::make_shared<TorrcOptions>();
  CLI::App* cmd =
      app.add_subcommand("torrc", "Print torrc lines for the source and staff onion services");
  cmd->add_option("--data", options->data, "The installation's data directory")->required();
  cmd->add_option("--tor-dir", options->tor_dir,
                  "tor's directory, where the services' folders (and onion keys) go; never "
                  "inside the data directory")
      ->capture_default_str();
  cmd->add_flag("--new-client-key", options->new_client_key,
                "Make a new reviewer client-authorisation key, replacing the old one");
  cmd->callback([options] { exit_on_error(run_torrc(*options)); });
}

}  // namespace safehouse::cli
