# SPDX-License-Identifier: AGPL-3.0-or-later
# scripts/lib.sh: shared by scripts/run and scripts/test. Installs what is
# missing (Debian 12 packages; npm packages from the committed lock files)
# and configures and builds a CMake preset. Sourced, not run.

SAFEHOUSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Packages needed to build and run. Boost is pinned to the versioned 1.81
# packages: an unversioned libboost-*-dev would bring 1.74 back.
SAFEHOUSE_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache clang-16 git
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libboost-locale1.81-dev libicu-dev
  libsodium-dev libssl-dev libsqlite3-dev libpq-dev libcli11-dev libspdlog-dev
  libtomlplusplus-dev libkainjow-mustache-dev liboath-dev
  gettext fonts-noto-core ca-certificates
)
# Only for tests and benchmarks: peers, sanitizer/fuzzer runtimes, services,
# and the tools scripts/test and the tests call (python3 for the system
# tests, unshare from util-linux and ip from iproute2 for the browser tests'
# loopback-only network namespace; mat2 for `review clean`'s publication
# copies, which reviewers install on their own machines too).
SAFEHOUSE_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev libclang-rt-16-dev
  age zlib1g-dev sqlite3 chromium wrk hyperfine
  golang-go golang-golang-x-mod-dev diceware aspell-fa tesseract-ocr tesseract-ocr-fas util-linux argon2 openssl
  time bsdutils python3 iproute2 postgresql tor mat2
)

# Build directories share one ccache: hash sources, not the build path.
export CCACHE_NOHASHDIR=true
# Paths under the checkout are hashed relative to it, so a fresh clone in
# another folder (as CI makes) reuses the cache.
export CCACHE_BASEDIR="$SAFEHOUSE_ROOT"

log() { printf 'safehouse: %s\n' "$*" >&2; }

# install_packages PKG...: apt-get installs those not yet installed.
install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]}"
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  # Node.js: Debian's, unless one is already there.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if ! command -v node >/dev/null; then install_packages nodejs; fi
    if ! command -v npm >/dev/null; then install_packages npm; fi
  fi
}

# npm_install DIR: installs DIR's npm packages exactly as its lock file says.
npm_install() {
  local dir="$1"
  [[ -f "$dir/package-lock.json" ]] || return 0
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    log "npm ci in ${dir#"$SAFEHOUSE_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# build_preset NAME [TARGET...]: configures (once) and builds a CMake
# preset, or only the named targets of it.
build_preset() {
  local preset="$1"
  shift
  cd "$SAFEHOUSE_ROOT"
  if [[ ! -f "build/$preset/CMakeCache.txt" ]]; then
    cmake --preset "$preset" >/dev/null
  fi
  if (($# > 0)); then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}

# PostgreSQL for the tests: a throw-away cluster under its own directory,
# listening on 127.0.0.1 only, on a free port. initdb refuses to run as
# root, so as root the cluster belongs to the `postgres` user (which
# Debian's postgresql package creates). Trust authentication is for this
# loopback-only, throw-away cluster alone.

# pg_bin: the directory of the newest installed PostgreSQL's initdb/pg_ctl.
pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" ]] || { log "PostgreSQL is not installed (apt-get install postgresql)"; return 1; }
  printf '%s\n' "$dir"
}

# pg_as_owner CMD...: runs CMD as the cluster's owner (postgres when root).
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_test_cluster_start DIR: creates and starts a cluster in DIR/data and
# exports SAFEHOUSE_TEST_POSTGRES_URL (database "safehouse", user
# "safehouse"), SAFEHOUSE_TEST_POSTGRES_DATA and SAFEHOUSE_TEST_POSTGRES_BIN
# (the integration tests stop and restart the server with pg_ctl).
pg_test_cluster_start() {
  local dir="$1" bin port
  bin="$(pg_bin)" || return 1
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
  pg_as_owner "$bin/initdb" -D "$dir/data" -U safehouse -A trust -E UTF8 --no-instructions \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # Written into the cluster's config so that a restart needs no options.
  # Errors are logged without the statement or the row values (invariant 2).
  pg_as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
log_min_error_statement = panic
log_error_verbosity = terse
max_connections = 200
CONF
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; return 1; }
  pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U safehouse safehouse
  export SAFEHOUSE_TEST_POSTGRES_URL="postgresql://safehouse@127.0.0.1:$port/safehouse"
  export SAFEHOUSE_TEST_POSTGRES_DATA="$dir/data"
  export SAFEHOUSE_TEST_POSTGRES_BIN="$bin"
  log "PostgreSQL test cluster at $SAFEHOUSE_TEST_POSTGRES_URL"
}

# pg_test_cluster_stop DIR: stops the cluster (immediately) and removes DIR.
pg_test_cluster_stop() {
  local dir="$1" bin
  bin="$(pg_bin)" || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
