#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/age_cli_test.sh: the `safehouse` age subcommands against
# Debian's age 1.1.1 CLI, in both directions. Usage:
#   age_cli_test.sh SAFEHOUSE_BINARY CASE
# CASE is one of the functions named case_* below; each is its own ctest.
# `age -p` reads passphrases only from a terminal, so those runs go through
# util-linux `script`, which gives the child a pseudo-terminal fed from our stdin.
set -euo pipefail

SAFEHOUSE="$1"
CASE="$2"
# Tests choose when a passphrase comes from the environment.
unset SAFEHOUSE_PASSPHRASE
export LC_ALL=C
WORK="$(mktemp -d "${TMPDIR:-/tmp}/safehouse-age-cli.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Around the payload's 64 KiB chunks, the CLI's 1 MiB read window and
# smallest mapped file, and its 8 MiB mapped spans.
SIZES=(0 1 65535 65536 65537 131073 1048575 1048576 1048577 3145728 9437185)

fail() {
  printf 'FAIL [%s]: %s\n' "$CASE" "$*" >&2
  exit 1
}

# expect_error STDERR_FILE PATTERN: the command failed with one
# "safehouse: error: ..." line matching PATTERN (an extended regex).
expect_error() {
  local lines
  lines="$(wc -l <"$1")"
  [[ "$lines" -eq 1 ]] || fail "expected one stderr line, got $lines: $(cat "$1")"
  grep -Eq "^safehouse: error: .*($2)" "$1" || fail "stderr '$(cat "$1")' does not match '$2'"
}

# no_leftovers NAME: neither NAME nor any NAME.tmp-* exists.
no_leftovers() {
  [[ ! -e "$1" ]] || fail "$1 was left behind"
  if compgen -G "$1.tmp-*" >/dev/null; then fail "temporary file $1.tmp-* left behind"; fi
}

make_input() { head -c "$1" /dev/urandom >"in.$1"; }

# Three identities from each tool; recipients are read from the key files.
make_keys() {
  local i
  for i in 1 2 3; do
    "$SAFEHOUSE" keygen -o "s$i.key" 2>/dev/null
    age-keygen -o "a$i.key" 2>/dev/null
  done
}
pub() { sed -n 's/^# public key: //p' "$1"; }

# age with a terminal: script(1) runs it on a pty and feeds it our stdin.
age_tty() { script -q -e -c "$*" /dev/null >/dev/null; }

# no_temp NAME: no NAME.tmp-* exists.
no_temp() {
  if compgen -G "$1.tmp-*" >/dev/null; then fail "temporary file $1.tmp-* left behind"; fi
}

# -------------------------------------------------------------------- cases

case_keygen() {
  "$SAFEHOUSE" keygen -o s.key 2>stderr
  grep -Eq '^Public key: age1[0-9a-z]{58}$' stderr || fail "no public key on stderr: $(cat stderr)"
  [[ "$(stat -c %a s.key)" == 600 ]] || fail "identity file mode is $(stat -c %a s.key)"
  [[ "$(wc -l <s.key)" -eq 2 ]] || fail "identity file is not two lines"
  grep -Eq '^# public key: age1[0-9a-z]{58}$' s.key || fail "no public key comment"
  grep -Eq '^AGE-SECRET-KEY-1[0-9A-Z]{58}$' s.key || fail "no secret key line"
  ! grep -q created s.key || fail "identity file holds a creation date"
  [[ "$(pub s.key)" == "$(sed -n 's/^Public key: //p' stderr)" ]] || fail "stderr key differs"
  # Never overwrites an identity.
  cp s.key before
  if "$SAFEHOUSE" keygen -o s.key 2>stderr; then fail "keygen overwrote s.key"; fi
  expect_error stderr 'already exists'
  cmp -s s.key before || fail "s.key changed"
  no_temp s.key
  # To stdout.
  "$SAFEHOUSE" keygen >out.key 2>/dev/null
  grep -q '^AGE-SECRET-KEY-1' out.key || fail "keygen to stdout"

  # A safehouse identity works with age, an age-keygen identity with safehouse.
  age-keygen -o a.key 2>/dev/null
  echo "across tools" >msg
  age -r "$(pub s.key)" -o m1.age msg
  "$SAFEHOUSE" decrypt -i s.key -o m1.out m1.age
  cmp -s msg m1.out || fail "safehouse cannot decrypt to its own key via age"
  "$SAFEHOUSE" encrypt -r "$(pub s.key)" -o m2.age msg
  age -d -i s.key -o m2.out m2.age
  cmp -s msg m2.out || fail "age cannot use a safehouse identity file"
  "$SAFEHOUSE" encrypt -r "$(pub a.key)" -o m3.age msg
  "$SAFEHOUSE" decrypt -i a.key -o m3.out m3.age
  cmp -s msg m3.out || fail "safehouse cannot use an age-keygen identity file (with created line)"
  # Recipients files: age-keygen's public key printed by age-keygen -y.
  age-keygen -y a.key >a.pub
  "$SAFEHOUSE" encrypt -R a.pub -o m4.age msg
  age -d -i a.key -o m4.out m4.age
  cmp -s msg m4.out || fail "recipients file"
}

# roundtrip ARMOR_FLAG NRECIPIENTS: every size, both directions. With one
# recipient, safehouse runs on one CPU (taskset), so it seals on one thread.
roundtrip() {
  local armor="$1" n="$2" size i
  local pin=()
  if ((n == 1)); then pin=(taskset -c 0); fi
  local s_args=() a_args=() s_ids=() a_ids=()
  make_keys
  for ((i = 1; i <= n; i++)); do
    s_args+=(-r "$(pub "a$i.key")")
    a_args+=(-r "$(pub "s$i.key")")
  done
  # Decrypt with the last key only: every stanza must be handled, not just the first.
  a_ids=(-i "a$n.key")
  s_ids=(-i "s$n.key")
  for size in "${SIZES[@]}"; do
    make_input "$size"
    # safehouse encrypts, age decrypts.
    "${pin[@]}" "$SAFEHOUSE" encrypt $armor "${s_args[@]}" -o "s.$size.age" "in.$size"
    if [[ -n "$armor" ]]; then
      head -1 "s.$size.age" | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----' ||
        fail "size $size: safehouse output is not armored"
    fi
    # (to stdout: age creates -o files lazily, so not at all for size 0)
    age -d "${a_ids[@]}" "s.$size.age" >"s.$size.out" ||
      fail "size $size, $n recipients: age cannot decrypt safehouse's file"
    cmp -s "in.$size" "s.$size.out" || fail "size $size: age decrypted other bytes"
    # age encrypts, safehouse decrypts.
    age $armor "${a_args[@]}" -o "a.$size.age" "in.$size"
    "$SAFEHOUSE" decrypt "${s_ids[@]}" -o "a.$size.out" "a.$size.age" ||
      fail "size $size, $n recipients: safehouse cannot decrypt age's file"
    cmp -s "in.$size" "a.$size.out" || fail "size $size: safehouse decrypted other bytes"
    # Same size of ciphertext as age (same header shape, same chunking).
    [[ "$(stat -c %s "s.$size.age")" -eq "$(stat -c %s "a.$size.age")" ]] ||
      fail "size $size: ciphertext sizes differ from age's"
    rm -f "s.$size.age" "a.$size.age" "s.$size.out" "a.$size.out"
  done
}

case_binary_1() { roundtrip "" 1; }
case_binary_3() { roundtrip "" 3; }
case_armor_1() { roundtrip -a 1; }
case_armor_3() { roundtrip -a 3; }

case_stdio() {
  make_keys
  make_input 65537
  "$SAFEHOUSE" encrypt -r "$(pub a1.key)" <in.65537 >s.age
  age -d -i a1.key <s.age >s.out
  cmp -s in.65537 s.out || fail "stdin/stdout encrypt"
  age -r "$(pub s1.key)" <in.65537 | "$SAFEHOUSE" decrypt -i s1.key >a.out
  cmp -s in.65537 a.out || fail "stdin/stdout decrypt"
  age -a -r "$(pub s1.key)" <in.65537 | "$SAFEHOUSE" decrypt -i s1.key - -o - >a2.out
  cmp -s in.65537 a2.out || fail "armored stdin with '-'"
  # A device is written in place (never replaced); a symbolic link's target
  # is replaced, the link stays.
  "$SAFEHOUSE" encrypt -r "$(pub a1.key)" -o /dev/null in.65537
  [[ -c /dev/null ]] || fail "/dev/null is no longer a device"
  echo old >target
  ln -s target link
  "$SAFEHOUSE" encrypt -r "$(pub a1.key)" -o link in.65537
  [[ -L link ]] || fail "the link was replaced"
  age -d -i a1.key target | cmp -s in.65537 - || fail "the link's target was not written"
  # Binary ciphertext is never written to a terminal; armored is.
  if script -q -e -c "'$SAFEHOUSE' encrypt -r $(pub a1.key) in.65537" /dev/null </dev/null >tty.out 2>&1; then
    fail "binary ciphertext written to a terminal"
  fi
  grep -q 'safehouse: error: refusing to write binary ciphertext to a terminal' tty.out ||
    fail "no refusal message: $(cat tty.out)"
  script -q -e -c "'$SAFEHOUSE' encrypt -a -r $(pub a1.key) in.65537" /dev/null </dev/null >tty.out ||
    fail "armored output to a terminal refused"
  grep -q 'BEGIN AGE ENCRYPTED FILE' tty.out || fail "no armor on the terminal"
}

# Two cases of about four scrypt runs each, so that ctest -j2 overlaps them.
case_passphrase_to_age() {
  make_input 1
  make_input 65537
  # safehouse -p (from the environment) -> age -d (terminal).
  SAFEHOUSE_PASSPHRASE='correct horse' "$SAFEHOUSE" encrypt -p -o s.age in.65537
  printf 'correct horse\n' | age_tty age -d -o s.out s.age || fail "age cannot decrypt safehouse -p"
  cmp -s in.65537 s.out || fail "age decrypted other bytes"
  # Armored too.
  SAFEHOUSE_PASSPHRASE='correct horse' "$SAFEHOUSE" encrypt -p -a -o s.asc in.1 2>/dev/null
  printf 'correct horse\n' | age_tty age -d -o s1.out s.asc || fail "age: armored passphrase file"
  cmp -s in.1 s1.out || fail "armored passphrase file decrypted to other bytes"
  # safehouse's own terminal prompt: the confirmation must match.
  printf 'one\ntwo\n' | script -q -e -c "'$SAFEHOUSE' encrypt -p -o t.age in.1" /dev/null \
    >tty.log && fail "mismatched confirmation accepted"
  grep -q 'safehouse: error: passphrase: the two entries differ' tty.log || fail "$(cat tty.log)"
  no_leftovers t.age
  # A passphrase cannot be combined with recipients.
  make_keys
  if SAFEHOUSE_PASSPHRASE=x "$SAFEHOUSE" encrypt -p -r "$(pub a1.key)" in.1 >/dev/null 2>stderr
  then fail "-p with -r accepted"; fi
  expect_error stderr "can't be combined"
}

case_passphrase_from_age() {
  make_input 65537
  # age -p (terminal) -> safehouse decrypt (from the environment).
  printf 'battery staple\nbattery staple\n' | age_tty age -p -o a.age in.65537
  grep -q '^-> scrypt ' a.age || fail "age did not write an scrypt stanza"
  SAFEHOUSE_PASSPHRASE='battery staple' "$SAFEHOUSE" decrypt -o a.out a.age
  cmp -s in.65537 a.out || fail "safehouse decrypted other bytes"
  # safehouse's own terminal prompt, through a pty.
  printf 'battery staple\n' | script -q -e -c "'$SAFEHOUSE' decrypt -o t.out a.age" /dev/null \
    >tty.log || fail "safehouse cannot read the passphrase from the terminal: $(cat tty.log)"
  grep -q 'Enter passphrase' tty.log || fail "no prompt on the terminal"
  cmp -s in.65537 t.out || fail "terminal passphrase decrypted other bytes"
  # Wrong passphrase: exit 1, one line, no file.
  if SAFEHOUSE_PASSPHRASE='wrong' "$SAFEHOUSE" decrypt -o w.out a.age 2>stderr; then
    fail "wrong passphrase accepted"
  fi
  expect_error stderr 'incorrect passphrase'
  no_leftovers w.out
  # An identity file given for a passphrase file: say so.
  make_keys
  if "$SAFEHOUSE" decrypt -i s1.key -o w.out a.age 2>stderr; then fail "-i on a passphrase file"; fi
  expect_error stderr 'passphrase-encrypted: decrypt it without -i'
  no_leftovers w.out
  # Without a terminal and without the variable: a clear error, no hang.
  if setsid -w "$SAFEHOUSE" decrypt -o n.out a.age </dev/null 2>stderr; then fail "no passphrase"; fi
  expect_error stderr 'SAFEHOUSE_PASSPHRASE'
}

case_rewrap() {
  make_keys
  make_input 131073
  age -r "$(pub s1.key)" -o orig.age in.131073
  "$SAFEHOUSE" rewrap -i s1.key -r "$(pub a2.key)" -o new.age orig.age
  age -d -i a2.key -o new.out new.age || fail "age cannot decrypt for the new recipient"
  cmp -s in.131073 new.out || fail "rewrapped file decrypts to other bytes"
  "$SAFEHOUSE" decrypt -i s1.key -o old.out new.age
  cmp -s in.131073 old.out || fail "old recipient lost access"
  # The payload is copied untouched: the files end with the same bytes.
  cmp -s <(tail -c 131089 orig.age) <(tail -c 131089 new.age) || fail "payload changed"
  # Armored in, armored out; stdin to stdout.
  age -a -r "$(pub s1.key)" in.131073 | "$SAFEHOUSE" rewrap -i s1.key -r "$(pub a3.key)" >new.asc
  head -1 new.asc | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----' || fail "output not armored"
  age -d -i a3.key -o new2.out new.asc
  cmp -s in.131073 new2.out || fail "armored rewrap"
  # Wrong identity: nothing written.
  if "$SAFEHOUSE" rewrap -i s2.key -r "$(pub a2.key)" -o bad.age orig.age 2>stderr; then
    fail "rewrap with a wrong identity succeeded"
  fi
  expect_error stderr 'no identity'
  no_leftovers bad.age
}

case_errors() {
  make_keys
  make_input 1
  make_input 3145728
  age -r "$(pub s1.key)" -o good.age in.3145728
  # Wrong key.
  if "$SAFEHOUSE" decrypt -i s2.key -o out good.age 2>stderr; then fail "wrong key accepted"; fi
  expect_error stderr 'no identity'
  no_leftovers out
  # A failed decrypt leaves an existing output untouched.
  echo keep >kept
  if "$SAFEHOUSE" decrypt -i s2.key -o kept good.age 2>/dev/null; then fail "wrong key"; fi
  [[ "$(cat kept)" == keep ]] || fail "existing output replaced on failure"
  no_temp kept
  # Corrupted last chunk of 3 MiB: plaintext of earlier chunks was produced,
  # yet no file may appear.
  cp good.age bad.age
  local size
  size="$(stat -c %s bad.age)"
  # Flip every bit of the byte (writing a fixed value would be no change when
  # the ciphertext already held it: one run in 256).
  local byte
  byte="$(od -An -tu1 -j $((size - 10)) -N1 bad.age | tr -d ' ')"
  printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of=bad.age bs=1 seek=$((size - 10)) conv=notrunc status=none
  if cmp -s good.age bad.age; then fail "the corruption changed nothing"; fi
  if "$SAFEHOUSE" decrypt -i s1.key -o out bad.age 2>stderr; then fail "corruption accepted"; fi
  expect_error stderr 'payload'
  no_leftovers out
  # Corrupted header MAC.
  cp good.age mac.age
  local mac first other
  mac="$(grep -a -m1 '^--- ' mac.age)"
  first="${mac:4:1}"
  other=A
  [[ "$first" == A ]] && other=B
  # '|' as delimiter: base64 has '/' and '+' (literal in a basic regex) but no '|'.
  sed -i "0,/^--- /s|^--- $first|--- $other|" mac.age
  if "$SAFEHOUSE" decrypt -i s1.key -o out mac.age 2>stderr; then fail "bad MAC accepted"; fi
  expect_error stderr 'header'
  no_leftovers out
  # Non-canonical stanza body (a trailing bit set) and a bad version line.
  { echo 'age-encryption.org/v1'; echo '-> X25519 AAAA'; echo 'AAB'; echo '--- AAAA'; } >nc.age
  if "$SAFEHOUSE" decrypt -i s1.key -o out nc.age 2>stderr; then fail "bad header accepted"; fi
  expect_error stderr 'header'
  printf 'not an age file\n' >junk.age
  if "$SAFEHOUSE" decrypt -i s1.key -o out junk.age 2>stderr; then fail "junk accepted"; fi
  expect_error stderr 'header'
  no_leftovers out
  # Truncated: the final chunk is missing, or cut inside a chunk.
  head -c $((size - 65552 * 2)) good.age >trunc.age
  if "$SAFEHOUSE" decrypt -i s1.key -o out trunc.age 2>stderr; then fail "truncation accepted"; fi
  expect_error stderr 'payload'
  no_leftovers out
  head -c $((size - 100)) good.age >trunc2.age
  if "$SAFEHOUSE" decrypt -i s1.key -o out trunc2.age 2>stderr; then fail "truncation accepted"; fi
  expect_error stderr 'payload'
  no_leftovers out
  # Truncated armor.
  age -a -r "$(pub s1.key)" -o good.asc in.1
  head -n 3 good.asc >trunc.asc
  if "$SAFEHOUSE" decrypt -i s1.key -o out trunc.asc 2>stderr; then fail "cut armor accepted"; fi
  expect_error stderr 'armor|header|payload'
  no_leftovers out
  # Interrupted (SIGTERM) while the input stalls: the temporary file goes too.
  mkfifo stall
  "$SAFEHOUSE" decrypt -i s1.key -o out stall 2>/dev/null &
  local pid=$!
  exec 3>stall
  head -c 100000 good.age >&3
  local tries
  for ((tries = 0; tries < 50; tries++)); do
    compgen -G "out.tmp-*" >/dev/null && break
    sleep 0.1
  done
  compgen -G "out.tmp-*" >/dev/null || fail "no temporary file while decrypting"
  kill -TERM "$pid"
  wait "$pid" && fail "decrypt survived SIGTERM"
  exec 3>&-
  no_leftovers out
  # Missing and unusable key files, bad recipients.
  if "$SAFEHOUSE" decrypt -i missing.key good.age >/dev/null 2>stderr; then fail "no key"; fi
  expect_error stderr 'missing.key'
  echo 'AGE-SECRET-KEY-1NOTAKEY' >bad.key
  if "$SAFEHOUSE" decrypt -i bad.key -o out good.age 2>stderr; then fail "bad key file"; fi
  expect_error stderr 'bad.key'
  grep -q NOTAKEY stderr && fail "error message repeats key material"
  if "$SAFEHOUSE" encrypt -r age1bogus -o out in.3145728 2>stderr; then fail "bad -r"; fi
  expect_error stderr 'recipient'
  no_leftovers out
  # Usage errors: the same one-line shape and exit status 1.
  set +e
  "$SAFEHOUSE" encrypt --bogus in.1 >/dev/null 2>stderr
  local status=$?
  set -e
  [[ $status -eq 1 ]] || fail "usage error exit status $status"
  expect_error stderr 'bogus'
  if "$SAFEHOUSE" rewrap -i s1.key good.age >/dev/null 2>stderr; then fail "rewrap without -r"; fi
  expect_error stderr 'recipient'
  # The input is never confused with a second -r value.
  "$SAFEHOUSE" encrypt -r "$(pub a1.key)" -r "$(pub a2.key)" in.3145728 -o two.age
  age -d -i a2.key two.age | cmp -s in.3145728 - || fail "two -r then input"
}

declare -F "case_$CASE" >/dev/null || fail "no such case"
"case_$CASE"
echo "ok [$CASE]"
