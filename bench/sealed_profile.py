#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/sealed_profile.py: where a pre-encrypted submission (the JavaScript
# path, bench/sealed_submissions_bench.py) spends its time, in figures that
# do not depend on the machine's load: syscalls and instructions per stored
# item. Same setup as sealed_submissions_bench.py (fresh installation,
# quotas lifted, a source registered through the API, COUNT distinct 1 KiB
# age files), then one of:
#   syscalls   wrk for SECONDS at CONNECTIONS; `perf stat` of the server's
#              syscall tracepoints (low overhead, so the group commit groups
#              as it does untraced), then the same run again under
#              `strace -c -f` attached to the server; counts per stored item
#   callgrind  the server under valgrind --tool=callgrind, collection switched
#              on only while wrk runs; instructions per stored item (the
#              profile is left in OUT, default /tmp/sealed.callgrind)
# Usage: python3 bench/sealed_profile.py SAFEHOUSE_BINARY {syscalls|callgrind}
#        [SECONDS [CONNECTIONS [OUT]]]
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from intake_bench import cpu_seconds, fresh, items, lift_quotas  # noqa: E402
from sealed_submissions_bench import b64, message_frame, register, sealed  # noqa: E402

SYSCALLS = ["fdatasync", "fsync", "pwrite64", "pread64", "write", "writev", "read", "readv",
            "sendmsg", "sendto", "recvfrom", "recvmsg", "futex", "epoll_wait", "epoll_ctl",
            "utimensat", "statfs", "fstatfs", "openat", "close", "fcntl", "lseek", "newfstatat",
            "timerfd_settime", "mmap", "munmap", "mprotect", "madvise", "getrandom",
            "clock_nanosleep", "sched_yield", "io_uring_enter"]


def wrapper(tmp, binary, prefix):
    """A script that runs `binary serve ...` under `prefix`, and anything else as is."""
    path = os.path.join(tmp, "wrapped-safehouse")
    with open(path, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = serve ]; then exec %s "%s" "$@"; fi\nexec "%s" "$@"\n' %
                (prefix, os.path.abspath(binary), os.path.abspath(binary)))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def bodies_file(tmp, recipients, count=256):
    path = os.path.join(tmp, "bodies.jsonl")
    with open(path, "w") as f:
        for i in range(count):
            text = ("%06d " % i + "m" * 1024)[:1024]
            f.write(json.dumps({"items": [b64(sealed(recipients, message_frame(text)))]}) + "\n")
    return path


def run_wrk(s, server, bodies, seconds, connections):
    env = dict(os.environ, SAFEHOUSE_BODIES_FILE=bodies, SAFEHOUSE_CSRF=s.csrf,
               SAFEHOUSE_COOKIE="; ".join("%s=%s" % kv for kv in s.cookies.items()))
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--timeout", "60s",
           "-s", os.path.join(HERE, "sealed_submissions.lua"),
           "http://127.0.0.1:%d/api/v1/submissions" % server.source_port]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    errors = re.search(r"RESULT errors_connect=(\d+) read=(\d+) write=(\d+) status=(\d+) "
                       r"timeout=(\d+)", out.stdout).groups()
    rps = re.search(r"RESULT requests=(\d+) duration_s=([\d.]+) rps=([\d.]+)", out.stdout).groups()
    return errors, rps


def setup(binary, tmp, prefix=None):
    inst = fresh(binary)
    lift_quotas(inst)
    if prefix:
        inst.binary = wrapper(tmp, binary, prefix)
    server = inst.start()
    # The first requests under valgrind take seconds.
    recipients = json.loads(server.session(timeout=600).get("/api/v1/metadata").body)["recipients"]
    s = register(server, recipients)
    return inst, server, s, bodies_file(tmp, recipients)


def syscalls(binary, seconds, connections):
    for tracer in ("perf", "strace"):
        with tempfile.TemporaryDirectory() as tmp:
            inst, server, s, bodies = setup(binary, tmp)
            pid = server.proc.pid
            out = os.path.join(tmp, "trace.txt")
            if tracer == "perf":
                events = ",".join("syscalls:sys_enter_" + name for name in SYSCALLS)
                cmd = ["perf", "stat", "-x,", "-o", out, "-e", events, "-p", str(pid)]
            else:
                cmd = ["strace", "-c", "-f", "-o", out, "-p", str(pid)]
            tracer_proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
            time.sleep(1)
            before, cpu, load = items(inst), cpu_seconds(pid), os.getloadavg()[0]
            errors, rps = run_wrk(s, server, bodies, seconds, connections)
            stored = items(inst) - before
            cpu = cpu_seconds(pid) - cpu
            tracer_proc.send_signal(2)
            tracer_proc.wait()
            server.stop()
            inst.close()
            print("== %s: %d items stored in %s s (%s/s by wrk), errors %s, server CPU %.0f us an "
                  "item, load average %.1f -> %.1f" % (tracer, stored, rps[1], rps[2], errors,
                                                       cpu * 1e6 / max(stored, 1), load,
                                                       os.getloadavg()[0]))
            text = open(out).read()
            counts = {}
            if tracer == "perf":
                for line in text.splitlines():
                    m = re.match(r"^(\d+),,syscalls:sys_enter_(\w+)", line)
                    if m:
                        counts[m.group(2)] = int(m.group(1))
            else:
                for line in text.splitlines():
                    m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
                    if m:
                        counts[m.group(2)] = int(m.group(1))
            for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
                if n:
                    print("  %-16s %9d  %8.3f an item" % (name, n, n / max(stored, 1)))
            if counts.get("fdatasync") or counts.get("fsync"):
                syncs = counts.get("fdatasync", 0) + counts.get("fsync", 0)
                print("  items per fsync/fdatasync: %.1f" % (stored / syncs))


def callgrind(binary, seconds, connections, out):
    with tempfile.TemporaryDirectory() as tmp:
        prefix = ("valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=%s" % out)
        inst, server, s, bodies = setup(binary, tmp, prefix)
        pid = server.proc.pid
        before = items(inst)
        subprocess.run(["callgrind_control", "-i", "on", str(pid)], check=True,
                       capture_output=True)
        errors, rps = run_wrk(s, server, bodies, seconds, connections)
        subprocess.run(["callgrind_control", "-i", "off", str(pid)], check=True,
                       capture_output=True)
        stored = items(inst) - before
        server.stop()
        inst.close()
    total = 0
    with open(out) as f:
        for line in f:
            m = re.match(r"^(?:summary|totals): (\d+)", line)
            if m:
                total = max(total, int(m.group(1)))
    print("callgrind: %d items stored (%s requests answered), errors %s; %d instructions, "
          "%.0f an item; profile in %s" % (stored, rps[0], errors, total, total / max(stored, 1),
                                            out))


def main():
    binary, mode = sys.argv[1], sys.argv[2]
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    if mode == "syscalls":
        syscalls(binary, seconds, connections)
    elif mode == "callgrind":
        callgrind(binary, seconds, connections,
                  sys.argv[5] if len(sys.argv) > 5 else "/tmp/sealed.callgrind")
    else:
        sys.exit("mode: syscalls or callgrind")


if __name__ == "__main__":
    main()
