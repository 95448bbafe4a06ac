# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/observe_test.py: case events in the transparency log,
# observers, statements and `safehouse observe`, against a real
# `safehouse serve` on 127.0.0.1 (docs/tlog.md, "Case events in the log",
# "Observing"). Each tampering case starts from an honest installation
# that an observer checked and cosigned, then changes the database the way
# a dishonest operator could, and expects `observe` to fail naming why.
#
# usage: observe_test.py SAFEHOUSE_BINARY CASE
import datetime
import http.client
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import (Installation, TestFailure, check, db_path, log,  # noqa: E402
                               run_cases)


def get(server, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.source_port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def post(server, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", server.source_port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "text/plain"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def sql(inst, statement, params=()):
    db = sqlite3.connect(db_path(inst), timeout=30)
    try:
        rows = db.execute(statement, params).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def set_threshold(inst, threshold):
    path = os.path.join(inst.dir, "config.toml")
    with open(path) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^threshold = \d+$", "threshold = %d" % threshold, text)
    check(n == 1, "config.toml has no [log] threshold written by init")
    check("categories = [ 'army', 'guard', 'police', 'intelligence', 'other' ]" in text or
          'categories = [ "army", "guard", "police", "intelligence", "other" ]' in text,
          "init wrote no default categories: %s" % text)
    with open(path, "w") as f:
        f.write(text)


class World:
    """An installation with 3 cases in the log, an accredited observer that
    has checked it once, and a statement it cosigned."""

    def __init__(self, inst):
        self.inst = inst
        set_threshold(inst, 1)
        self.server = inst.start()
        for i in range(3):
            resp = self.server.session().first_contact("contact %d" % i)
            check(resp.status in (200, 303), "first contact: %d" % resp.status)
        cases = [r[0] for r in sql(inst, "SELECT case_id FROM cases ORDER BY case_id")]
        check(len(cases) == 3, "3 cases: %r" % cases)
        self.cases = cases
        out = inst.cli(["review", "categorise", "--data", inst.dir, str(cases[0]), "police"])
        check("category police" in out, "categorise: %r" % out)
        inst.cli(["review", "categorise", "--data", inst.dir, "-i", inst.identity,
                  str(cases[1]), "army"])
        bad = inst.cli(["review", "categorise", "--data", inst.dir, str(cases[2]), "navy"],
                       check_rc=False)
        check(bad.returncode == 1 and b"not one of the categories" in bad.stderr,
              "an unknown category: %r" % bad.stderr)
        audit = inst.cli(["audit", "list", "--data", inst.dir])
        check("categorise" in audit, "categorise is not in the audit log: %r" % audit)

        # Not in the log until a batch runs; then every event once.
        check(sql(inst, "SELECT count(*) FROM log_case_entries")[0][0] == 0, "published early")
        out = inst.cli(["log", "publish", "--data", inst.dir])
        check("Published 3 case events" in out, "log publish: %r" % out)
        out = inst.cli(["log", "publish", "--data", inst.dir])
        check("No case event to publish" in out, "second log publish: %r" % out)
        status, checkpoint = get(self.server, "/log/checkpoint")
        check(status == 200 and checkpoint.split(b"\n")[1] == b"3",
              "checkpoint after the batch: %r" % checkpoint)
        status, bundle = get(self.server, "/log/tile/entries/000.p/3")
        check(status == 200 and bundle.count(b"safehouse/case-event/v1\n") == 3,
              "entries: %r" % bundle)
        check(b"police" not in bundle and b"army" not in bundle, "a category in the clear")

        self.identity = os.path.join(inst.root, "observer.key")
        out = inst.cli(["observer", "keygen", "ngo-watch", "-o", self.identity])
        line = re.search(r"^\s+(ngo-watch age1\S+ ngo-watch\+\S+)$", out, re.M)
        check(line, "observer keygen prints no line to add: %r" % out)
        self.observer_line = line.group(1).split(" ")
        check(oct(os.stat(self.identity).st_mode & 0o777) == "0o600", "identity not 0600")
        inst.cli(["observer", "add", "--data", inst.dir] + self.observer_line)
        check("ngo-watch" in inst.cli(["observer", "list", "--data", inst.dir]), "observer list")
        status, sealed = get(self.server, "/log/openings/ngo-watch")
        check(status == 200 and sealed.startswith(b"age-encryption.org/v1\n"),
              "openings: %d %r" % (status, sealed[:40]))
        check(b"police" not in sealed, "openings in the clear")
        status, _ = get(self.server, "/log/openings/nobody")
        check(status == 404, "openings of an unknown observer: %d" % status)

        year = datetime.datetime.now(datetime.timezone.utc).strftime("%Y")
        self.period = year
        out = inst.cli(["statement", "publish", "--data", inst.dir, "--period", year])
        check("status 3 received" in out and "category 1 police" in out and
              "category 1 army" in out and "category 1 uncategorised" in out,
              "statement: %r" % out)
        self.key = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()
        self.state = os.path.join(inst.root, "observer-state")
        self.url = "http://127.0.0.1:%d/log" % self.server.source_port
        out = self.observe(key=True)
        check("RESULT: OK" in out and "cosigned" in out, "honest observe: %s" % out)
        status, note = get(self.server, "/log/statements/1")
        check(status == 200 and note.count(b"\n\xe2\x80\x94 ") == 2,
              "statement 1 should carry the log's signature and the cosignature: %r" % note)
        check(b"\xe2\x80\x94 ngo-watch " in note, "no ngo-watch cosignature: %r" % note)
        status, listing = get(self.server, "/log/statements/")
        check(status == 200 and listing.decode().split("\n")[1].endswith(" 3 1"),
              "statement list: %r" % listing)

    def observe(self, key=False, expect_ok=True):
        args = ["observe", "--url", self.url, "--identity", self.identity, "--state", self.state]
        if key:
            args += ["--key", self.key]
        proc = self.inst.cli(args, check_rc=False)
        out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        log(out)
        if expect_ok:
            check(proc.returncode == 0, "observe failed: %s" % out)
        else:
            check(proc.returncode == 1, "observe should have failed: %s" % out)
        return out


def case_honest(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        out = w.observe()
        check("cosigned already" in out, "second observe: %s" % out)
        # More events: the log grows consistently, a new statement matches.
        resp = w.server.session().first_contact("one more")
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        inst.cli(["log", "publish", "--data", inst.dir])
        inst.cli(["statement", "publish", "--data", inst.dir, "--period", w.period])
        out = w.observe()
        check("extends the checkpoint of size 3" in out and "statement 2" in out,
              "observe after growth: %s" % out)
        # A cosignature from nobody accredited, and one over other text.
        status, note = get(w.server, "/log/statements/2")
        status, body = post(w.server, "/log/statements/2", note.split(b"\n\n")[0] + b"\n\n")
        check(status == 400, "a note without signatures: %d %r" % (status, body))
        text = note.split(b"\n\n")[0].replace(b"status 4 received", b"status 5 received")
        sig = [l for l in note.split(b"\n") if l.startswith(b"\xe2\x80\x94 ngo-watch")][0]
        status, body = post(w.server, "/log/statements/2", text + b"\n\n" + sig + b"\n")
        check(status == 400 and b"not statement 2" in body, "other text: %d %r" % (status, body))
        status, body = post(w.server, "/log/statements/9", note)
        check(status == 404, "no statement 9: %d" % status)
        # Removed: nothing more sealed to it.
        inst.cli(["observer", "remove", "--data", inst.dir, "ngo-watch"])
        status, _ = get(w.server, "/log/openings/ngo-watch")
        check(status == 404, "openings after remove: %d" % status)


def case_rewritten_entry(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        rows = sql(inst, "SELECT data FROM log_tiles WHERE path = 'tile/entries/000.p/3'")
        data = rows[0][0]
        check(b"status received" in data, "bundle: %r" % data)
        # Same length, so the bundle still parses: a case "verified".
        sql(inst, "UPDATE log_tiles SET data = ? WHERE path = 'tile/entries/000.p/3'",
            (data.replace(b"status received", b"status verified", 1),))
        out = w.observe(expect_ok=False)
        check(re.search(r"FAIL entry \d: rewritten", out), "rewritten entry not named: %s" % out)


def case_dropped_entry(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        # The operator rebuilds the log without one case's event.
        dropped = w.cases[2]
        sql(inst, "DELETE FROM log_tiles")
        sql(inst, "DELETE FROM log_case_entries")
        sql(inst, "DELETE FROM case_events WHERE case_id = ?", (dropped,))
        inst.cli(["log", "publish", "--data", inst.dir])
        out = w.observe(expect_ok=False)
        check("the log shrank from 3 to 2 entries: entries were dropped" in out,
              "dropped entry not detected: %s" % out)


def case_forked_checkpoint(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        # The same events again, as another tree of the same size.
        sql(inst, "DELETE FROM log_tiles")
        sql(inst, "DELETE FROM log_case_entries")
        inst.cli(["log", "publish", "--data", inst.dir])
        out = w.observe(expect_ok=False)
        check("consistency: fork: size 3 has root" in out, "fork not detected: %s" % out)


def case_miscount(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        # The database disagrees with the log: one case counted as rejected.
        sql(inst, "UPDATE case_events SET status = 'rejected' WHERE case_id = ?", (w.cases[2],))
        inst.cli(["statement", "publish", "--data", inst.dir, "--period", w.period])
        out = w.observe(expect_ok=False)
        check("statement 2" in out and "status received: published 2, recomputed 3" in out and
              "status rejected: published 1, recomputed 0" in out,
              "miscount not named: %s" % out)
        status, note = get(w.server, "/log/statements/2")
        check(b"ngo-watch" not in note, "a miscounting statement was cosigned: %r" % note)


def case_wrong_category(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)
        # The opening given to the observer names another category.
        sql(inst, "UPDATE log_case_entries SET category = 'army' WHERE case_id = ?", (w.cases[0],))
        inst.cli(["log", "publish", "--data", inst.dir])  # reseals the openings
        out = w.observe(expect_ok=False)
        check(re.search(r'FAIL entry \d \(case %d, event 1\): the opening to category "army" '
                        r'does not open its commitment' % w.cases[0], out),
              "wrong category not named: %s" % out)


CASES = {
    "honest": case_honest,
    "rewritten_entry": case_rewritten_entry,
    "dropped_entry": case_dropped_entry,
    "forked_checkpoint": case_forked_checkpoint,
    "miscount": case_miscount,
    "wrong_category": case_wrong_category,
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
