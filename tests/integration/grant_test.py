#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/grant_test.py: `safehouse review grant` (issue 10,
# "Adding a reviewer to existing cases is a rewrap ... it is logged"), end
# to end against the real binary and the stock age:
#   cli: a case arrives through the real intake (a message and a file large
#     enough to be a blob) encrypted to the recipient set, which holds
#     alice but not bob: bob cannot read it. Refusals change nothing: a
#     grant to a reviewer who has not enrolled, to an unknown name, to
#     oneself, by bob (his keys open nothing), without case ids. Then alice
#     grants bob the case: bob reads it with `review read` and, from the
#     stored blob, with the stock `age -d`; alice still reads it; the old
#     blob is gone; the grants table keeps the old digests; the audit log
#     has one `grant` entry and verifies. A second grant rewraps nothing;
#     `--all` grants a second case.
# cli_postgres: the same with the installation on PostgreSQL.
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, live_blobs, log, run_cases, unique_marker  # noqa: E402
from clean_test import blob_bytes, expect_refused, frame_content  # noqa: E402
from engines import On, run, sql  # noqa: E402


def hex_of(inst, column):
    return "encode(%s, 'hex')" % column if hasattr(inst, "cluster") else "lower(hex(%s))" % column


def items_of(inst, case_id):
    """[(item_id, sha256 hex, in_blob)] of the case."""
    out = sql(inst, "SELECT item_id || ' ' || %s || ' ' || in_blob FROM items WHERE case_id = %d "
              "ORDER BY item_id" % (hex_of(inst, "sha256"), case_id))
    return [tuple(line.split()) for line in out.splitlines() if line.strip()]


def reads(inst, key, case_id, marker):
    rc, out, _ = run(inst, ["review", "read", "--data", inst.dir, "-i", key, str(case_id)])
    return rc == 0 and marker in out


def grant_cli(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        keys = {}
        for name in ("alice", "bob"):
            keys[name] = os.path.join(inst.root, name + ".key")
            inst.cli(["reviewer", "add", "--data", inst.dir, name, "--identity-out", keys[name]])
        inst.cli(["reviewer", "add", "--data", inst.dir, "carol"])  # not enrolled
        inst.cli(["recipients", "add", "--data", inst.dir, "alice"])
        server = inst.start()
        marker = unique_marker("GRANTED")
        content = os.urandom(150000)
        resp = server.session().first_contact(marker, files=[("evidence.bin", content)])
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        second = unique_marker("SECOND")
        resp = server.session().first_contact(second)
        check(resp.status in (200, 303), "second contact: %d" % resp.status)
        server.stop()
        first_case, second_case = [int(x) for x in sql(
            inst, "SELECT case_id FROM cases ORDER BY case_id").split()]
        before = items_of(inst, first_case)
        blobs = [i for i in before if i[2] == "1"]
        check(len(before) == 2 and len(blobs) == 1, "items %r" % before)
        check(reads(inst, keys["alice"], first_case, marker), "alice cannot read the case")
        check(not reads(inst, keys["bob"], first_case, marker), "bob read the case before a grant")

        def grant(*args, key="alice", to="bob"):
            return run(inst, ["review", "grant", "--data", inst.dir, "-i", keys[key], "--to", to] +
                       list(args))

        expect_refused(grant(str(first_case), to="carol"), "has not enrolled yet",
                       "a grant to a reviewer who has not enrolled")
        expect_refused(grant(str(first_case), to="nobody"), "no reviewer named nobody",
                       "a grant to an unknown name")
        expect_refused(grant(str(first_case), to="alice"), "cannot grant cases to themselves",
                       "a grant to oneself")
        expect_refused(grant(str(first_case), key="bob", to="alice"),
                       "no identity matched", "a grant by keys that open nothing")
        expect_refused(grant(), "give the case ids or --all", "no case ids")
        expect_refused(grant(str(first_case), "--all"), "give the case ids or --all",
                       "case ids and --all")
        check(items_of(inst, first_case) == before, "a refused grant changed the items")
        check(sql(inst, "SELECT count(*) FROM grants") == "0", "a refused grant left rows")

        rc, out, err = grant(str(first_case))
        check(rc == 0, "grant: %d %s" % (rc, err))
        check("Case %d: 2 items, 0 assessment versions rewrapped for bob (1 old ciphertext deleted)"
              % first_case in out, "grant said %r" % out)
        log("grant:", out.strip())
        check(reads(inst, keys["bob"], first_case, marker), "bob cannot read the granted case")
        check(reads(inst, keys["alice"], first_case, marker), "alice lost the case")
        check(not reads(inst, keys["bob"], second_case, second), "bob reads an ungranted case")

        after = items_of(inst, first_case)
        check([i[0] for i in after] == [i[0] for i in before], "item ids changed")
        check(all(a[1] != b[1] for a, b in zip(after, before)), "a ciphertext did not change")
        rows = sql(inst, "SELECT kind || ' ' || object_id || ' ' || %s || ' ' || %s FROM grants "
                   "ORDER BY grant_id" % (hex_of(inst, "old_sha256"), hex_of(inst, "new_sha256")))
        expected = "\n".join("item %s %s %s" % (b[0], b[1], a[1]) for a, b in zip(after, before))
        check(rows == expected, "grants %r, not %r" % (rows, expected))

        # The stock age opens the rewrapped blob with bob's key.
        new_blob = [a for a in after if a[2] == "1"][0]
        ciphertext = blob_bytes(inst, new_blob[1])
        proc = subprocess.run(["age", "-d", "-i", keys["bob"]], input=ciphertext,
                              capture_output=True, timeout=60)
        check(proc.returncode == 0, "age -d with bob's key: %s" % proc.stderr.decode())
        header, body = frame_content(proc.stdout)
        check(body == content and header.get("name", header.get("file_name")) in
              ("evidence.bin", None), "age -d gave another file: %r" % header)
        # The old ciphertext is gone from the blob store; the new one is live.
        if hasattr(inst, "cluster"):
            stored = lambda digest: sql(  # noqa: E731
                inst, "SELECT count(*) FROM blobs WHERE sha256 = '\\x%s'::bytea" % digest) == "1"
        else:
            stored = lambda digest: digest in live_blobs(inst)  # noqa: E731
        gone = not stored(blobs[0][1]) and stored(new_blob[1])
        check(gone, "the old blob is still stored")

        audit = sql(inst, "SELECT actor || '|' || action || '|' || case_id || '|' || detail "
                    "FROM audit_log WHERE action = 'grant'")
        bob_recipient = [line.split(": ", 1)[1].strip() for line in open(keys["bob"])
                         if line.startswith("# public key: ")][0]
        check(audit == "alice|grant|%d|to bob %s: 2 items, 0 assessment versions" %
              (first_case, bob_recipient), "audit %r" % audit)
        out = inst.cli(["audit", "verify", "--data", inst.dir])
        log("audit verify:", out.strip())

        rc, out, err = grant(str(first_case))
        check(rc == 0 and "nothing to rewrap; 2 granted to bob before" in out,
              "second grant: %d %r %r" % (rc, out, err))
        check(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'grant'") == "1",
              "a grant that rewrapped nothing was logged")
        rc, out, err = grant("--all")
        check(rc == 0 and "Case %d: 1 item, 0 assessment versions rewrapped" % second_case in out
              and "can now decrypt 2 cases" in out, "--all: %d %r %r" % (rc, out, err))
        check(reads(inst, keys["bob"], second_case, second), "bob cannot read the second case")


CASES = {
    "cli": grant_cli,
    "cli_postgres": lambda b, k: grant_cli(b, k, "postgres"),
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
