#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/recipients_test.py: the recipient set and access for
# reviewers (issue 10), end to end against the real binary.
#   set: `safehouse recipients list|add|remove` while a server runs: an
#     enrolled reviewer (here: one with a key file) is added, the running
#     server publishes them in the signed note of /api/v1/metadata and
#     encrypts the next submission to them, with no restart; a reviewer not
#     enrolled yet, an unknown one, one already in the set, and removing the
#     last recipient (also by `reviewer remove`) are refused; removing a
#     reviewer drops them from the set; every change is in the audit log and
#     keys/recipients.txt is rewritten as a copy.
# Each case also runs with the installation on PostgreSQL (`*_postgres`).
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, log, run_cases, unique_marker  # noqa: E402
from engines import On, run, sql  # noqa: E402


def expect_refused(result, words, what):
    rc, out, err = result
    check(rc != 0, "%s: was not refused: %s" % (what, out))
    check(words in err, "%s: %r not in %r" % (what, words, err))
    log(what, "refused:", err.strip())


def new_case(inst, server, message):
    resp = server.session().first_contact(message)
    check(resp.status in (200, 303), "first contact: %d" % resp.status)
    return int(sql(inst, "SELECT max(case_id) FROM cases"))


def recipient_of(key_file):
    for line in open(key_file):
        if line.startswith("# public key: "):
            return line.split(": ", 1)[1].strip()
    raise AssertionError("no public key in " + key_file)


def published(server):
    resp = server.session().get("/api/v1/metadata")
    check(resp.status == 200, "metadata: %d" % resp.status)
    meta = json.loads(resp.body)
    note = meta.get("recipients_note", "")
    check(note.startswith("safehouse/recipients/v1\n"), "no signed note: %r" % meta)
    listed = note.split("\n\n", 1)[0].split("\n")[1:]
    check(sorted(listed) == sorted(meta["recipients"]), "the note and the list differ: %r" % meta)
    return set(meta["recipients"])


def wait_published(server, expected, what):
    deadline = time.time() + 10
    while time.time() < deadline:
        got = published(server)
        if got == set(expected):
            log(what, "published after", "%.1f s" % (10 - (deadline - time.time())))
            return
        time.sleep(0.2)
    raise AssertionError("%s: the server publishes %r, not %r" % (what, got, expected))


def reads(inst, key, case_id, marker):
    rc, out, _ = run(inst, ["review", "read", "--data", inst.dir, "-i", key, str(case_id)])
    return rc == 0 and marker in out


def recipient_set(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        server = inst.start()
        demo = recipient_of(inst.identity) if open(inst.identity).read().find("# public key") >= 0 \
            else None
        out = inst.cli(["recipients", "list", "--data", inst.dir])
        rows = [line.split()[0] for line in out.splitlines()[1:] if line.startswith("age1")]
        check(len(rows) == 1, "init's set: %r" % out)
        demo = rows[0]
        check("reviewer (not a registered reviewer)" in out, "list: %r" % out)
        wait_published(server, [demo], "the initial set")

        bob_key = os.path.join(inst.root, "bob.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "bob", "--identity-out", bob_key])
        bob = recipient_of(bob_key)
        inst.cli(["reviewer", "add", "--data", inst.dir, "carol"])
        out = inst.cli(["recipients", "list", "--data", inst.dir])
        check("can be added: bob" in out and "not enrolled yet: carol" in out, "list: %r" % out)
        expect_refused(run(inst, ["recipients", "add", "--data", inst.dir, "carol"]),
                       "has not enrolled yet", "a reviewer who has not enrolled")
        expect_refused(run(inst, ["recipients", "add", "--data", inst.dir, "nobody"]),
                       "no reviewer named nobody", "an unknown reviewer")
        expect_refused(run(inst, ["recipients", "add", "--data", inst.dir, "age1notakey"]),
                       "not an age1", "a malformed key")

        # Before: bob cannot read a new case.
        before = unique_marker("BEFORE")
        case_before = new_case(inst, server, before)
        check(not reads(inst, bob_key, case_before, before), "bob read a case before being added")

        out = inst.cli(["recipients", "add", "--data", inst.dir, "bob"])
        check("Added bob" in out and "2 recipients" in out, "add: %r" % out)
        wait_published(server, [demo, bob], "after add bob")
        after = unique_marker("AFTER")
        case_after = new_case(inst, server, after)
        check(reads(inst, bob_key, case_after, after), "bob cannot read the case after add")
        check(reads(inst, inst.identity, case_after, after), "the demo reviewer cannot read it")
        # The stock age opens the item with bob's key too.
        bundle = os.path.join(inst.root, "bundle")
        inst.cli(["export", "--data", inst.dir, str(case_after), "-o", bundle])
        items = [n for n in os.listdir(bundle) if n.startswith("item-")]
        proc = subprocess.run(["age", "-d", "-i", bob_key, os.path.join(bundle, items[0])],
                              capture_output=True, timeout=60)
        check(proc.returncode == 0 and after.encode() in proc.stdout, "age -d: %r" % proc.stderr)
        expect_refused(run(inst, ["recipients", "add", "--data", inst.dir, "bob"]),
                       "already in the recipient set", "adding twice")

        # The init identity goes (by its label): only bob now.
        out = inst.cli(["recipients", "remove", "--data", inst.dir, "reviewer"])
        check("1 recipient" in out, "remove: %r" % out)
        wait_published(server, [bob], "after remove reviewer")
        only = unique_marker("ONLYBOB")
        case_only = new_case(inst, server, only)
        check(reads(inst, bob_key, case_only, only), "bob cannot read the last case")
        check(not reads(inst, inst.identity, case_only, only), "a removed recipient still reads")
        expect_refused(run(inst, ["recipients", "remove", "--data", inst.dir, "bob"]),
                       "is the last recipient", "removing the last recipient")
        expect_refused(run(inst, ["reviewer", "remove", "--data", inst.dir, "bob"]),
                       "is the last recipient", "removing the last recipient's reviewer")
        check("bob " in inst.cli(["reviewer", "list", "--data", inst.dir]), "bob vanished")

        # An offline archive key, then bob leaves: the set drops him.
        archive = subprocess.run(["age-keygen"], capture_output=True, timeout=60).stdout.decode()
        archive_recipient = [l for l in archive.splitlines() if l.startswith("# public key: ")][0]
        archive_recipient = archive_recipient.split(": ", 1)[1]
        inst.cli(["recipients", "add", "--data", inst.dir, archive_recipient, "--label",
                  "offline archive"])
        inst.cli(["reviewer", "remove", "--data", inst.dir, "bob"])
        out = inst.cli(["recipients", "list", "--data", inst.dir])
        check(archive_recipient in out and "offline archive" in out and bob not in out,
              "list after reviewer remove: %r" % out)
        wait_published(server, [archive_recipient], "after reviewer remove bob")
        expect_refused(run(inst, ["recipients", "add", "--data", inst.dir, "bob"]), "was removed",
                       "adding a removed reviewer")

        # The copy, the audit log.
        copy = open(os.path.join(inst.dir, "keys", "recipients.txt")).read()
        check(copy.count("age1") == 1 and archive_recipient in copy and
              "# offline archive" in copy, "keys/recipients.txt: %r" % copy)
        rows = sql(inst, "SELECT action || ' ' || detail FROM audit_log WHERE action LIKE "
                   "'recipient-%' ORDER BY seq").split("\n")
        check(rows == ["recipient-add bob " + bob, "recipient-remove reviewer " + demo,
                       "recipient-add key " + archive_recipient, "recipient-remove bob " + bob],
              "audit rows %r" % rows)
        rc, out, err = run(inst, ["audit", "verify", "--data", inst.dir])
        check(rc == 0, "audit verify: %s" % err)
        check(server.alive(), "the server stopped")


CASES = {
    "set": recipient_set,
    "set_postgres": lambda b, k: recipient_set(b, k, "postgres"),
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
