#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/assess_test.py: `safehouse review assess` (issue 10,
# "The same operations from the CLI for offline work"), end to end:
#   cli: a case from the real intake; refusals first (a bad grade, an
#     unknown check or category, evidence without a check or of no item of
#     the case, keys of no registered reviewer), each leaving no assessment;
#     then a first-contact F6 and a B2 with checks, evidence, category and
#     notes: the case is graded and filed, both versions are in the audit
#     log, `review read --data` shows them decrypted, and so does `review
#     read --bundle` of an export with the data directory moved away; the
#     stock `age -d` opens the sealed record to the workspace's JSON.
# cli_postgres: the same with the installation on PostgreSQL.
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, log, run_cases, unique_marker  # noqa: E402
from clean_test import expect_refused  # noqa: E402
from engines import On, run, sql  # noqa: E402


def assess_cli(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        alice = os.path.join(inst.root, "alice.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "alice", "--identity-out", alice])
        inst.cli(["recipients", "add", "--data", inst.dir, "alice"])
        server = inst.start()
        message = unique_marker("MSG")
        resp = server.session().first_contact(message, files=[("report.txt", b"report " * 100)])
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        server.stop()
        case_id = int(sql(inst, "SELECT max(case_id) FROM cases"))
        items = [int(x) for x in sql(inst, "SELECT item_id FROM items WHERE case_id = %d ORDER BY "
                                     "item_id" % case_id).split()]
        hex_sha = "encode(sha256, 'hex')" if hasattr(inst, "cluster") else "lower(hex(sha256))"
        evidence = sql(inst, "SELECT %s FROM items WHERE item_id = %d" % (hex_sha, items[-1]))

        def assess(*args, key=alice):
            return run(inst, ["review", "assess", "--data", inst.dir, "-i", key, str(case_id)] +
                       list(args))

        expect_refused(assess("--grade", "G1"), "--grade is reliability A-F", "a bad grade")
        expect_refused(assess("--grade", "B"), "--grade is reliability A-F", "half a grade")
        expect_refused(assess("--grade", "B2", "--check", "magic"), "unknown check 'magic'",
                       "an unknown check")
        expect_refused(assess("--grade", "B2", "--evidence", str(items[0])),
                       "--evidence needs the --check", "evidence without a check")
        expect_refused(assess("--grade", "B2", "--check", "source", "--evidence", "99999"),
                       "has no item 99999", "evidence of no item of the case")
        expect_refused(assess("--grade", "B2", "--category", "spaceship"), "assess",
                       "an unknown category")
        expect_refused(assess("--grade", "B2", key=inst.identity), "review assess",
                       "keys of no registered reviewer")
        check(sql(inst, "SELECT count(*) FROM assessments") == "0", "a refusal stored one")

        rc, out, err = assess("--grade", "F6")
        check(rc == 0 and "assessment version 1, grade F6" in out, "F6: %d %r %r" % (rc, out, err))
        notes = unique_marker("NOTES")
        rc, out, err = assess("--grade", "B2", "--category", "police", "--check", "source",
                              "--check", "content", "--evidence", str(items[-1]), "--notes", notes)
        check(rc == 0 and "assessment version 2, grade B2, category police" in out,
              "B2: %d %r %r" % (rc, out, err))
        log("assess:", out.strip())
        check(sql(inst, "SELECT grade || ' ' || category FROM cases WHERE case_id = %d" % case_id)
              == "B2 police", "the case is not graded and filed")
        check(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'assess'") == "2",
              "the assessments are not both in the audit log")
        inst.cli(["audit", "verify", "--data", inst.dir])

        def shown(out, where):
            for words in ("--- assessment version 1, ", "grade F6", "checks: none done",
                          "--- assessment version 2, ", "grade B2", "reviewer: alice",
                          "category: police", "checks: source (evidence %s), content" % evidence,
                          "notes: " + notes, message):
                check(words in out, "%s: %r not in %r" % (where, words, out))

        shown(inst.cli(["review", "read", "--data", inst.dir, "-i", alice, str(case_id)]),
              "review read --data")
        bundle = os.path.join(inst.root, "bundle")
        out = inst.cli(["export", "--data", inst.dir, str(case_id), "-o", bundle, "-i", alice])
        check("2 sealed assessment versions" in out, "export said %r" % out)
        proc = subprocess.run(["age", "-d", "-i", alice,
                               os.path.join(bundle, "assessment-%d-2.age" % case_id)],
                              capture_output=True, timeout=60)
        check(proc.returncode == 0, "age -d: %s" % proc.stderr.decode())
        record = json.loads(proc.stdout)
        check(record["reviewer"] == "alice" and record["reliability"] == "B" and
              record["credibility"] == "2" and record["checks"]["source"] ==
              {"done": True, "evidence": [evidence]} and record["checks"]["technical"]["done"] is
              False and record["notes"] == notes, "the sealed record: %r" % record)
        moved = inst.dir + ".away"
        os.rename(inst.dir, moved)
        try:
            rc, out, err = run(inst, ["review", "read", "--bundle", bundle, "-i", alice])
            check(rc == 0, "review read --bundle: %s" % err)
            shown(out, "review read --bundle")
        finally:
            os.rename(moved, inst.dir)


CASES = {
    "cli": assess_cli,
    "cli_postgres": lambda b, k: assess_cli(b, k, "postgres"),
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
