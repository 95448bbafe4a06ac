#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/offline_test.py: offline review (issue 10), end to end
# against the real binary and a running server.
#   export: `safehouse export` writes a bundle (encrypted items, case files,
#     manifest); with the data directory moved away, `review read --bundle`
#     shows the message, claims, reply and file; `sha256sum -c` and the stock
#     `age -d` open it too; a changed, missing or extra-large file, a broken
#     manifest and an unfinished export are refused naming the bad file; an
#     existing output directory and an unknown case are refused and leave
#     nothing; the export is in the audit log, which stays intact.
#   sealed: a case with an assessment version (sealed to the reviewer as the
#     workspace seals it) and a publication copy (`review clean --attach`)
#     is exported: the bundle holds assessment-<case>-1.age and
#     copy-<id>.age, listed in a v2 case file and the manifest, which the
#     stock `age -d` opens; `review read --bundle` (data directory moved
#     away) and `review read --data` show the assessment's grade, checks with
#     their evidence digests, category and notes (a terminal escape in the
#     notes neutralised) and save the copy; a changed assessment file is
#     refused naming it.
#   duplicate: `review transition … duplicate --of CASE` stores the link,
#     shown by `review list` (DUPLICATE-OF) and `review read` on both sides;
#     linking a case to itself, to an unknown case or to a duplicate, and
#     --of with another status, are refused and logged.
# Each case also runs with the installation on PostgreSQL (`*_postgres`, a
# throw-away cluster as integration.postgres.*).
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, log, run_cases, unique_marker  # noqa: E402
from engines import On, run, sql  # noqa: E402


def expect_refused(result, words, what):
    rc, out, err = result
    check(rc != 0, "%s: was not refused: %s" % (what, out))
    check(words in err, "%s: %r not in %r" % (what, words, err))
    log(what, "refused:", err.strip())


def new_case(inst, server, message, files=(), claims=None):
    source = server.session()
    resp = source.first_contact(message, files=files, claims=claims)
    check(resp.status in (200, 303), "first contact: %d" % resp.status)
    return int(sql(inst, "SELECT max(case_id) FROM cases"))


def read_bundle(inst, bundle, extra=()):
    return run(inst, ["review", "read", "--bundle", bundle, "-i", inst.identity] + list(extra))


def export(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        server = inst.start()
        message, claim = unique_marker("MSG"), unique_marker("UNIT")
        file_body = ("file " + unique_marker("FILE") + "\n").encode() * 200
        case_a = new_case(inst, server, message, files=[("report.txt", file_body)],
                          claims={"branch": "police", "unit": claim})
        reply = unique_marker("REPLY")
        inst.cli(["review", "reply", "--data", inst.dir, str(case_a)], input_bytes=reply.encode())
        other = unique_marker("OTHER")
        case_b = new_case(inst, server, other)
        case_c = new_case(inst, server, unique_marker("NOTEXPORTED"))
        server.stop()

        alice = os.path.join(inst.root, "alice.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "alice", "--identity-out", alice])
        bundle = os.path.join(inst.root, "bundle")
        rc, out, err = run(inst, ["export", "--data", inst.dir, str(case_a), str(case_b),
                                  str(case_a), "-o", bundle, "-i", alice])
        check(rc == 0, "export: %d %s" % (rc, err))
        check("Exported 2 cases, 4 encrypted items" in out, "export said %r" % out)
        check("review read --bundle" in out, "export does not say how to read it: %r" % out)
        log("export:", out.splitlines()[0])
        names = sorted(os.listdir(bundle))
        items = [n for n in names if n.startswith("item-")]
        check("manifest.txt" in names and "case-%d.txt" % case_a in names and
              "case-%d.txt" % case_b in names and "case-%d.txt" % case_c not in names,
              "bundle holds %r" % names)
        check(len(items) == 4, "bundle items %r" % items)
        mode = os.stat(bundle).st_mode & 0o777
        check(mode == 0o700, "bundle mode %o" % mode)

        # Ciphertext only: no marker in any bundle file.
        for name in names:
            data = open(os.path.join(bundle, name), "rb").read()
            for marker in (message, claim, reply, other):
                check(marker.encode() not in data, "%s in plain text in %s" % (marker, name))

        # The audit log names the exporter, once per case.
        rows = sql(inst, "SELECT actor || ':' || case_id FROM audit_log WHERE action = "
                   "'export' ORDER BY seq").split("\n")
        check(rows == ["alice:%d" % case_a, "alice:%d" % case_b], "audit rows %r" % rows)
        rc, out, err = run(inst, ["audit", "verify", "--data", inst.dir])
        check(rc == 0, "audit verify: %s" % err)

        # The stock tools: sha256sum checks the manifest, age opens an item.
        proc = subprocess.run(["sha256sum", "-c", "--strict", "manifest.txt"], cwd=bundle,
                              capture_output=True, timeout=60)
        check(proc.returncode == 0, "sha256sum -c: %r" % proc.stdout)
        found = False
        for name in items:
            proc = subprocess.run(["age", "-d", "-i", inst.identity, os.path.join(bundle, name)],
                                  capture_output=True, timeout=60)
            check(proc.returncode == 0, "age -d %s: %r" % (name, proc.stderr))
            found = found or message.encode() in proc.stdout
        check(found, "age -d opened no item holding the message")

        # Offline: the data directory is gone.
        offline_dir = inst.dir + ".away"
        os.rename(inst.dir, offline_dir)
        identity = os.path.join(inst.root, "reviewer.key")
        shutil.copy(os.path.join(offline_dir, "demo-reviewer.key"), identity)
        inst.identity = identity
        try:
            out_dir = os.path.join(inst.root, "files")
            rc, out, err = read_bundle(inst, bundle, ["--out", out_dir])
            check(rc == 0, "review read --bundle: %d %s" % (rc, err))
            for marker in (message, claim, reply, other):
                check(marker in out, "%s not shown by review read --bundle" % marker)
            check("manifest verified, 2 cases" in out, "no verification line: %r" % out)
            saved = os.listdir(out_dir)
            check(len(saved) == 1 and saved[0].endswith("report.txt"), "saved %r" % saved)
            check(open(os.path.join(out_dir, saved[0]), "rb").read() == file_body,
                  "saved file differs")
            rc, out, err = read_bundle(inst, bundle, [str(case_b)])
            check(rc == 0 and other in out and message not in out, "one case: %r %r" % (out, err))
            expect_refused(read_bundle(inst, bundle, [str(case_c)]), "does not hold case %d" % case_c,
                           "a case not in the bundle")
            expect_refused(run(inst, ["review", "read", "--bundle", bundle]), "-i FILE",
                           "--bundle without -i")

            def broken(name, change):
                copy = os.path.join(inst.root, "broken-" + name)
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(bundle, copy)
                change(copy)
                return copy

            def flip(path):
                data = bytearray(open(path, "rb").read())
                data[len(data) // 2] ^= 1
                open(path, "wb").write(bytes(data))

            victim = items[0]
            copy = broken("flip", lambda d: flip(os.path.join(d, victim)))
            expect_refused(read_bundle(inst, copy), victim + ": its SHA-256 does not match",
                           "a changed item")
            copy = broken("gone", lambda d: os.unlink(os.path.join(d, victim)))
            expect_refused(read_bundle(inst, copy), victim + ": listed in the manifest but missing",
                           "a missing item")
            case_file = "case-%d.txt" % case_a
            copy = broken("case", lambda d: open(os.path.join(d, case_file), "a").write("x\n"))
            expect_refused(read_bundle(inst, copy), case_file + ": its SHA-256 does not match",
                           "a changed case file")

            def resigned(d):
                # A case file edited *and* its manifest line updated: the
                # case file's own check of its items still refuses it.
                path = os.path.join(d, case_file)
                text = open(path).read()
                text = re.sub(r"^(item \d+ \w+ \d+ )[0-9a-f]{64}", lambda m: m.group(1) + "0" * 64,
                              text, count=1, flags=re.M)
                open(path, "w").write(text)
                digest = hashlib.sha256(text.encode()).hexdigest()
                manifest = os.path.join(d, "manifest.txt")
                lines = [(digest + "  " + case_file) if line.endswith("  " + case_file) else line
                         for line in open(manifest).read().splitlines()]
                open(manifest, "w").write("\n".join(lines) + "\n")
            copy = broken("resigned", resigned)
            expect_refused(read_bundle(inst, copy), "differs from the one in " + case_file,
                           "a case file naming another item digest")
            copy = broken("manifest", lambda d: open(os.path.join(d, "manifest.txt"), "a").write(
                "not a manifest line\n"))
            expect_refused(read_bundle(inst, copy), "manifest: line %d" % (len(names)),
                           "a malformed manifest")
            copy = broken("unfinished", lambda d: os.unlink(os.path.join(d, "manifest.txt")))
            expect_refused(read_bundle(inst, copy), "has no manifest.txt", "no manifest")
            copy = broken("link", lambda d: (os.unlink(os.path.join(d, victim)),
                                             os.symlink("/etc/passwd", os.path.join(d, victim))))
            rc, out, err = read_bundle(inst, copy)
            check(rc != 0 and victim in err, "a symbolic link was followed: %r" % err)
            log("symbolic link refused:", err.strip())
        finally:
            os.rename(offline_dir, inst.dir)

        expect_refused(run(inst, ["export", "--data", inst.dir, str(case_a), "-o", bundle]),
                       "exists", "export into an existing directory")
        fresh = os.path.join(inst.root, "fresh")
        expect_refused(run(inst, ["export", "--data", inst.dir, "999", "-o", fresh]), "999",
                       "an unknown case")
        check(not os.path.exists(fresh), "a refused export left a directory")
        exports = int(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'export'"))
        check(exports == 2, "%d export entries, not 2: a refused export is not logged" % exports)


def list_row(inst, case_id):
    out = inst.cli(["review", "list", "--data", inst.dir])
    lines = out.splitlines()
    check("DUPLICATE-OF" in lines[0], "review list header: %r" % lines[0])
    for line in lines[1:]:
        if line.split()[0] == str(case_id):
            return line.split()
    raise AssertionError("case %d not listed: %r" % (case_id, out))


def duplicate(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        server = inst.start()
        original = new_case(inst, server, unique_marker("FIRST"))
        copy = new_case(inst, server, unique_marker("AGAIN"))
        third = new_case(inst, server, unique_marker("THIRD"))
        server.stop()
        alice = os.path.join(inst.root, "alice.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "alice", "--identity-out", alice])

        def transition(case_id, status, *extra):
            return run(inst, ["review", "transition", "--data", inst.dir, "-i", alice,
                              str(case_id), status] + list(extra))

        expect_refused(transition(copy, "duplicate", "--of", str(copy)), "duplicate of itself",
                       "a case linked to itself")
        expect_refused(transition(copy, "duplicate", "--of", "999"), "no such case",
                       "a link to an unknown case")
        expect_refused(transition(copy, "triage", "--of", str(original)), "only with duplicate",
                       "--of with triage")
        rc, out, err = transition(copy, "duplicate", "--of", str(original))
        check(rc == 0 and "received -> duplicate" in out and
              "duplicate of case %d" % original in out, "duplicate --of: %d %r %r" % (rc, out, err))
        log("duplicate --of:", out.strip())
        row = list_row(inst, copy)
        check(row[2] == "duplicate" and row[-1] == str(original) and len(row) == 8,
              "review list row %r" % row)
        check(len(list_row(inst, original)) == 7, "the original shows a link")
        check(sql(inst, "SELECT duplicate_of FROM case_links WHERE case_id = %d" % copy) ==
              str(original), "case_links row")
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", inst.identity, str(copy)])
        check("Duplicate of case %d." % original in out, "review read of the copy: %r" % out)
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", inst.identity, str(original)])
        check("Duplicates of this case: %d" % copy in out, "review read of the original: %r" % out)
        expect_refused(transition(third, "duplicate", "--of", str(copy)),
                       "is itself a duplicate of case %d" % original, "a link to a duplicate")
        # duplicate without --of: a status only, as the contract has it.
        rc, out, err = transition(third, "duplicate")
        check(rc == 0 and len(list_row(inst, third)) == 7, "plain duplicate: %r %r" % (out, err))
        refusals = int(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'refused'"))
        check(refusals == 4, "%d refusals logged, not 4" % refusals)
        check(sql(inst, "SELECT count(*) FROM audit_log WHERE action = 'transition' AND "
                  "detail LIKE '%%, duplicate of case %d'" % original) == "1",
              "the link is not in the audit log")
        rc, out, err = run(inst, ["audit", "verify", "--data", inst.dir])
        check(rc == 0, "audit verify: %s" % err)


def sealed(binary, keep, engine="sqlite"):
    from clean_test import png_with_metadata  # noqa: E402
    with On(engine, binary, keep) as inst:
        alice = os.path.join(inst.root, "alice.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "alice", "--identity-out", alice])
        inst.cli(["recipients", "add", "--data", inst.dir, "alice"])
        server = inst.start()
        message = unique_marker("MSG")
        case_id = new_case(inst, server, message,
                           files=[("photo.png", png_with_metadata("Author A", "Place P"))])
        server.stop()
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", alice, str(case_id)])
        png_item = int(re.search(r"^--- item (\d+), .*, file", out, re.M).group(1))
        inst.cli(["review", "clean", "--data", inst.dir, "-i", alice, str(case_id), str(png_item),
                  "-o", os.path.join(inst.root, "clean.png"), "--attach"])

        # An assessment as the workspace seals it: JSON, age, to alice.
        evidence = sql(inst, "SELECT %s FROM items WHERE item_id = %d" % (
            "encode(sha256, 'hex')" if hasattr(inst, "cluster") else "lower(hex(sha256))",
            png_item))
        notes = unique_marker("NOTES")
        record = ('{"version":1,"case":%d,"reviewer":"alice","reliability":"B","credibility":"2",'
                  '"category":"police","checks":{"source":{"done":true,"evidence":["%s"]},'
                  '"technical":{"done":false,"evidence":[]},"content":{"done":true,"evidence":[]}},'
                  '"notes":"%s \\u001b[31mred"}' % (case_id, evidence, notes))
        recipient = [line.split(": ", 1)[1].strip() for line in open(alice)
                     if line.startswith("# public key: ")][0]
        sealed_record = subprocess.run(["age", "-r", recipient], input=record.encode(),
                                       capture_output=True, check=True, timeout=60).stdout
        reviewer_id = int(sql(inst, "SELECT reviewer_id FROM reviewers WHERE name = 'alice'"))
        blob = ("'\\x%s'::bytea" if hasattr(inst, "cluster") else "X'%s'") % sealed_record.hex()
        sql(inst, "INSERT INTO assessments (case_id, version, reviewer_id, reliability, "
            "credibility, day, sealed) VALUES (%d, 1, %d, 'B', 2, 20261205, %s)" %
            (case_id, reviewer_id, blob))

        def check_shown(out, where):
            for words in ("--- assessment version 1, 2026-12-05, grade B2", "reviewer: alice",
                          "category: police", "checks: source (evidence %s), content" % evidence,
                          "notes: " + notes, "--- publication copy 1 of item %d" % png_item,
                          message):
                check(words in out, "%s: %r not in %r" % (where, words, out))
            check("\x1b" not in out, "%s: a terminal escape reached the output" % where)

        out = inst.cli(["review", "read", "--data", inst.dir, "-i", alice, str(case_id)])
        check_shown(out, "review read --data")

        bundle = os.path.join(inst.root, "bundle")
        out = inst.cli(["export", "--data", inst.dir, str(case_id), "-o", bundle, "-i", alice])
        check("1 sealed assessment version, 1 publication copy" in out, "export said %r" % out)
        names = sorted(os.listdir(bundle))
        for name in ("assessment-%d-1.age" % case_id, "copy-1.age"):
            check(name in names, "%s not in the bundle: %r" % (name, names))
        case_file = open(os.path.join(bundle, "case-%d.txt" % case_id)).read()
        check(case_file.startswith("safehouse bundle case v2\n") and
              "\nassessment 1 20261205 B2 %s %d\n" % (hashlib.sha256(sealed_record).hexdigest(),
                                                     len(sealed_record)) in case_file and
              "\ncopy 1 %d " % png_item in case_file, "case file: %r" % case_file)
        proc = subprocess.run(["sha256sum", "-c", "--strict", "manifest.txt"], cwd=bundle,
                              capture_output=True, timeout=60)
        check(proc.returncode == 0, "sha256sum -c: %s" % proc.stdout.decode())
        proc = subprocess.run(["age", "-d", "-i", alice,
                               os.path.join(bundle, "assessment-%d-1.age" % case_id)],
                              capture_output=True, timeout=60)
        check(proc.returncode == 0 and proc.stdout == record.encode(),
              "age -d of the assessment: %r" % proc.stderr)

        moved = inst.dir + ".away"
        os.rename(inst.dir, moved)
        try:
            saved = os.path.join(inst.root, "saved")
            rc, out, err = run(inst, ["review", "read", "--bundle", bundle, "-i", alice,
                                      "--out", saved])
            check(rc == 0, "review read --bundle: %d %s" % (rc, err))
            check_shown(out, "review read --bundle")
            check("copy1-copy-of-item-%d.png" % png_item in os.listdir(saved),
                  "the copy was not saved: %r" % os.listdir(saved))
            target = os.path.join(bundle, "assessment-%d-1.age" % case_id)
            data = bytearray(open(target, "rb").read())
            data[-1] ^= 1
            open(target, "wb").write(bytes(data))
            expect_refused(run(inst, ["review", "read", "--bundle", bundle, "-i", alice]),
                           "assessment-%d-1.age: its SHA-256 does not match" % case_id,
                           "a changed assessment file")
        finally:
            os.rename(moved, inst.dir)


CASES = {
    "export": export,
    "sealed": sealed,
    "sealed_postgres": lambda b, k: sealed(b, k, "postgres"),
    "export_postgres": lambda b, k: export(b, k, "postgres"),
    "duplicate": duplicate,
    "duplicate_postgres": lambda b, k: duplicate(b, k, "postgres"),
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
