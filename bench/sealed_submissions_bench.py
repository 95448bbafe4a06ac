#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/sealed_submissions_bench.py: the JavaScript path's pre-encrypted
# submissions (issue 12: goal >= 10,000 accepted/s at 64 connections, zero
# errors). A fresh installation with quotas lifted; a source registered
# through the API as the browser does it (POST /api/v1/challenge, an Ed25519
# signature of "safehouse/sign-in/v1\n" || challenge, POST
# /api/v1/submissions with first_contact); then wrk posts follow-ups of one
# pre-encrypted item each ({"items": [base64 age file]}, the age file of a
# padded 1 KiB message frame made by Debian's `age` for the installation's
# recipient set; COUNT distinct files, default 1024, cycled) for SECONDS
# (default 30) over CONNECTIONS (default 64) connections. Checks that every
# request wrk counted was answered 200 and stored (the items table grew by
# as many rows). Prints wrk's figures, items stored, the server's CPU time
# and VmHWM.
# Usage: python3 bench/sealed_submissions_bench.py SAFEHOUSE_BINARY
#        [SECONDS [CONNECTIONS [COUNT]]]
import base64
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from intake_bench import cpu_seconds, fresh, items, lift_quotas, vm_hwm_kib  # noqa: E402
from safehouse_harness import check  # noqa: E402
from tus_bench import padme  # noqa: E402

SIGN_IN_CONTEXT = b"safehouse/sign-in/v1\n"


def message_frame(text):
    """A message item's frame (docs/formats.md), padded to its Padmé bucket."""
    header = json.dumps({"version": 1, "kind": "message",
                         "media_type": "text/plain; charset=utf-8", "language": "en"},
                        separators=(",", ":")).encode()
    content = text.encode()
    total = padme(4 + len(header) + len(content) + 8)
    padding = total - 4 - len(header) - len(content) - 8
    return struct.pack(">I", len(header)) + header + content + b"\0" * padding + \
        struct.pack(">Q", len(content))


def sealed(recipients, plaintext):
    args = ["age"]
    for r in recipients:
        args += ["-r", r]
    return subprocess.run(args, input=plaintext, capture_output=True, check=True).stdout


def b64(data):
    return base64.b64encode(data).decode()


def register(server, recipients):
    """A source registered through the API; returns its session."""
    s = server.session(timeout=600)
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    keygen = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True)
    reply_recipient = re.search(r"public key: (age1\w+)", keygen.stdout + keygen.stderr).group(1)
    r = s.request("POST", "/api/v1/challenge", body=b"{}",
                  headers={"Content-Type": "application/json"})
    check(r.status == 200, "challenge: %d %s" % (r.status, r.text))
    challenge = base64.b64decode(json.loads(r.body)["challenge"])
    body = {"first_contact": {"source_id": os.urandom(32).hex(),
                              "reply_recipient": reply_recipient,
                              "signing_key": b64(public),
                              "signature": b64(key.sign(SIGN_IN_CONTEXT + challenge))},
            "items": [b64(sealed(recipients, message_frame("bench first contact")))]}
    r = s.request("POST", "/api/v1/submissions", body=json.dumps(body).encode(),
                  headers={"Content-Type": "application/json"})
    check(r.status == 200, "first contact: %d %s" % (r.status, r.text))
    s.csrf = json.loads(r.body)["csrf"]
    return s


def main():
    binary = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
    with fresh(binary) as inst, tempfile.TemporaryDirectory() as tmp:
        lift_quotas(inst)
        server = inst.start()
        recipients = json.loads(server.session().get("/api/v1/metadata").body)["recipients"]
        s = register(server, recipients)
        bodies = os.path.join(tmp, "bodies.jsonl")
        sizes = set()
        with open(bodies, "w") as f:
            for i in range(count):
                text = ("%06d " % i + "m" * 1024)[:1024]
                item = sealed(recipients, message_frame(text))
                sizes.add(len(item))
                f.write(json.dumps({"items": [b64(item)]}) + "\n")
        check(s.request("POST", "/api/v1/submissions", body=open(bodies, "rb").readline().strip(),
                        headers={"Content-Type": "application/json",
                                 "X-CSRF-Token": s.csrf}).status == 200, "a follow-up failed")
        env = dict(os.environ, SAFEHOUSE_BODIES_FILE=bodies, SAFEHOUSE_CSRF=s.csrf,
                   SAFEHOUSE_COOKIE="; ".join("%s=%s" % kv for kv in s.cookies.items()))
        before = items(inst)
        cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency",
               "-s", os.path.join(HERE, "sealed_submissions.lua"),
               "http://127.0.0.1:%d/api/v1/submissions" % server.source_port]
        print("$", " ".join(cmd))
        print("%d distinct age files of %s bytes (1 KiB message frames)" % (count, sorted(sizes)))
        cpu = cpu_seconds(server.proc.pid)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        cpu = cpu_seconds(server.proc.pid) - cpu
        print(out.stdout + out.stderr)
        alive = server.alive()
        stored = items(inst) - before
        print("items stored: %d, server VmHWM %.1f MiB, server CPU %.1f s (%.0f us an item), "
              "load average %.1f, server alive: %s" %
              (stored, vm_hwm_kib(server.proc.pid) / 1024, cpu, cpu * 1e6 / max(stored, 1),
               os.getloadavg()[0], alive))
        requests = int(re.search(r"RESULT requests=(\d+)", out.stdout).group(1))
        errors = re.search(r"RESULT errors_connect=(\d+) read=(\d+) write=(\d+) status=(\d+) "
                           r"timeout=(\d+)", out.stdout).groups()
        # wrk does not count the requests in flight when it stops; the server
        # may still have stored them: at most one a connection more.
        print("wrk counted %d answered requests; %d items stored (+%d in flight at the end)" %
              (requests, stored, stored - requests))
        check(alive, "the server died")
        check(all(e == "0" for e in errors), "wrk saw errors: %r" % (errors,))
        check(requests <= stored <= requests + connections,
              "%d requests answered but %d items stored" % (requests, stored))
        server.stop()


if __name__ == "__main__":
    main()
