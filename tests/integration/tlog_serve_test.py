#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/tlog_serve_test.py: the transparency log of a real
# installation (docs/tlog.md): `safehouse init` creates it, `safehouse serve`
# publishes it under /log/ as C2SP tlog-tiles, `safehouse statement sign`
# appends to it (while the server runs: the log is shared through the
# database), `safehouse statement check` verifies files against it, and the
# independent Go verifier (Debian's x/mod) checks it over HTTP.
# Usage: tlog_serve_test.py SAFEHOUSE_BINARY CASE [GO_VERIFIER_SOURCE WORK_DIR]
import http.client
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import Installation, TestFailure, check, log  # noqa: E402


def get(server, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.source_port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def checkpoint_lines(server):
    status, headers, body = get(server, "/log/checkpoint")
    check(status == 200, "GET /log/checkpoint: %d" % status)
    return body.decode().split("\n")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def sign(inst, *files, language="en"):
    return inst.cli(["statement", "sign", "--data", inst.dir, "--language", language] + list(files))


def check_file(inst, url, path, *extra):
    proc = inst.cli(["statement", "check", path, "--url", url] + list(extra), check_rc=False)
    return proc.returncode, proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")


def two_statements(inst):
    a = os.path.join(inst.root, "statement-en.txt")
    b = os.path.join(inst.root, "statement-fa.mp4")
    write(a, b"We never ask for your name.\n")
    write(b, os.urandom(300000))
    out = sign(inst, a)
    check("entry 0 " in out, "first statement is not entry 0: " + out)
    out = sign(inst, b, language="fa")
    check("entry 1 " in out, "second statement is not entry 1: " + out)
    return a, b


def case_routes(binary):
    with Installation(binary) as inst:
        server = inst.start()
        lines = checkpoint_lines(server)
        check(lines[1] == "0", "init did not create an empty log: %r" % lines[:3])
        check(re.fullmatch(r"[a-z0-9-]+/[0-9a-f]{8}/log", lines[0]), "origin %r" % lines[0])
        vkey = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()
        check(any(l.startswith("— " + vkey.split("+")[0] + " ") for l in lines),
              "the checkpoint is not signed with the log key's name")
        status, headers, _ = get(server, "/log/checkpoint")
        check(headers.get("content-type") == "text/plain; charset=utf-8", "checkpoint type %r" % headers)
        check(headers.get("cache-control") == "no-cache", "checkpoint caching %r" % headers)
        check(get(server, "/log/tile/entries/000.p/1")[0] == 404, "a tile of an empty log exists")

        # Signed while the server runs: the server serves what the CLI appended.
        files = []
        for i in range(300):
            path = os.path.join(inst.root, "s%03d.txt" % i)
            write(path, b"statement %d\n" % i)
            files.append(path)
        sign(inst, *files)
        lines = checkpoint_lines(server)
        check(lines[1] == "300", "checkpoint size after 300 statements: %r" % lines[1])
        for path, cache in [("/log/tile/0/000", "public, max-age=31536000, immutable"),
                            ("/log/tile/entries/000", "public, max-age=31536000, immutable"),
                            ("/log/tile/0/001.p/44", "no-cache"),
                            ("/log/tile/entries/001.p/44", "no-cache"),
                            ("/log/tile/1/000.p/1", "no-cache")]:
            status, headers, body = get(server, path)
            check(status == 200, "GET %s: %d" % (path, status))
            check(headers.get("content-type") == "application/octet-stream", "%s type %r" % (path, headers))
            check(headers.get("cache-control") == cache, "%s caching %r" % (path, headers.get("cache-control")))
        check(len(get(server, "/log/tile/0/000")[2]) == 256 * 32, "full level-0 tile size")
        status, _, body = get(server, "/log/tile/entries/001.p/44")
        check(b"safehouse/published-file/v1\nsha256 " in body, "entry bundle content")
        for path in ["/log/tile/0/002", "/log/tile/0/001", "/log/tile/2/000.p/1", "/log/tile/entries/001.p/45"]:
            check(get(server, path)[0] == 404, "GET %s is not 404" % path)
        for path in ["/log/tile/0/1", "/log/tile/0/000.p/0", "/log/tile/0/000.p/256",
                     "/log/tile/0/x000/001", "/log/tile/entries/000.p/", "/log/tile/../checkpoint"]:
            status = get(server, path)[0]
            check(status in (400, 404) if ".." in path else status == 400,
                  "GET %s: %d, not 400" % (path, status))
        # The landing page still shows the log key.
        status, _, body = get(server, "/en/")
        check(status == 200 and vkey.encode() in body, "landing page lost the log key")


def case_statements(binary):
    with Installation(binary) as inst, Installation(binary) as impostor:
        a, b = two_statements(inst)
        server = inst.start()
        url = "http://127.0.0.1:%d/log" % server.source_port
        vkey = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()

        rc, out = check_file(inst, url, a)
        check(rc == 0 and "OK: " in out and "entry 0 " in out, "genuine file refused: " + out)
        rc, out = check_file(inst, url, b, "--key", vkey)
        check(rc == 0 and "entry 1 " in out and ", fa, " in out, "genuine video refused: " + out)

        # A modified copy: not published, whether or not the .sig comes along.
        copy = os.path.join(inst.root, "copy.txt")
        write(copy, b"We never ask for your name!\n")
        rc, out = check_file(inst, url, copy, "--key", vkey)
        check(rc != 0 and "not published" in out, "modified copy (no .sig) accepted: " + out)
        rc, out = check_file(inst, url, copy, "--sig", a + ".sig")
        check(rc != 0 and "not published" in out, "modified copy (with .sig) accepted: " + out)

        # A forged .sig: the genuine note with its entry pointed elsewhere.
        note = open(a + ".sig").read()
        forged = os.path.join(inst.root, "forged.sig")
        write(forged, note.replace("\nindex 0\n", "\nindex 1\n").encode())
        rc, out = check_file(inst, url, a, "--sig", forged)
        check(rc != 0 and "bad signature" in out, "forged .sig accepted: " + out)
        # An impostor's own log key signs a .sig for its fake statement: the
        # organisation's key refuses it, and so does the organisation's log.
        fake = os.path.join(impostor.root, "fake.txt")
        write(fake, b"Send us your name.\n")
        sign(impostor, fake)
        rc, out = check_file(inst, url, fake, "--key", vkey)
        check(rc != 0 and "bad signature" in out, "impostor's .sig accepted: " + out)
        rc, out = check_file(inst, url, fake)
        check(rc != 0 and "bad signature" in out, "impostor's key accepted for the org's log: " + out)
        # A file signed but checked against the wrong log.
        rc, out = check_file(inst, "http://127.0.0.1:%d/nothing" % server.source_port, a)
        check(rc != 0, "check passed without a log: " + out)


def case_go_verifier(binary, source, work):
    if shutil.which("go") is None:
        raise TestFailure("go is not installed (Debian golang-go)")
    if not os.path.isdir("/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"):
        raise TestFailure("golang.org/x/mod is not installed (Debian golang-golang-x-mod-dev)")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "gocache"))
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.join(work, "gocache"), GOPROXY="off", GOFLAGS="")
    verifier = os.path.join(work, "go_verifier")
    subprocess.run(["go", "build", "-o", verifier, "."], cwd=source, env=env, check=True, timeout=600)
    with Installation(binary) as inst:
        server = inst.start()
        first = os.path.join(inst.root, "first.txt")
        write(first, b"first\n")
        sign(inst, first)
        old = os.path.join(work, "checkpoint.old")
        status, _, body = get(server, "/log/checkpoint")
        write(old, body)
        files = []
        for i in range(600):
            path = os.path.join(inst.root, "f%03d.txt" % i)
            write(path, b"file %d\n" % i)
            files.append(path)
        sign(inst, *files[:250])
        sign(inst, *files[250:], language="fa")
        proofs = "-"  # a served log has tiles, not proofs of ours: x/mod makes its own
        vkey = os.path.join(inst.dir, "keys", "log.vkey")
        url = "http://127.0.0.1:%d/log" % server.source_port
        proc = subprocess.run([verifier, url, vkey, old, proofs], capture_output=True, timeout=300)
        out = proc.stdout.decode() + proc.stderr.decode()
        log(out)
        check(proc.returncode == 0, "the Go verifier refused the served log: " + out)
        check("size 601 signature ok" in out and "entries checked against the tree: 601" in out,
              "the Go verifier did not check all 601 entries: " + out)
        # The verifier is not vacuous: another key's checkpoint is refused.
        other = os.path.join(work, "other.vkey")
        with Installation(binary) as stranger:
            shutil.copy(os.path.join(stranger.dir, "keys", "log.vkey"), other)
        proc = subprocess.run([verifier, url, other, old, proofs], capture_output=True, timeout=300)
        check(proc.returncode != 0, "the Go verifier accepted a checkpoint under another key")


def case_two_servers(binary):
    """Two servers on one PostgreSQL database serve one log; statement sign
    runs from both data directories at once and neither forks the log nor
    leaves a gap."""
    from postgres_test import Cluster, PostgresInstallation
    with Cluster() as cluster, PostgresInstallation(binary, cluster, False) as inst:
        second = inst.join("data2")
        a = inst.serve(inst.dir, "a")
        b = inst.serve(second, "b")
        batches = []
        for n in range(6):
            files = []
            for i in range(20):
                path = os.path.join(inst.root, "b%d-%02d.txt" % (n, i))
                write(path, b"batch %d file %d\n" % (n, i))
                files.append(path)
            batches.append(files)
        procs = [subprocess.Popen([inst.binary, "statement", "sign", "--data",
                                   inst.dir if n % 2 == 0 else second] + files,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for n, files in enumerate(batches)]
        firsts = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            check(proc.returncode == 0, "statement sign failed: " + err.decode(errors="replace"))
            firsts.append(int(re.search(r": entry (\d+) ", out.decode()).group(1)))
        check(sorted(firsts) == [0, 20, 40, 60, 80, 100], "batches overlap or leave gaps: %r" % firsts)
        check(checkpoint_lines(a) == checkpoint_lines(b), "the two servers serve different checkpoints")
        check(checkpoint_lines(b)[1] == "120", "checkpoint size %r" % checkpoint_lines(b)[1])
        url = "http://127.0.0.1:%d/log" % b.source_port
        for files in batches:
            rc, out = check_file(inst, url, files[-1])
            check(rc == 0, "a file signed via the other server is not in the log: " + out)


class WitnessProcess:
    """`safehouse witness serve` on a free port; its first line names it."""

    def __init__(self, binary, state, logs):
        args = [binary, "witness", "serve", "--state", state, "--listen", "127.0.0.1:0"]
        for origin, vkey in logs:
            args += ["--log", "%s=%s" % (origin, vkey)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The server logs its listener first; then "Witness <key>" and the URL.
        self.key, port = None, None
        for _ in range(10):
            line = self.proc.stdout.readline().decode()
            if line.startswith("Witness "):
                self.key = line.split()[1]
                port = re.search(r":(\d+)/add-checkpoint", self.proc.stdout.readline().decode())
                break
        if self.key is None or port is None:
            self.stop()
            raise TestFailure("witness did not start: " + self.proc.stderr.read().decode())
        self.port = int(port.group(1))

    def add(self, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", "/add-checkpoint", body=body.encode("utf-8"))
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type"), resp.read().decode()
        finally:
            conn.close()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def case_witness(binary):
    import base64
    import hashlib
    with Installation(binary) as inst, Installation(binary) as impostor:
        server = inst.start()
        origin = checkpoint_lines(server)[0]
        vkey = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()
        other_vkey = open(os.path.join(impostor.dir, "keys", "log.vkey")).read().strip()
        first = os.path.join(inst.root, "one.txt")
        write(first, b"one\n")
        sign(inst, first)
        cp1 = get(server, "/log/checkpoint")[2].decode()
        fake = os.path.join(impostor.root, "fake.txt")
        write(fake, b"fake\n")
        sign(impostor, fake)
        impostor_server = impostor.start()
        impostor_origin = checkpoint_lines(impostor_server)[0]
        impostor_cp = get(impostor_server, "/log/checkpoint")[2].decode()
        state = os.path.join(inst.root, "witness-state")
        # The witness trusts the org's key for the org's origin, and (to
        # see a 403) the org's key for the impostor's origin as well.
        w = WitnessProcess(inst.binary, state, [(origin, vkey), (impostor_origin, vkey)])
        try:
            status, ctype, body = w.add("old 0\n\n" + cp1)
            check(status == 200, "first add-checkpoint: %d %s" % (status, body))
            name = w.key.split("+")[0]
            check(body.startswith("— %s " % name), "not a cosignature line: %r" % body)
            status, ctype, body = w.add("old 0\n\n" + cp1)
            check(status == 409 and ctype == "text/x.tlog.size" and body == "1\n",
                  "stale old size: %d %r %r" % (status, ctype, body))
            check(w.add("old 0\n\n" + impostor_cp)[0] == 403, "a checkpoint under another key was cosigned")
            check(w.add("old 0\n\n" + cp1.replace(origin, origin + "x"))[0] == 404, "unknown origin")
            check(w.add("old zero\n\n" + cp1)[0] == 400, "malformed body")
            # Size 1 → 2 with the right consistency proof, and with a wrong one.
            second = os.path.join(inst.root, "two.txt")
            write(second, b"two\n")
            sign(inst, second)
            cp2 = get(server, "/log/checkpoint")[2].decode()
            bundle = get(server, "/log/tile/entries/000.p/2")[2]
            n = int.from_bytes(bundle[0:2], "big")
            entry1 = bundle[2 + n + 2:]
            proof = base64.b64encode(hashlib.sha256(b"\x00" + entry1).digest()).decode()
            wrong = base64.b64encode(hashlib.sha256(b"\x00" + entry1 + b"x").digest()).decode()
            status, _, body = w.add("old 1\n%s\n\n%s" % (wrong, cp2))
            check(status == 422, "a wrong consistency proof: %d %s" % (status, body))
            status, _, body = w.add("old 1\n%s\n\n%s" % (proof, cp2))
            check(status == 200, "a right consistency proof: %d %s" % (status, body))
        finally:
            w.stop()
        # The state survives a restart: old 1 is now stale.
        w = WitnessProcess(inst.binary, state, [(origin, vkey)])
        try:
            status, _, body = w.add("old 1\n%s\n\n%s" % (proof, cp2))
            check(status == 409 and body == "2\n", "state lost across a restart: %d %r" % (status, body))
        finally:
            w.stop()
        impostor_server.stop()


def main():
    binary, case = sys.argv[1], sys.argv[2]
    if case == "routes":
        case_routes(binary)
    elif case == "statements":
        case_statements(binary)
    elif case == "two_servers":
        case_two_servers(binary)
    elif case == "witness":
        case_witness(binary)
    elif case == "go_verifier":
        case_go_verifier(binary, sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown case " + case)
    log("PASS", case)


if __name__ == "__main__":
    try:
        main()
    except TestFailure as e:
        print("FAIL:", e, file=sys.stderr)
        sys.exit(1)
