# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/flood_bench.py: one loopback attacker against a fresh installation
# with its default [quotas], one flood at a time, each on its own server so
# that its peak RSS (VmHWM) is the flood's alone. While each flood runs, an
# ordinary source keeps making first contacts (page + submission), and the
# staff listener is asked for /metrics; both are counted.
#   extension    32 connections: a chunked POST whose chunk extension never ends
#   trailer      32 connections: a chunked POST whose trailer never ends
#   header       32 connections: a GET whose header never ends
#   trickle      1000 connections: sign-in POSTs (Content-Length 200) whose
#                body comes one byte a second; closed ones reconnect
#   connections  as many idle connections to the source listener as it takes
#                (up to 3000), held open
# Usage: python3 bench/flood_bench.py SAFEHOUSE_BINARY {extension|trailer|header|trickle|connections|all}
#        [SECONDS (default 20)]
import os
import re
import resource
import select
import socket
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from safehouse_harness import Installation  # noqa: E402

FLOODS = ("extension", "trailer", "header", "trickle", "connections")


def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(field + r":\s+(\d+)", f.read()).group(1))


def endless(port, head, stop, sent):
    filler = b"x" * 65536
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(head)
                while not stop.is_set():
                    s.sendall(filler)
                    sent[0] += len(filler)
        except OSError:
            time.sleep(0.01)  # refused or cut: connect again


def trickle(port, stop, held, count=1000):
    head = (b"POST /en/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\n")
    socks = []
    while not stop.is_set():
        while len(socks) < count and not stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(head)
                s.setblocking(False)
                socks.append(s)
            except OSError:
                time.sleep(0.05)
                break
        alive = []
        for s in socks:
            try:
                s.send(b"c")
                alive.append(s)
            except OSError:
                s.close()
        socks = alive
        held[0] = max(held[0], len(socks))
        stop.wait(1.0)
    for s in socks:
        s.close()


def hold(port, stop, held, limit=3000):
    socks = {}
    poller = select.poll()
    while not stop.is_set():
        if len(socks) < limit:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                socks[s.fileno()] = s
                poller.register(s, select.POLLIN)
                continue
            except OSError:
                pass
        # Drop the ones the server closed (readable: EOF), then try again.
        for fd, _ in poller.poll(0):
            poller.unregister(fd)
            socks.pop(fd).close()
        held[0] = len(socks)
        stop.wait(0.2)
    socks = socks.values()
    for s in socks:
        s.close()


def run(binary, flood, seconds):
    with Installation(binary) as inst:
        server = inst.start()
        port, pid = server.source_port, server.proc.pid
        stop = threading.Event()
        sent, held = [0], [0]
        heads = {
            "extension": b"POST /en/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;",
            "trailer": b"POST /en/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"1\r\na\r\n0\r\nX-T: ",
            "header": b"GET /en/ HTTP/1.1\r\nHost: x\r\nX-Endless: ",
        }
        if flood in heads:
            threads = [threading.Thread(target=endless, args=(port, heads[flood], stop, sent))
                       for _ in range(32)]
        elif flood == "trickle":
            threads = [threading.Thread(target=trickle, args=(port, stop, held))]
        else:
            threads = [threading.Thread(target=hold, args=(port, stop, held))]
        for t in threads:
            t.start()
        time.sleep(2)  # let the flood build up
        ok = bad = staff_ok = staff_bad = 0
        peak_rss = 0
        end = time.time() + seconds
        while time.time() < end and server.alive():
            peak_rss = max(peak_rss, status_kib(pid, "VmRSS"))
            try:
                s = server.session(timeout=10)
                r = s.first_contact("probe during the flood")
                ok, bad = (ok + 1, bad) if r.status == 303 else (ok, bad + 1)
                s.close()
            except Exception:
                bad += 1
            try:
                url = "http://127.0.0.1:%d/metrics" % server.staff_port
                with urllib.request.urlopen(url, timeout=10) as m:
                    staff_ok += m.status == 200
            except Exception:
                staff_bad += 1
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        alive = server.alive()
        hwm = status_kib(pid, "VmHWM") if alive else 0
        print("%-11s %d s: server %s, VmHWM %.1f MiB (VmRSS peak %.1f MiB), attacker sent "
              "%.0f MiB, held up to %d connections; first contacts during it %d ok / %d failed; "
              "staff /metrics %d ok / %d failed" %
              (flood, seconds, "alive" if alive else "DIED", hwm / 1024, peak_rss / 1024,
               sent[0] / 2**20, held[0], ok, bad, staff_ok, staff_bad))
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[2] not in FLOODS + ("all",):
        sys.exit("usage: flood_bench.py SAFEHOUSE_BINARY {%s|all} [SECONDS]" % "|".join(FLOODS))
    seconds = int(sys.argv[3]) if len(sys.argv) == 4 else 20
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the attacker's own sockets
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    for flood in FLOODS if sys.argv[2] == "all" else (sys.argv[2],):
        run(sys.argv[1], flood, seconds)
