#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/workflow_test.py: the verification workflow's
# command-line contract (issue 10), end to end against the real binary and
# a running server: a first contact over HTTP; `reviewer add` ×3 with
# --identity-out (mode 0600, an identity the stock `age` decrypts with);
# `review list`'s shape; `review transition` along the main path, with the
# checker refused at `verified`, a second approval from the same reviewer
# refused, and the case verified at the second different reviewer; the case
# events; `audit verify` intact, then broken by an edited, deleted and
# reordered row (sqlite3 on copies of the data directory).
# `cli_contract_postgres` runs the same contract with the installation on
# PostgreSQL (a throw-away cluster, as integration.postgres.*); its tampered
# copies are databases made from the original (CREATE DATABASE … TEMPLATE)
# with a copy of the data directory naming them.
import os
import re
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, db_path, log, run_cases, sqlite_query  # noqa: E402
from engines import On, run, sql  # noqa: E402


def transition(inst, key, case_id, status):
    return run(inst, ["review", "transition", "--data", inst.dir, "-i", key, str(case_id), status])


def expect_ok(result, words, what):
    rc, out, err = result
    check(rc == 0, "%s: exit %d: %s" % (what, rc, err))
    check(words in out, "%s: %r not in %r" % (what, words, out))
    log(what, "->", out.strip().splitlines()[0])


def expect_refused(result, words, what):
    rc, out, err = result
    check(rc != 0, "%s: was not refused: %s" % (what, out))
    check(words in err, "%s: %r not in %r" % (what, words, err))
    log(what, "refused:", err.strip())


def list_status(inst, case_id):
    out = inst.cli(["review", "list", "--data", inst.dir])
    lines = out.splitlines()
    check(len(lines) >= 2 and not lines[0].split()[0].isdigit(), "review list: no header: %r" % out)
    for line in lines[1:]:
        if line.split()[0] == str(case_id):
            return line
    raise AssertionError("case %d not listed: %r" % (case_id, out))


def check_key_file(inst, path, root):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    check(mode == 0o600, "%s has mode %o, not 0600" % (path, mode))
    text = open(path).read()
    check(re.search(r"^AGE-SECRET-KEY-1[0-9A-Z]+$", text, re.M), "no identity line in " + path)
    check(re.search(r"^# signing key .*: [A-Za-z0-9+/]{43}=$", text, re.M),
          "no signing key in " + path)
    recipient = re.search(r"^# public key: (age1[0-9a-z]+)$", text, re.M).group(1)
    # The stock age CLI reads the file as an identity.
    plain, sealed = os.path.join(root, "p.txt"), os.path.join(root, "p.age")
    with open(plain, "w") as f:
        f.write("for the reviewer\n")
    subprocess.run(["age", "-r", recipient, "-o", sealed, plain], check=True, timeout=60)
    back = subprocess.run(["age", "-d", "-i", path, sealed], capture_output=True, timeout=60)
    check(back.returncode == 0 and back.stdout == b"for the reviewer\n",
          "age -d -i %s failed: %r" % (path, back.stderr))


def psql_at(url, query):
    proc = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", query],
                          capture_output=True, timeout=60)
    check(proc.returncode == 0, "psql: " + proc.stderr.decode(errors="replace"))
    return proc.stdout.decode().strip()


def tampered_copy(inst, name, statements):
    """A copy of DIR with `statements` run on its database; audit verify's result."""
    copy = os.path.join(inst.root, name)
    shutil.copytree(inst.dir, copy)
    if hasattr(inst, "cluster"):
        # A copy of the database (no session may be connected to the
        # original: the server is stopped), named in the copy's config.toml.
        url = inst.cluster.url
        copy_url = url.rsplit("/", 1)[0] + "/tampered_" + name
        inst.cluster.psql("CREATE DATABASE tampered_%s TEMPLATE %s" % (name, url.rsplit("/", 1)[1]))
        config = os.path.join(copy, "config.toml")
        text = open(config).read()
        check(text.count(url) == 1, "config.toml does not name %s once" % url)
        with open(config, "w") as f:
            f.write(text.replace(url, copy_url))
        for statement in statements:
            psql_at(copy_url, statement)
    else:
        for statement in statements:
            sqlite_query(os.path.join(copy, "safehouse.sqlite3"), statement)
    proc = inst.cli(["audit", "verify", "--data", copy], check_rc=False)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def cli_contract(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        server = inst.start()
        source = server.session()
        resp = source.first_contact("I serve in a unit and want to talk.",
                                    claims={"branch": "police", "rank": "sergeant"})
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        if engine == "sqlite":
            check(os.path.exists(db_path(inst)), "no SQLite database in " + inst.dir)
        else:
            check(not os.path.exists(db_path(inst)), "a SQLite database beside PostgreSQL")
        case_id = int(sql(inst, "SELECT max(case_id) FROM cases"))
        check(sql(inst, "SELECT event_number, status FROM case_events WHERE case_id = %d" %
                  case_id) == "1|received", "first contact has no event 1 received")
        check("received" in list_status(inst, case_id), "new case not received")

        keys = {}
        for name in ("alice", "bob", "carol"):
            keys[name] = os.path.join(inst.root, name + ".key")
            expect_ok(run(inst, ["reviewer", "add", "--data", inst.dir, name, "--identity-out",
                                 keys[name]]), "Added reviewer " + name, "reviewer add " + name)
            check_key_file(inst, keys[name], inst.root)
        expect_refused(run(inst, ["reviewer", "add", "--data", inst.dir, "alice", "--identity-out",
                                  os.path.join(inst.root, "again.key")]), "taken",
                       "reviewer add alice again")
        check(not os.path.exists(os.path.join(inst.root, "again.key")), "refused add left keys")
        listed = inst.cli(["reviewer", "list", "--data", inst.dir])
        check(all(n in listed for n in keys), "reviewer list: %r" % listed)

        a, b, c = keys["alice"], keys["bob"], keys["carol"]
        expect_refused(transition(inst, a, case_id, "verified"), "no transition from received",
                       "skipping to verified")
        expect_refused(transition(inst, a, case_id, "approved"), "unknown status", "an unknown status")
        expect_refused(transition(inst, inst.identity, case_id, "triage"), "registered reviewer",
                       "the demo identity, no registered reviewer")
        for status in ("triage", "verifying", "corroborated"):
            expect_ok(transition(inst, a, case_id, status), "-> " + status, "alice " + status)
            check(status in list_status(inst, case_id), "review list does not show " + status)
        expect_refused(transition(inst, a, case_id, "verified"), "decisive check",
                       "alice approving her own check")
        expect_ok(transition(inst, b, case_id, "verified"), "approval 1 of 2", "bob verified")
        expect_refused(transition(inst, b, case_id, "verified"), "already approved",
                       "bob approving twice")
        check("corroborated" in list_status(inst, case_id), "moved after one approval")
        expect_ok(transition(inst, c, case_id, "verified"), "(2 of 2 approvals)", "carol verified")
        check("verified" in list_status(inst, case_id), "review list does not show verified")
        events = sql(inst, "SELECT event_number, status FROM case_events WHERE case_id = %d "
                     "ORDER BY event_number" % case_id).replace("|", ":").replace("\n", ",")
        check(events == "1:received,2:triage,3:verifying,4:corroborated,5:verified",
              "case events: " + events)

        expect_ok(run(inst, ["reviewer", "remove", "--data", inst.dir, "carol"]), "Removed",
                  "reviewer remove carol")
        expect_refused(transition(inst, c, case_id, "suspected-infiltration"), "was removed",
                       "removed carol")

        rc, out, err = run(inst, ["audit", "verify", "--data", inst.dir])
        check(rc == 0, "audit verify: %d %s" % (rc, err))
        entries = int(re.search(r"(\d+) entries", out).group(1))
        check(entries == int(sql(inst, "SELECT count(*) FROM audit_log")),
              "audit verify counts %d" % entries)
        refusals = int(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'refused'"))
        check(refusals == 5, "%d refusals logged, not 5" % refusals)
        log("audit log intact:", entries, "entries,", refusals, "refusals")
        server.stop()

        for name, statements, words in [
            ("edited", ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"], "entry 5"),
            ("deleted", ["DELETE FROM audit_log WHERE seq = 4"], "entry 4"),
            ("reordered", ["UPDATE audit_log SET seq = -1 WHERE seq = 6",
                           "UPDATE audit_log SET seq = 6 WHERE seq = 7",
                           "UPDATE audit_log SET seq = 7 WHERE seq = -1"], "entry 6"),
            ("truncated", ["DELETE FROM audit_log WHERE seq = %d" % entries], "entry %d" % entries),
        ]:
            rc, out, err = tampered_copy(inst, name, statements)
            check(rc != 0, "%s audit log passed: %s" % (name, out))
            check(words in err, "%s: %r does not name %s" % (name, err, words))
            log(name, "->", err.strip())


if __name__ == "__main__":
    sys.exit(run_cases({"cli_contract": cli_contract,
                        "cli_contract_postgres": lambda b, k: cli_contract(b, k, "postgres")},
                       sys.argv))
