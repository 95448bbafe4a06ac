# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/postgres_bench.py: durable submissions/s on SQLite, on PostgreSQL
# with one Safehouse server, and on PostgreSQL with two servers at once
# (same database, their own cluster from scripts/lib.sh). Each run: wrk
# posting 1 KiB multipart follow-ups to the inbox of one signed-in session
# per server (bench/intake_followup.lua), 64 connections in all; the rate is
# the items actually stored during the run divided by its length.
# Usage: python3 bench/postgres_bench.py SAFEHOUSE_BINARY [SECONDS]
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from safehouse_harness import Installation, Multipart, check, row_counts  # noqa: E402
from postgres_test import Cluster, PostgresInstallation  # noqa: E402


def signed_in(server):
    s = server.session(timeout=600)
    check(s.first_contact("bench").status == 303, "first contact failed")
    check(s.get("/en/inbox").status == 200, "inbox failed")
    return s


def wrk(server, connections, seconds):
    """Starts wrk against one signed-in session of `server`."""
    s = signed_in(server)
    body = Multipart().field("csrf", s.csrf).field("message", "m" * 1024)
    f = tempfile.NamedTemporaryFile(delete=False)
    f.write(body.body())
    f.close()
    env = dict(os.environ, SAFEHOUSE_BODY_FILE=f.name, SAFEHOUSE_BOUNDARY=body.boundary,
               SAFEHOUSE_COOKIE="; ".join("%s=%s" % kv for kv in s.cookies.items()))
    cmd = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "--latency", "-s",
           os.path.join(HERE, "intake_followup.lua"),
           "http://127.0.0.1:%d/en/inbox" % server.source_port]
    print("$", " ".join(cmd), flush=True)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True), f.name


def run(label, servers, count_items, seconds, connections=64):
    before = count_items()
    procs = [wrk(server, connections // len(servers), seconds) for server in servers]
    errors = 0
    p99 = []
    for proc, path in procs:
        out = proc.communicate()[0]
        os.unlink(path)
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors += int(m.group(1)) if m else 0
        m = re.search(r"^\s+99%\s+(\S+)", out, re.M)
        p99.append(m.group(1) if m else "?")
    stored = count_items() - before
    print("%s: %d items stored in %d s = %.0f submissions/s; non-3xx %d; p99 %s" %
          (label, stored, seconds, stored / seconds, errors, ", ".join(p99)), flush=True)


def main(binary, seconds):
    # Quotas lifted (issue 7 added them): one session posts far more than a
    # source may.
    with Installation(binary) as inst:
        inst.set_quotas(lift_all=True)
        server = inst.start()
        run("SQLite, 1 server", [server], lambda: row_counts(inst).get("items", 0), seconds)
    with Cluster() as cluster, PostgresInstallation(binary, cluster, False) as inst:
        count = lambda: int(cluster.psql("SELECT count(*) FROM items"))  # noqa: E731
        inst.set_quotas(lift_all=True)
        a = inst.serve(inst.dir, "a")
        run("PostgreSQL, 1 server", [a], count, seconds)
        joined = inst.join("data2")
        inst.set_quotas(lift_all=True, data_dir=joined)
        b = inst.serve(joined, "b")
        run("PostgreSQL, 2 servers", [a, b], count, seconds)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
