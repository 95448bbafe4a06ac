#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/tlog_extras_test.py: what issue 11 adds around the log of
# a real installation (docs/tlog.md): `safehouse serve` as a tlog-witness
# client of real `safehouse witness serve` processes on 127.0.0.1; the
# genuine onion addresses as a note signed with the log key, checked by
# Debian's Go x/mod sumdb/note (tests/tlog/note_verifier).
# Usage: tlog_extras_test.py SAFEHOUSE_BINARY CASE [GO_SOURCE WORK_DIR]
import base64
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import Installation, TestFailure, check, log  # noqa: E402
from tlog_serve_test import WitnessProcess, get, sign, write  # noqa: E402


def key_id(vkey):
    """The hex key ID of a verifier key name+hexid+base64."""
    return vkey.split("+")[1]


def signature_ids(note):
    """The (name, hex key ID) of every signature line of a note."""
    text, _, sigs = note.partition("\n\n")
    out = []
    for line in sigs.split("\n"):
        if not line:
            continue
        check(line.startswith("— "), "not a signature line: %r" % line)
        name, b64 = line[2:].split(" ")
        out.append((name, base64.b64decode(b64)[:4].hex()))
    return text, out


def add_witnesses(inst, witnesses):
    with open(os.path.join(inst.dir, "config.toml"), "a") as f:
        for name, port, vkey in witnesses:
            f.write('\n[[witness]]\nname = "%s"\nurl = "http://127.0.0.1:%d/"\nkey = "%s"\n'
                    % (name, port, vkey))


def wait_for_cosignatures(server, size, ids, timeout=60):
    """Polls /log/checkpoint until it is of `size` and carries exactly the
    cosignatures of key IDs `ids` (besides the log's own)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        status, _, body = get(server, "/log/checkpoint")
        check(status == 200, "GET /log/checkpoint: %d" % status)
        text, sigs = signature_ids(body.decode())
        last = (text, sigs)
        if text.split("\n")[1] == str(size) and set(i for _, i in sigs[1:]) == set(ids):
            return body.decode(), sigs
        time.sleep(0.3)
    raise TestFailure("checkpoint never got the cosignatures %r at size %d: %r" % (ids, size, last))


def witness_state(state_dir, origin):
    path = os.path.join(state_dir, "logs", hashlib.sha256(origin.encode()).hexdigest())
    return open(path).read() if os.path.exists(path) else ""


def case_witness_client(binary):
    with Installation(binary) as inst:
        vkey = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()
        name, hash8 = vkey.split("+")[0], vkey.split("+")[1]
        origin = "%s/%s/log" % (name, hash8)
        states = [os.path.join(inst.root, "w%d" % i) for i in range(3)]
        ws = []
        try:
            for state in states:
                ws.append(WitnessProcess(inst.binary, state, [(origin, vkey)]))
            good1, good2, liar = ws
            # A witness key that is not the liar's: that of a witness started
            # once and stopped.
            spare = WitnessProcess(inst.binary, os.path.join(inst.root, "spare"), [(origin, vkey)])
            spare_key = spare.key
            spare.stop()
            # gamma names a real, running witness but another key: whatever
            # it answers, its cosignature must be refused.
            add_witnesses(inst, [("alpha", good1.port, good1.key), ("beta", good2.port, good2.key),
                                 ("gamma", liar.port, spare_key)])
            server = inst.start()
            ids = {key_id(good1.key), key_id(good2.key)}
            # The empty checkpoint is cosigned first (size 0, no proof).
            wait_for_cosignatures(server, 0, ids)
            one = os.path.join(inst.root, "one.txt")
            write(one, b"one\n")
            sign(inst, one)
            wait_for_cosignatures(server, 1, ids)
            files = []
            for i in range(300):
                path = os.path.join(inst.root, "f%03d.txt" % i)
                write(path, b"file %d\n" % i)
                files.append(path)
            sign(inst, *files)
            # 1 -> 301 needs a real consistency proof, which each witness checks.
            note, sigs = wait_for_cosignatures(server, 301, ids)
            check(sigs[0][0] == name, "the log's own signature is not first: %r" % sigs)
            for state in states[:2]:
                check(witness_state(state, origin).split("\n")[1] == "301",
                      "a witness did not record size 301")
            # The liar was asked (it cosigned with its own key) but nothing of
            # it is served, and serve says why.
            check(witness_state(states[2], origin).split("\n")[1:2] in (["0"], ["1"], ["301"]),
                  "the wrongly keyed witness was never asked")
            check(key_id(liar.key) not in [i for _, i in sigs], "the liar's cosignature is served")
            check(key_id(spare_key) not in [i for _, i in sigs], "a cosignature under gamma's key?")
            server.stop()
            logs = server.logs().decode(errors="replace")
            check("witness gamma: " in logs and "refused" in logs,
                  "serve did not report the refused cosignature: " + logs[-2000:])
            check("witness alpha" not in logs and "witness beta" not in logs,
                  "serve reported a good witness as failing: " + logs[-2000:])

            # Kept in the database: a restarted server serves them at once.
            server = inst.start()
            status, _, body = get(server, "/log/checkpoint")
            text, sigs = signature_ids(body.decode())
            check(set(i for _, i in sigs[1:]) == ids, "cosignatures lost across a restart: %r" % sigs)
            server.stop()

            # The server forgets what alpha cosigned (as a second server that
            # never talked to it would): it sends old 0, alpha answers 409
            # with 301, and the retry from 301 with a proof succeeds.
            db = sqlite3.connect(os.path.join(inst.dir, "safehouse.sqlite3"))
            db.execute("DELETE FROM log_cosignatures")
            db.commit()
            db.close()
            two = os.path.join(inst.root, "two.txt")
            write(two, b"two\n")
            sign(inst, two)
            server = inst.start()
            wait_for_cosignatures(server, 302, ids)
            check(witness_state(states[0], origin).split("\n")[1] == "302", "alpha not at 302")
        finally:
            for w in ws:
                w.stop()


def go_build(source, work, name):
    """Builds a Go program against Debian's x/mod (GOPATH mode, offline)."""
    if shutil.which("go") is None:
        raise TestFailure("go is not installed (Debian golang-go)")
    if not os.path.isdir("/usr/share/gocode/src/golang.org/x/mod/sumdb/note"):
        raise TestFailure("golang.org/x/mod is not installed (Debian golang-golang-x-mod-dev)")
    os.makedirs(os.path.join(work, "gocache"), exist_ok=True)
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.join(work, "gocache"), GOPROXY="off", GOFLAGS="")
    out = os.path.join(work, name)
    subprocess.run(["go", "build", "-o", out, "."], cwd=source, env=env, check=True, timeout=600)
    return out


def case_onion(binary, source, work):
    verifier = go_build(source, work, "note_verifier")
    onions = ["%s.onion" % ("a" * 55 + "d"), "%s.onion" % ("b2" * 28)]
    with Installation(binary) as inst, Installation(binary) as stranger:
        vkey_file = os.path.join(inst.dir, "keys", "log.vkey")
        vkey = open(vkey_file).read().strip()
        server = inst.start()
        check(get(server, "/log/onion-addresses")[0] == 404, "onion note served without [onion]")
        status, _, body = get(server, "/en/")
        check(status == 200 and b"onion-addresses" not in body, "landing page names no addresses")
        server.stop()

        cfg = os.path.join(inst.dir, "config.toml")
        text = open(cfg).read()
        check("addresses = []" in text, "init wrote no [onion] addresses setting")
        write(cfg, text.replace("addresses = []", "addresses = [%s]" %
                                ", ".join('"%s"' % o for o in onions)).encode())
        server = inst.start()
        status, headers, body = get(server, "/log/onion-addresses")
        check(status == 200, "GET /log/onion-addresses: %d" % status)
        check(headers.get("content-type") == "text/plain; charset=utf-8", "type %r" % headers)
        note = body.decode()
        origin = "%s/%s/log" % (vkey.split("+")[0], vkey.split("+")[1])
        expected = "safehouse/onion-addresses/v1\nlog %s\n%s\n" % (
            origin, "\n".join("onion " + o for o in onions))
        check(note.startswith(expected + "\n— %s " % vkey.split("+")[0]), "note %r" % note)
        text, sigs = signature_ids(note)
        check(sigs == [(vkey.split("+")[0], key_id(vkey))], "signed by %r" % sigs)

        # Go's sumdb/note checks the signature with the published key...
        url = "http://127.0.0.1:%d/log/onion-addresses" % server.source_port
        proc = subprocess.run([verifier, url, vkey_file], capture_output=True, timeout=60)
        out = proc.stdout.decode() + proc.stderr.decode()
        check(proc.returncode == 0 and expected in out, "x/mod refused the onion note: " + out)
        # ...and refuses it under another installation's key.
        other = os.path.join(stranger.dir, "keys", "log.vkey")
        proc = subprocess.run([verifier, url, other], capture_output=True, timeout=60)
        check(proc.returncode != 0, "x/mod accepted the onion note under another key")

        # The landing page shows the addresses and the note, in both languages.
        for lang, heading in [("en", "Our addresses"), ("fa", "نشانی‌های ما")]:
            status, _, page = get(server, "/%s/" % lang)
            page = page.decode()
            check(status == 200 and heading in page, "%s landing page lacks the heading" % lang)
            for o in onions:
                check("<code>%s</code>" % o in page, "%s landing page lacks %s" % (lang, o))
            check('href="/log/onion-addresses"' in page, "%s page does not link the note" % lang)
            check(("onion %s" % onions[1]) in page and ("— " + vkey.split("+")[0]) in page,
                  "%s landing page does not show the signed note" % lang)


def main():
    binary, case = sys.argv[1], sys.argv[2]
    if case == "witness_client":
        case_witness_client(binary)
    elif case == "onion":
        case_onion(binary, sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown case " + case)
    log("PASS", case)


if __name__ == "__main__":
    try:
        main()
    except TestFailure as e:
        print("FAIL:", e, file=sys.stderr)
        sys.exit(1)
