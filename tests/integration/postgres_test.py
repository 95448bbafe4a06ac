# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/postgres_test.py: several `safehouse serve` processes on
# one PostgreSQL database (docs/storage.md, "Several servers"). Each case
# starts its own throw-away cluster with scripts/lib.sh (so that stopping it
# disturbs no other test); a missing PostgreSQL is a failure, never a skip.
#   two_servers:   init --database, init --join, two servers taking first
#                  contacts at once (some with blobs, kept in the database):
#                  every acknowledged submission is there once, nothing else
#                  is, and either server's directory reads it.
#   migrate:       an SQLite installation with submissions (inline and
#                  blobs) moved with `safehouse migrate`: counts and digests
#                  reported, every submission readable from PostgreSQL, new
#                  ids continue after the old ones, a second run refused.
#   kill_postgres: under load the PostgreSQL server is stopped the hard way
#                  (pg_ctl -m immediate, a crash for its data) and started
#                  again: while it is down the servers answer 503, they come
#                  back without a restart, and no acknowledged submission
#                  is lost. Never a 500: a COMMIT cut off midway is 503
#                  with the page saying the outcome is unknown.
#   commit_cut:    every COMMIT's connection is cut (a deferred trigger ends
#                  the PostgreSQL process running it): both servers answer
#                  503 with the translated "we cannot tell whether it
#                  arrived" page (en, fa); once the trigger is gone both take
#                  submissions again without a restart, and every
#                  acknowledged one is there.
#   two_reviewers: two reviewers run `review transition … verified` at once
#                  through the two servers' data directories on the same
#                  cases (one of them twice, once through each): every case
#                  verified exactly once with two different reviewers'
#                  approvals, the duplicate refused, `audit verify` intact
#                  from either directory.
# Usage: postgres_test.py SAFEHOUSE_BINARY
#          {two_servers|migrate|kill_postgres|commit_cut|two_reviewers}
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import (Installation, Server, TestFailure, check, log,  # noqa: E402
                               review_list, review_read, run_cases, unique_marker)

# What the 503 pages say (src/web/locales): busy (nothing was changed), or
# a COMMIT cut off (outcome unknown).
BUSY_TEXT = {"en": b"very busy right now"}
UNKNOWN_TEXT = {"en": b"cannot tell whether it arrived",
                "fa": "نمی\u200cدانیم که به دست ما رسیده است یا نه".encode()}
CUT_TRIGGER = (
    "CREATE FUNCTION cut_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(10); RETURN NULL; "
    "END $$; CREATE CONSTRAINT TRIGGER cut_commit AFTER INSERT ON items DEFERRABLE "
    "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cut_commit()")

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib.sh")


class Cluster:
    """A PostgreSQL cluster of this test's own (scripts/lib.sh)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="safehouse-pg-it-")
        out = subprocess.run(
            ["bash", "-c", 'set -e; source "$0"; pg_test_cluster_start "$1" >&2; '
             'printf "%s\\n%s\\n%s\\n" "$SAFEHOUSE_TEST_POSTGRES_URL" '
             '"$SAFEHOUSE_TEST_POSTGRES_DATA" "$SAFEHOUSE_TEST_POSTGRES_BIN"', LIB, self.dir],
            capture_output=True, timeout=300)
        if out.returncode != 0:
            raise TestFailure("cannot start a PostgreSQL cluster (is Debian's postgresql "
                              "installed?): " + out.stderr.decode(errors="replace")[-2000:])
        self.url, self.data, self.bin = out.stdout.decode().split("\n")[:3]

    def ctl(self, *args):
        owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        proc = subprocess.run(owner + [os.path.join(self.bin, "pg_ctl"), "-D", self.data,
                                       "-l", os.path.join(self.dir, "server.log")] + list(args),
                              capture_output=True, timeout=120)
        if proc.returncode != 0:
            raise TestFailure("pg_ctl %s: %s" % (" ".join(args), proc.stderr.decode()))

    def crash(self):
        self.ctl("-m", "immediate", "-w", "stop")

    def start(self):
        self.ctl("-w", "-t", "60", "start")

    def psql(self, sql):
        proc = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", self.url, "-c",
                               sql], capture_output=True, timeout=60)
        if proc.returncode != 0:
            raise TestFailure("psql: " + proc.stderr.decode(errors="replace"))
        return proc.stdout.decode().strip()

    def close(self):
        subprocess.run(["bash", "-c", 'source "$0"; pg_test_cluster_stop "$1"', LIB, self.dir],
                       capture_output=True, timeout=120)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class PostgresInstallation(Installation):
    """DIR on the cluster's database (init --database); more servers join
    with their own directories. Blobs are in the database."""

    def __init__(self, binary, cluster, keep):
        self.cluster = cluster
        self.binary = os.path.abspath(binary)
        self.root = tempfile.mkdtemp(prefix="safehouse-it-")
        self.dir = os.path.join(self.root, "data")
        self.logs = os.path.join(self.root, "logs")
        os.makedirs(self.logs)
        self.keep = keep
        self.server = None
        self.servers = []
        self.init_output = self.cli(["init", "--data", self.dir, "--demo", "--database",
                                     cluster.url])
        self.identity = os.path.join(self.dir, "demo-reviewer.key")

    def join(self, name):
        joined = os.path.join(self.root, name)
        # The first server's log key in clear (it is encrypted at rest), as an
        # operator makes it with `safehouse decrypt`.
        with open(self.dir + ".log-key-passphrase") as f:
            passphrase = f.read().strip()
        clear = os.path.join(self.root, name + ".log-key")
        self.cli(["decrypt", "-o", clear, os.path.join(self.dir, "keys", "log.key.age")],
                 env={"SAFEHOUSE_PASSPHRASE": passphrase})
        out = self.cli(["init", "--data", joined, "--database", self.cluster.url, "--join",
                        "--log-key", clear,
                        "--log-key-passphrase-file", joined + ".log-key-passphrase"])
        os.remove(clear)
        check("Joined" in out, "init --join printed: " + out)
        for f in ("config.toml", os.path.join("keys", "recipients.txt"),
                  os.path.join("keys", "log.vkey")):
            if f != "config.toml":
                check(open(os.path.join(joined, f)).read() == open(os.path.join(self.dir, f)).read(),
                      "joined server's %s differs" % f)
        return joined

    def serve(self, data_dir, name):
        server = Server(self, name)
        saved, self.dir = self.dir, data_dir
        try:
            server.start()
        finally:
            self.dir = saved
        self.servers.append(server)
        return server

    def close(self):
        for server in self.servers:
            if server.alive():
                server.stop()
        Installation.close(self)


class Load:
    """Threads posting first contacts (every third with a blob-sized file)
    round-robin to the servers, remembering what was acknowledged (303)."""

    def __init__(self, servers, threads, per_thread):
        self.servers = servers
        self.lock = threading.Lock()
        self.acked = []
        self.acked_files = 0
        self.statuses = {}
        self.unknown = 0  # 503s saying the outcome is unknown (a COMMIT cut off)
        self.errors = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.worker, args=(i, per_thread))
                        for i in range(threads)]

    def worker(self, index, count):
        for n in range(count):
            if self.stop.is_set():
                return
            server = self.servers[(index + n) % len(self.servers)]
            marker = unique_marker("PG%02d" % index)
            files = []
            if n % 3 == 1:
                files = [("f.txt", (marker + "\n").encode() * 4000)]  # ~100 kB: a blob
            try:
                s = server.session(timeout=60)
                r = s.first_contact("first contact " + marker, files=files)
                s.close()
            except Exception as e:
                with self.lock:
                    self.errors.append(repr(e))
                continue
            with self.lock:
                self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
                if r.status == 303:
                    self.acked.append(marker)
                    self.acked_files += len(files)
                elif r.status == 503:
                    if UNKNOWN_TEXT["en"] in r.body:
                        self.unknown += 1
                    elif BUSY_TEXT["en"] not in r.body:
                        self.errors.append("a 503 page that explains nothing: %r" % r.body[:300])

    def start(self):
        for t in self.threads:
            t.start()

    def join(self, timeout):
        deadline = time.time() + timeout
        for t in self.threads:
            t.join(timeout=max(1, deadline - time.time()))
        check(not any(t.is_alive() for t in self.threads), "load did not finish in %d s" % timeout)


def all_text(inst, data_dir):
    """Everything `review read` decrypts from data_dir's view, and failures."""
    saved, inst.dir = inst.dir, data_dir
    try:
        text, failed = "", []
        cases = review_list(inst)
        for case in cases:
            proc = review_read(inst, case[0], check_rc=False)
            if proc.returncode != 0:
                failed.append((case[0], proc.stderr.decode(errors="replace")))
            text += proc.stdout.decode(errors="replace")
        return cases, text, failed
    finally:
        inst.dir = saved


def two_servers(binary, keep):
    with Cluster() as cluster, PostgresInstallation(binary, cluster, keep) as inst:
        second = inst.join("data2")
        a = inst.serve(inst.dir, "a")
        b = inst.serve(second, "b")
        load = Load([a, b], threads=8, per_thread=12)
        load.start()
        load.join(600)
        check(not load.errors, "request errors: %r" % load.errors[:5])
        check(set(load.statuses) == {303}, "statuses: %r" % load.statuses)
        acked = load.acked
        log("%d first contacts acknowledged across two servers" % len(acked))
        check(len(acked) == 96, "acknowledged %d of 96" % len(acked))
        # No lost and no duplicated rows: one case and one item per submission.
        check(cluster.psql("SELECT count(*) FROM cases") == str(len(acked)), "case count")
        check(cluster.psql("SELECT count(*) FROM sources") == str(len(acked)), "source count")
        # An item for the message and one for each file.
        items = len(acked) + load.acked_files
        check(cluster.psql("SELECT count(*) FROM items") == str(items), "item count")
        check(cluster.psql("SELECT count(DISTINCT case_id) FROM items") == str(len(acked)),
              "items spread over the cases")
        blobs = int(cluster.psql("SELECT count(*) FROM items WHERE in_blob = 1"))
        check(blobs > 0, "no blob was stored")
        check(cluster.psql("SELECT count(*) FROM blobs") == str(blobs), "blobs not in the database")
        for data_dir in (inst.dir, second):
            files = [f for _, _, names in os.walk(os.path.join(data_dir, "blobs")) for f in names]
            check(not files, "files in %s/blobs: %r" % (data_dir, files[:3]))
        for data_dir in (inst.dir, second):
            cases, text, failed = all_text(inst, data_dir)
            check(not failed, "cases that do not decrypt: %r" % failed[:3])
            missing = [m for m in acked if text.count("first contact " + m) != 1]
            check(not missing, "%d markers missing or doubled via %s" % (len(missing), data_dir))


def migrate(binary, keep):
    with Cluster() as cluster, Installation(binary, keep) as inst:
        server = inst.start("sqlite")
        load = Load([server], threads=4, per_thread=6)
        load.start()
        load.join(600)
        check(set(load.statuses) == {303}, "statuses: %r" % load.statuses)
        server.stop()
        max_case = max(case[0] for case in review_list(inst))
        out = inst.cli(["migrate", "--from", inst.dir, "--to", cluster.url])
        log(out)
        check("cases: %d rows" % len(load.acked) in out, "migrate reported: " + out)
        check("items: %d rows" % (len(load.acked) + load.acked_files) in out, "items: " + out)
        check("%d blobs" % load.acked_files in out, "blobs: " + out)
        check(cluster.url in open(os.path.join(inst.dir, "config.toml")).read(),
              "config.toml does not name the database")
        again = inst.cli(["migrate", "--from", inst.dir, "--to", cluster.url], check_rc=False)
        check(again.returncode != 0 and b"already uses" in again.stderr, "second migrate ran")
        server = inst.start("postgres")
        cases, text, failed = all_text(inst, inst.dir)
        check(not failed, "cases that do not decrypt: %r" % failed[:3])
        missing = [m for m in load.acked if ("first contact " + m) not in text]
        check(not missing, "%d submissions lost in the move" % len(missing))
        s = server.session()
        check(s.first_contact("after the move").status == 303, "no submission after the move")
        newest = max(case[0] for case in review_list(inst))
        check(newest > max_case, "new case id %d does not follow %d" % (newest, max_case))


def kill_postgres(binary, keep):
    with Cluster() as cluster, PostgresInstallation(binary, cluster, keep) as inst:
        second = inst.join("data2")
        a = inst.serve(inst.dir, "a")
        b = inst.serve(second, "b")
        load = Load([a, b], threads=6, per_thread=1000)
        load.start()
        deadline = time.time() + 300
        while len(load.acked) < 40 and time.time() < deadline:
            time.sleep(0.1)
        check(len(load.acked) >= 40, "only %d acknowledgements before the crash" % len(load.acked))
        cluster.crash()
        log("PostgreSQL stopped (immediate) after %d acknowledgements" % len(load.acked))
        down = dict(load.statuses)
        time.sleep(3)  # the servers answer while the database is away
        during = {k: load.statuses.get(k, 0) - down.get(k, 0) for k in load.statuses}
        log("statuses while down: %r" % during)
        check(during.get(503, 0) > 0, "no 503 while PostgreSQL was down: %r" % during)
        check(a.alive() and b.alive(), "a server exited while PostgreSQL was down")
        # A page that needs no database still works.
        page = a.session().get("/en/")
        check(page.status == 200, "the front page while the database is down: %d" % page.status)
        cluster.start()
        log("PostgreSQL started again")
        # Both servers recover by themselves.
        recovered = {}
        deadline = time.time() + 120
        while len(recovered) < 2 and time.time() < deadline:
            for name, server in (("a", a), ("b", b)):
                if name in recovered:
                    continue
                marker = unique_marker("RECOVER")
                s = server.session(timeout=60)
                r = s.first_contact("first contact " + marker)
                if r.status == 303:
                    recovered[name] = marker
                    with load.lock:
                        load.acked.append(marker)
            time.sleep(0.5)
        check(len(recovered) == 2, "servers that recovered within 120 s: %r" % list(recovered))
        time.sleep(2)
        load.stop.set()
        load.join(300)
        check(a.alive() and b.alive(), "a server exited")
        acked = list(load.acked)
        unexpected = {k: v for k, v in load.statuses.items() if k not in (303, 503)}
        log("statuses overall: %r; %d acknowledged; %d 503s said the outcome is unknown"
            % (load.statuses, len(acked), load.unknown))
        # A COMMIT cut off midway is a 503 saying so (kOutcomeUnknown), not a
        # 500: any status but 303 and 503 is a bug.
        check(not unexpected, "unexpected statuses: %r" % unexpected)
        check(not load.errors, "request errors: %r" % load.errors[:5])
        cases, text, failed = all_text(inst, inst.dir)
        check(not failed, "cases that do not decrypt: %r" % failed[:3])
        missing = [m for m in acked if ("first contact " + m) not in text]
        check(not missing, "%d acknowledged submissions lost, e.g. %s" % (len(missing), missing[:3]))
        # Nothing acknowledged twice, and no row without its submission.
        check(int(cluster.psql("SELECT count(*) FROM cases")) >= len(acked), "fewer cases than acks")


def commit_cut(binary, keep):
    with Cluster() as cluster, PostgresInstallation(binary, cluster, keep) as inst:
        second = inst.join("data2")
        a = inst.serve(inst.dir, "a")
        b = inst.serve(second, "b")
        before = a.session().first_contact("first contact before the cut")
        check(before.status == 303, "before the cut: %d" % before.status)
        cluster.psql(CUT_TRIGGER)
        for server in (a, b):
            for lang in ("en", "fa"):
                s = server.session(timeout=60)
                r = s.first_contact("first contact " + unique_marker("CUT"), lang=lang)
                check(r.status == 503, "%s %s: a cut COMMIT answered %d" % (server.name, lang,
                                                                           r.status))
                check(UNKNOWN_TEXT[lang] in r.body,
                      "%s %s: the 503 page does not say the outcome is unknown: %r"
                      % (server.name, lang, r.body[:400]))
        check(a.alive() and b.alive(), "a server exited after a cut COMMIT")
        check(cluster.psql("SELECT count(*) FROM cases") == "1", "a cut COMMIT left a case")
        cluster.psql("DROP TRIGGER cut_commit ON items; DROP FUNCTION cut_commit()")
        load = Load([a, b], threads=4, per_thread=5)
        load.start()
        load.join(300)
        check(not load.errors, "request errors: %r" % load.errors[:5])
        check(set(load.statuses) == {303}, "after the cut: %r" % load.statuses)
        cases, text, failed = all_text(inst, second)
        check(not failed, "cases that do not decrypt: %r" % failed[:3])
        missing = [m for m in load.acked if text.count("first contact " + m) != 1]
        check(not missing, "%d acknowledged submissions missing or doubled" % len(missing))
        check(len(cases) == 1 + len(load.acked), "cases: %d" % len(cases))


def two_reviewers(binary, keep):
    with Cluster() as cluster, PostgresInstallation(binary, cluster, keep) as inst:
        second = inst.join("data2")
        a = inst.serve(inst.dir, "a")
        b = inst.serve(second, "b")
        load = Load([a, b], threads=2, per_thread=3)
        load.start()
        load.join(300)
        check(set(load.statuses) == {303}, "first contacts: %r" % load.statuses)
        keys = {}
        for name in ("alice", "bob", "carol"):
            keys[name] = os.path.join(inst.root, name + ".key")
            inst.cli(["reviewer", "add", "--data", inst.dir, name, "--identity-out", keys[name]])

        def transition(data_dir, who, case_id, status):
            proc = inst.cli(["review", "transition", "--data", data_dir, "-i", keys[who],
                             str(case_id), status], check_rc=False)
            return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(
                errors="replace")

        cases = [case[0] for case in review_list(inst)]
        check(len(cases) == 6, "cases: %r" % cases)
        for case_id in cases:  # carol does the checks, alternating servers
            for n, status in enumerate(("triage", "verifying", "corroborated")):
                rc, out, err = transition((inst.dir, second)[n % 2], "carol", case_id, status)
                check(rc == 0, "carol %s %d: %s" % (status, case_id, err))
        results = {}
        lock = threading.Lock()

        def approve(data_dir, who, tag):
            for case_id in cases:
                result = transition(data_dir, who, case_id, "verified")
                with lock:
                    results[(tag, case_id)] = result

        threads = [threading.Thread(target=approve, args=args) for args in
                   ((inst.dir, "alice", "alice@a"), (second, "alice", "alice@b"),
                    (second, "bob", "bob@b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        check(not any(t.is_alive() for t in threads), "transitions did not finish")
        for case_id in cases:
            alice = [results[(tag, case_id)] for tag in ("alice@a", "alice@b")]
            bob = results[("bob@b", case_id)]
            check(bob[0] == 0, "bob's approval of %d refused: %s" % (case_id, bob[2]))
            check(sorted(r[0] == 0 for r in alice) == [False, True],
                  "alice's approval of %d accepted %d times: %r"
                  % (case_id, sum(r[0] == 0 for r in alice), alice))
            moved = [r for r in alice + [bob] if "(2 of 2 approvals)" in r[1]]
            check(len(moved) == 1, "case %d moved %d times" % (case_id, len(moved)))
            where = "case_id = %d" % case_id
            check(cluster.psql("SELECT status FROM cases WHERE " + where) == "verified",
                  "case %d not verified" % case_id)
            check(cluster.psql("SELECT count(DISTINCT reviewer_id) || '/' || count(*) FROM "
                               "approvals WHERE " + where + " AND to_status = 'verified'") == "2/2",
                  "case %d: approvals of verified are not two reviewers once each" % case_id)
            events = cluster.psql("SELECT string_agg(event_number || ':' || status, ',' ORDER BY "
                                  "event_number) FROM case_events WHERE " + where)
            check(events == "1:received,2:triage,3:verifying,4:corroborated,5:verified",
                  "case %d events: %s" % (case_id, events))
        for data_dir in (inst.dir, second):
            proc = inst.cli(["audit", "verify", "--data", data_dir], check_rc=False)
            check(proc.returncode == 0, "audit verify via %s: %s" % (data_dir, proc.stderr))
        refused = cluster.psql("SELECT count(*) FROM audit_log WHERE action = 'refused'")
        check(refused == str(len(cases)), "refusals logged: %s" % refused)


if __name__ == "__main__":
    sys.exit(run_cases({"two_servers": two_servers, "migrate": migrate,
                       "kill_postgres": kill_postgres, "commit_cut": commit_cut,
                       "two_reviewers": two_reviewers}, sys.argv))
