#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/log_key_test.py: the organisation's log key is never in
# clear in the data directory, and `serve` hardens its process.
#   encrypted_at_rest  keys/log.key.age is an age scrypt file with no private
#                      key text in DIR; it opens (`safehouse decrypt`) only
#                      with the passphrase that `init --demo` wrote outside
#                      DIR, to the key published in keys/log.vkey; without
#                      that passphrase, serve refuses to start and says why;
#                      with it in $CREDENTIALS_DIRECTORY (systemd), it starts
#   core_dumps         a running serve has a core file size limit of 0
#                      (/proc/PID/limits) — and PR_SET_DUMPABLE 0, checked in
#                      tests/crypto/process_hardening_test.cpp
# Usage: log_key_test.py SAFEHOUSE_BINARY CASE
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safehouse_harness import Installation, check, log, run_cases, scan  # noqa: E402


def encrypted_at_rest(binary, keep):
    with Installation(binary, keep) as inst:
        key_file = os.path.join(inst.dir, "keys", "log.key.age")
        check(os.path.exists(key_file), "no keys/log.key.age")
        check(not os.path.exists(os.path.join(inst.dir, "keys", "log.key")), "a clear log.key")
        with open(key_file, "rb") as f:
            sealed = f.read()
        check(sealed.startswith(b"age-encryption.org/v1\n-> scrypt "),
              "log.key.age is not an age scrypt file: %r" % sealed[:40])
        hits = scan([inst.dir], ["PRIVATE+KEY+"])
        check(not hits, "private key text in DIR: %r" % hits[:2])
        passphrase_file = inst.dir.rstrip("/") + ".log-key-passphrase"
        check(os.path.exists(passphrase_file), "init --demo wrote no %s" % passphrase_file)
        with open(passphrase_file) as f:
            passphrase = f.read().strip()
        with open(os.path.join(inst.dir, "config.toml")) as f:
            check(passphrase_file in f.read(), "config.toml does not name the passphrase file")
        check(passphrase not in inst.init_output, "init --demo printed the log key passphrase")

        # Unreadable without the passphrase; readable with it, and it is the
        # published key.
        wrong = inst.cli(["decrypt", key_file], env={"SAFEHOUSE_PASSPHRASE": "not-it"},
                         check_rc=False)
        check(wrong.returncode != 0 and b"PRIVATE+KEY" not in wrong.stdout,
              "a wrong passphrase opened the log key")
        right = inst.cli(["decrypt", key_file], env={"SAFEHOUSE_PASSPHRASE": passphrase},
                         check_rc=False)
        check(right.returncode == 0, "the right passphrase failed: %r" % right.stderr[-200:])
        text = right.stdout.decode().strip()
        with open(os.path.join(inst.dir, "keys", "log.vkey")) as f:
            vkey = f.read().strip()
        name, key_hash = vkey.split("+")[0:2]
        check(text.startswith("PRIVATE+KEY+%s+%s+" % (name, key_hash)),
              "the decrypted key is not the published one")

        # serve needs the passphrase: without it, a clear refusal.
        moved = passphrase_file + ".away"
        shutil.move(passphrase_file, moved)
        env = {k: v for k, v in os.environ.items() if k not in ("SAFEHOUSE_PASSPHRASE",
                                                                "CREDENTIALS_DIRECTORY")}
        proc = subprocess.run([binary, "serve", "--data", inst.dir, "--source-listen",
                               "127.0.0.1:0", "--staff-listen", "127.0.0.1:0"],
                              stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=120)
        check(proc.returncode != 0, "serve started without the log key passphrase")
        check(b"passphrase" in proc.stderr, "serve's refusal does not say why: %r" %
              proc.stderr[-300:])
        # A systemd credential: config.toml names no file, $CREDENTIALS_DIRECTORY has it.
        config = os.path.join(inst.dir, "config.toml")
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write(text.replace(passphrase_file, ""))
        creds = os.path.join(inst.root, "credentials")
        os.makedirs(creds, mode=0o700)
        shutil.move(moved, os.path.join(creds, "safehouse-log-key"))
        os.environ["CREDENTIALS_DIRECTORY"] = creds
        try:
            server = inst.start("credential")
            check(server.alive(), "serve did not start with the credential")
            page = server.session().get("/en/")
            check(vkey.encode() in page.body, "the landing page lacks the verifier key")
        finally:
            del os.environ["CREDENTIALS_DIRECTORY"]
        log("log key: age scrypt at rest, opened only with its passphrase")


def core_dumps(binary, keep):
    with Installation(binary, keep) as inst:
        server = inst.start()
        with open("/proc/%d/limits" % server.proc.pid) as f:
            limits = f.read()
        line = [l for l in limits.splitlines() if l.startswith("Max core file size")]
        check(line and line[0].split()[4:6] == ["0", "0"],
              "serve may write core files: %r" % line)
        log("serve: core file size limit 0")


if __name__ == "__main__":
    sys.exit(run_cases({"encrypted_at_rest": encrypted_at_rest, "core_dumps": core_dumps},
                       sys.argv))
