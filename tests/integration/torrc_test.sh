#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/torrc_test.sh: `safehouse torrc` prints both onion
# services with the configured listen addresses, in tor's directory and never
# under DATA (a --tor-dir inside DATA is refused), with tor's own defences
# for the source service, which Debian's tor accepts (`tor --verify-config`
# with a throw-away DataDirectory; a missing tor is a failure); writes the
# staff service's client key (0700 directories, a valid base32 x25519 public
# key), prints the matching private key once, keeps the key on a second run
# and replaces it with --new-client-key.
# Usage: torrc_test.sh SAFEHOUSE_BINARY
set -euo pipefail
bin=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v tor >/dev/null || fail "tor is not installed (scripts/lib.sh test packages)"
"$bin" init --data "$root/d" >/dev/null
# The onion keys never go under DATA, even when asked to.
if "$bin" torrc --data "$root/d" --tor-dir "$root/d/tor" >/dev/null 2>&1; then
  fail "torrc accepted a --tor-dir inside the data directory"
fi
# The default is tor's own directory.
"$bin" torrc --help | grep -q '/var/lib/tor' || fail "the default tor directory is not /var/lib/tor"
mkdir -m 700 "$root/tor"
out=$("$bin" torrc --data "$root/d" --tor-dir "$root/tor")
dir=$(cd "$root/tor" && pwd)
grep -qx "HiddenServiceDir $dir/safehouse-source" <<<"$out" || fail "no source HiddenServiceDir"
grep -qx "HiddenServiceDir $dir/safehouse-staff" <<<"$out" || fail "no staff HiddenServiceDir"
grep -qx "HiddenServicePort 80 127.0.0.1:8080" <<<"$out" || fail "no source port line"
grep -qx "HiddenServicePort 80 127.0.0.1:8081" <<<"$out" || fail "no staff port line"
# No onion folder (nor anything tor-related) under DATA.
found=$(find "$root/d" -name 'hostname' -o -name 'hs_ed25519_*' -o -name authorized_clients \
  -o -name 'tor' -o -name 'safehouse-s*')
[[ -z $found ]] || fail "onion folders under DATA: $found"
# tor's defences come with the source service (before the staff service).
source_part=${out%%HiddenServiceDir $dir/safehouse-staff*}
for line in "HiddenServicePoWDefensesEnabled 1" "HiddenServiceEnableIntroDoSDefense 1" \
  "HiddenServiceMaxStreamsCloseCircuit 1"; do
  grep -qx "$line" <<<"$source_part" || fail "no '$line' for the source service"
done
grep -qE '^HiddenServiceMaxStreams [1-9][0-9]*$' <<<"$source_part" || fail "no stream limit"
# Every option line has a comment saying what it does, somewhere above it.
grep -qi 'proof of work' <<<"$out" || fail "the PoW defence is not explained"
# Debian's tor accepts the lines: checked, not guessed.
mkdir -m 700 "$root/tordata"
{ echo "DataDirectory $root/tordata"; echo "SocksPort 0"; grep -v '^<onion-address>' <<<"$out"; } \
  >"$root/torrc"
tor --verify-config -f "$root/torrc" >"$root/tor.log" 2>&1 ||
  fail "tor --verify-config refused the lines: $(tail -3 "$root/tor.log")"
grep -q "Configuration was valid" "$root/tor.log" || fail "tor did not say the configuration is valid"
# And the check can fail: a misspelt option is refused.
sed 's/^HiddenServiceMaxStreams /HiddenServiceMaxStreamz /' "$root/torrc" >"$root/bad-torrc"
if tor --verify-config -f "$root/bad-torrc" >/dev/null 2>&1; then
  fail "tor --verify-config accepted a misspelt option"
fi
auth="$dir/safehouse-staff/authorized_clients/reviewer.auth"
[[ -f $auth ]] || fail "no reviewer.auth"
for d in safehouse-source safehouse-staff safehouse-staff/authorized_clients; do
  [[ $(stat -c %a "$dir/$d") == 700 ]] || fail "$d is not mode 0700"
done
grep -Eqx 'descriptor:x25519:[A-Z2-7]{52}' "$auth" || fail "reviewer.auth malformed: $(cat "$auth")"
client=$(grep -E '^<onion-address>:descriptor:x25519:[A-Z2-7]{52}$' <<<"$out") ||
  fail "no client-side line"
# The private key printed matches the public key stored (X25519 base point).
python3 - "$client" "$(cat "$auth")" <<'PY' || fail "client private key does not match reviewer.auth"
import base64, sys
def b32(s): return base64.b32decode(s + "=" * (-len(s) % 8))
priv = b32(sys.argv[1].rsplit(":", 1)[1]); pub = b32(sys.argv[2].rsplit(":", 1)[1])
# RFC 7748 X25519 in pure Python.
p = 2**255 - 19
def x25519(k, u):
    k = bytearray(k); k[0] &= 248; k[31] &= 127; k[31] |= 64
    k = int.from_bytes(k, "little"); x1 = u; x2, z2, x3, z3 = 1, 0, u, 1; swap = 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1; swap ^= kt
        if swap: x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        A = x2 + z2; AA = A * A; B = x2 - z2; BB = B * B; E = AA - BB
        C = x3 + z3; D = x3 - z3; DA = D * A; CB = C * B
        x3 = (DA + CB) ** 2 % p; z3 = x1 * (DA - CB) ** 2 % p
        x2 = AA * BB % p; z2 = E * (AA + 121665 * E) % p
    if swap: x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")
sys.exit(0 if x25519(priv, 9) == pub else 1)
PY
# The private key is not kept anywhere in DIR.
key=${client##*:}
if grep -rqF "$key" "$root/d" "$root/tor"; then fail "the client private key is stored"; fi
# A second run keeps the key and prints no private key; --new-client-key replaces it.
before=$(cat "$auth")
again=$("$bin" torrc --data "$root/d" --tor-dir "$root/tor")
[[ $(cat "$auth") == "$before" ]] || fail "second run replaced the key"
grep -q 'descriptor:x25519:' <<<"$again" && fail "second run printed a private key"
"$bin" torrc --data "$root/d" --tor-dir "$root/tor" --new-client-key >/dev/null
[[ $(cat "$auth") != "$before" ]] || fail "--new-client-key kept the old key"
echo "PASS torrc"
