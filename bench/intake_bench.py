# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/intake_bench.py: whole-server benchmarks of the source intake on a
# fresh installation (reuses tests/integration/safehouse_harness.py):
#   load     wrk, 64 connections, 30 s, 1 KiB multipart follow-ups in one
#            signed-in session (bench/intake_followup.lua); then checks the
#            stored item count against wrk's request count
#   upload   one 1 GiB file through the follow-up form (streamed), then 4 at
#            once; MB/s, the server's peak RSS (VmHWM) and the CPU seconds of
#            server and client (SAFEHOUSE_BENCH_PERF=FILE: perf record -a -g
#            during the single upload)
#   logins   codename sign-ins/s from 8 threads, while one thread keeps
#            posting follow-ups (all must succeed)
# Every [quotas] key is lifted (set to 0) first: these measure throughput,
# not the limits one client meets (bench/flood_bench.py does that).
# Usage: python3 bench/intake_bench.py SAFEHOUSE_BINARY {load|upload|logins|all}
# SAFEHOUSE_BENCH_BLOBS=pack|directory picks the blob engine (config.toml
# [store] blobs) of the fresh installation, to compare engines in one run.
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from safehouse_harness import Installation, Multipart, check, row_counts  # noqa: E402


def fresh(binary):
    """A fresh installation, with the blob engine SAFEHOUSE_BENCH_BLOBS names."""
    inst = Installation(binary)
    engine = os.environ.get("SAFEHOUSE_BENCH_BLOBS")
    if engine:
        path = os.path.join(inst.dir, "config.toml")
        with open(path) as f:
            text = f.read()
        check(re.search(r'^blobs = [\'"]\w*[\'"]$', text, re.M), "config.toml has no blobs setting")
        with open(path, "w") as f:
            f.write(re.sub(r'^blobs = [\'"]\w*[\'"]$', 'blobs = "%s"' % engine, text, flags=re.M))
        if engine == "directory":  # the store made at init was a pack store
            for name in ("pack", "index"):
                os.remove(os.path.join(inst.dir, "blobs", name))
    print("blob engine: %s" % (engine or "default"))
    return inst


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"VmHWM:\s+(\d+)", f.read())
    check(m, "the server is gone (crashed?)")
    return int(m.group(1))


def signed_in(server):
    s = server.session(timeout=600)
    check(s.first_contact("bench").status == 303, "first contact failed")
    check(s.get("/en/inbox").status == 200, "inbox failed")
    return s


def lift_quotas(inst):
    with open(os.path.join(inst.dir, "config.toml")) as f:
        if "[quotas]" in f.read():  # older builds have none
            inst.set_quotas(lift_all=True)


def items(inst):
    return row_counts(inst).get("items", 0)


def bench_load(binary, seconds=30, connections=64, threads=2):
    with fresh(binary) as inst:
        lift_quotas(inst)
        server = inst.start()
        s = signed_in(server)
        mp = Multipart().field("csrf", s.csrf).field("message", "m" * 1024)
        body = mp.body()
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(body)
        env = dict(os.environ, SAFEHOUSE_BODY_FILE=f.name, SAFEHOUSE_BOUNDARY=mp.boundary,
                   SAFEHOUSE_COOKIE="; ".join("%s=%s" % kv for kv in s.cookies.items()))
        before = items(inst)
        cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency",
               "-s", os.path.join(HERE, "intake_followup.lua"),
               "http://127.0.0.1:%d/en/inbox" % server.source_port]
        print("$", " ".join(cmd))
        perf = None
        if os.environ.get("SAFEHOUSE_BENCH_PERF"):  # where does the server's time go?
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o",
                                     os.environ["SAFEHOUSE_BENCH_PERF"], "-p",
                                     str(server.proc.pid), "--", "sleep", "10"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True).stdout
        if perf:
            perf.wait()
        os.unlink(f.name)
        print(out)
        if not server.alive():
            print("SERVER EXITED with %s:\n%s" % (server.proc.returncode,
                                                 server.logs().decode(errors="replace")[-3000:]))
        stored = items(inst) - before
        print("items stored: %d (body %d bytes, server VmHWM %.1f MiB)" %
              (stored, len(body), vm_hwm_kib(server.proc.pid) / 1024))
        server.stop()


def cpu_seconds(pid):
    """utime + stime of a process, all threads, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def upload(server, size, results, index):
    try:
        s = signed_in(server)
    except Exception as e:
        results[index] = ("sign-in: " + repr(e), 0.0)
        return
    chunk = os.urandom(1 << 20)

    def gen():
        for _ in range(size // len(chunk)):
            yield chunk

    mp = Multipart().field("csrf", s.csrf).field("message", "big").file(
        "files", "big.bin", (size, gen))
    start = time.time()
    try:
        r = s.post_multipart("/en/inbox", mp)
        results[index] = (r.status, time.time() - start)
    except Exception as e:  # reported, not hidden: a reset is a result too
        results[index] = (repr(e), time.time() - start)


def bench_upload(binary, size=1 << 30):
    with fresh(binary) as inst:
        lift_quotas(inst)
        server = inst.start()
        for parallel in (1, 4):
            results = [None] * parallel
            threads = [threading.Thread(target=upload, args=(server, size, results, i))
                       for i in range(parallel)]
            perf = None
            if parallel == 1 and os.environ.get("SAFEHOUSE_BENCH_PERF"):  # where does it go?
                perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-a", "-o",
                                         os.environ["SAFEHOUSE_BENCH_PERF"]],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            server_cpu = cpu_seconds(server.proc.pid)
            client_cpu = sum(os.times()[:2])
            start = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.time() - start
            server_cpu = cpu_seconds(server.proc.pid) - server_cpu
            client_cpu = sum(os.times()[:2]) - client_cpu
            if perf:
                perf.send_signal(2)
                perf.wait()
            statuses = [r[0] for r in results]
            if not server.alive():
                print("SERVER EXITED: %s" % server.logs().decode(errors="replace")[-500:])
            print("upload %d x %d MiB: statuses %s, wall %.1f s, %.1f MB/s total, "
                  "per upload %s s, server VmHWM %.1f MiB, CPU s: server %.2f, client %.2f, "
                  "load average %.1f" %
                  (parallel, size >> 20, statuses, wall, parallel * size / wall / 1e6,
                   ["%.2f" % r[1] for r in results], vm_hwm_kib(server.proc.pid) / 1024,
                   server_cpu, client_cpu, os.getloadavg()[0]))
        server.stop()


def bench_logins(binary, seconds=20, threads=8):
    with fresh(binary) as inst:
        lift_quotas(inst)
        server = inst.start()
        source = signed_in(server)
        codename = source.codename
        stop = threading.Event()
        logins = [0] * threads
        failures = []
        follow = {"ok": 0, "bad": 0, "latencies": []}

        def flood(i):
            while not stop.is_set():
                t = server.session()
                r = t.login(codename)
                if r.status == 303:
                    logins[i] += 1
                else:
                    failures.append(r.status)
                t.close()

        def follow_ups():
            s = signed_in(server)
            while not stop.is_set():
                start = time.time()
                r = s.follow_up("during the flood")
                follow["latencies"].append(time.time() - start)
                follow["ok" if r.status == 303 else "bad"] += 1

        workers = [threading.Thread(target=flood, args=(i,)) for i in range(threads)]
        workers.append(threading.Thread(target=follow_ups))
        start = time.time()
        for w in workers:
            w.start()
        time.sleep(seconds)
        stop.set()
        for w in workers:
            w.join()
        wall = time.time() - start
        lat = sorted(follow["latencies"]) or [0]
        print("logins: %d in %.1f s = %.1f/s from %d threads, %d failed; follow-ups during the "
              "flood: %d ok, %d failed, median %.0f ms, max %.0f ms" %
              (sum(logins), wall, sum(logins) / wall, threads, len(failures), follow["ok"],
               follow["bad"], lat[len(lat) // 2] * 1000, lat[-1] * 1000))
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__ if False else "usage: intake_bench.py SAFEHOUSE_BINARY "
                 "{load|upload|logins|all}")
    binary, which = sys.argv[1], sys.argv[2]
    if which in ("load", "all"):
        bench_load(binary)
    if which in ("logins", "all"):
        bench_logins(binary)
    if which in ("upload", "all"):
        bench_upload(binary)
