# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/durability_test.py: invariant 5 against the real server.
# 16 threads post first contacts and follow-ups (some with files large
# enough to be blobs), each remembering the unique marker of every
# submission the server acknowledged with a 303. Mid-load the server gets
# SIGKILL. After a restart every acknowledged marker must be in a case that
# `safehouse review read` decrypts completely, the database must pass
# PRAGMA integrity_check, no temporary blob file may be left, and the server
# must still accept submissions and sign-ins.
# Usage: durability_test.py SAFEHOUSE_BINARY kill9
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import (Installation, check, db_path, log, review_list,  # noqa: E402
                               review_read, run_cases, sqlite_query, unique_marker)

THREADS = 16
TARGET = 200          # submissions attempted in all, about
KILL_AFTER_ACKS = 100  # SIGKILL once this many were acknowledged


class Load:
    def __init__(self, server):
        self.server = server
        self.lock = threading.Lock()
        self.acked = []          # (marker, kind, file marker or None)
        self.codenames = []
        self.errors_before_kill = []
        self.killed = threading.Event()
        self.enough = threading.Event()
        self.attempts = 0

    def ack(self, marker, kind, file_marker):
        with self.lock:
            self.acked.append((marker, kind, file_marker))
            if len(self.acked) >= KILL_AFTER_ACKS:
                self.enough.set()

    def next_attempt(self):
        with self.lock:
            self.attempts += 1
            return self.attempts <= TARGET

    def worker(self, index):
        n = 0
        while not self.killed.is_set() and self.next_attempt():
            try:
                s = self.server.session(timeout=60)
                marker = unique_marker("FC%02d" % index)
                files, file_marker = self.files(index, n)
                r = s.first_contact("first contact " + marker, files=files,
                                    claims={"branch": "other", "unit": marker})
                n += 1
                if r.status == 303:
                    self.ack(marker, "first", file_marker)
                    with self.lock:
                        self.codenames.append(s.codename)
                for _ in range(2):
                    if self.killed.is_set() or not self.next_attempt():
                        break
                    marker = unique_marker("FU%02d" % index)
                    files, file_marker = self.files(index, n)
                    r = s.follow_up("follow-up " + marker, files=files)
                    n += 1
                    if r.status == 303:
                        self.ack(marker, "follow", file_marker)
                s.close()
            except Exception as e:  # connection refused/reset once killed
                if not self.killed.is_set():
                    with self.lock:
                        self.errors_before_kill.append(repr(e))
                return

    @staticmethod
    def files(index, n):
        if n % 3 == 0:
            return [], None
        file_marker = unique_marker("FILE%02d" % index)
        size = 100_000 if n % 3 == 1 else 2_000  # blob or inline body
        content = (file_marker + "\n").encode() * (size // (len(file_marker) + 1))
        return [("f%d.txt" % n, content)], file_marker


def kill9(binary, keep):
    with Installation(binary, keep) as inst:
        server = inst.start("before-kill")
        load = Load(server)
        threads = [threading.Thread(target=load.worker, args=(i,)) for i in range(THREADS)]
        started = time.time()
        for t in threads:
            t.start()
        check(load.enough.wait(timeout=900), "only %d acknowledgements in 900 s" % len(load.acked))
        load.killed.set()  # first: errors from here on are the kill's
        server.kill9()
        for t in threads:
            t.join(timeout=120)
        acked = list(load.acked)
        log("%d submissions acknowledged in %.1f s before SIGKILL (%d attempted)" %
            (len(acked), time.time() - started, min(load.attempts, TARGET)))
        check(not load.errors_before_kill, "errors before the kill: %r" % load.errors_before_kill[:5])

        server = inst.start("after-kill")
        tmp = os.path.join(inst.dir, "blobs", "tmp")
        check(not os.path.isdir(tmp) or not os.listdir(tmp), "blob tmp files left after restart")
        text = ""
        failed = []
        saved = b""
        for case in review_list(inst):
            out = os.path.join(inst.root, "out", str(case[0]))
            proc = review_read(inst, case[0], out=out, check_rc=False)
            if proc.returncode != 0:
                failed.append((case[0], proc.stderr.decode(errors="replace")))
            text += proc.stdout.decode(errors="replace")
            for name in os.listdir(out) if os.path.isdir(out) else []:
                saved += open(os.path.join(out, name), "rb").read()
        check(not failed, "cases that do not decrypt completely: %r" % failed[:5])
        missing = [m for m, _, _ in acked if m not in text]
        missing += [f for _, _, f in acked if f and f.encode() not in saved]
        check(not missing, "%d acknowledged submissions lost, e.g. %r" % (len(missing), missing[:5]))
        log("all %d acknowledged submissions (and their files) present and decrypting" % len(acked))

        # Still serving: a sign-in with an acknowledged codename and a new follow-up.
        s = server.session()
        check(s.login(load.codenames[0]).status == 303, "sign-in after restart failed")
        check(s.follow_up("after restart").status == 303, "follow-up after restart failed")
        check(server.stop() == 0, "server exit status not 0")
        check(sqlite_query(db_path(inst), "PRAGMA integrity_check") == "ok",
              "PRAGMA integrity_check is not ok")


if __name__ == "__main__":
    sys.exit(run_cases({"kill9": kill9}, sys.argv))
