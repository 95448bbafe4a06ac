#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/consent_test.py: sampled audits with the source's
# consent (issue 11; docs/tlog.md, "Sampled audits"), end to end against
# the real binary and a running server:
#   - two sources make first contact through the no-JavaScript form, one
#     ticking the audit consent, one not; the case rows say so;
#   - a reviewer moves both to triage and files them; `log publish`; the
#     public entries say nothing of consent; an accredited observer's
#     `observe` checks the log (openings v2) and cosigns nothing wrong;
#   - `observe sample` picks only the consenting case;
#   - `review share` of it to the observer works (audited "share"), the
#     stock age opens its items with the observer's key, and `observe audit`
#     passes; sharing the other case, or with an unknown observer, is
#     refused (the refusal audited) and writes nothing;
#   - tampering is caught by `observe audit`: a changed item (the manifest),
#     a share file naming another category (manifest rewritten to match),
#     and a case shared after its consent was forged in the database (the
#     openings of its earlier events say the source did not consent); when
#     the operator rewrites those too and reseals, the observer's state
#     (what its openings said before) catches it in `observe`, `observe
#     sample` and `observe audit`.
# scenario_postgres: the same on PostgreSQL (a throw-away cluster).
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, run_cases, unique_marker  # noqa: E402
import engines  # noqa: E402
from engines import sql  # noqa: E402


def run(inst, args):
    return engines.run(inst, args, echo=True)


def new_case(inst, server, message, consent):
    source = server.session()
    resp = source.first_contact(message, files=[("notes.txt", (message + "\n").encode() * 50)],
                                audit_consent=consent)
    check(resp.status in (200, 303), "first contact: %d" % resp.status)
    return int(sql(inst, "SELECT max(case_id) FROM cases"))


def rewrite_manifest(bundle):
    names = sorted(n for n in os.listdir(bundle) if n != "manifest.txt")
    with open(os.path.join(bundle, "manifest.txt"), "w") as f:
        for name in names:
            digest = hashlib.sha256(open(os.path.join(bundle, name), "rb").read()).hexdigest()
            f.write("%s  %s\n" % (digest, name))


def scenario(binary, keep, engine):
    with engines.On(engine, binary, keep) as inst:
        run_scenario(inst)


def run_scenario(inst):
    alice = os.path.join(inst.root, "alice.key")
    inst.cli(["reviewer", "add", "--data", inst.dir, "alice", "--identity-out", alice])
    inst.cli(["recipients", "add", "--data", inst.dir, "alice"])
    server = inst.start()

    # The box is there, unticked, in both languages.
    page = server.session().get("/en/first-contact")
    check('<input type="checkbox" id="audit_consent" name="audit_consent" value="yes">' in
          page.text and "checked" not in page.text, "no unticked consent box on /en/")
    page = server.session().get("/fa/first-contact")
    check('name="audit_consent" value="yes">' in page.text and "بازرسی مستقل" in page.text,
          "no Persian consent box on /fa/")

    secret_a, secret_b = unique_marker("CONSENTING"), unique_marker("PRIVATE")
    case_a = new_case(inst, server, secret_a, "yes")
    case_b = new_case(inst, server, secret_b, None)
    # A malformed value changes nothing.
    bad = server.session().first_contact("never stored", audit_consent="maybe")
    check(bad.status == 400, "a malformed consent: %d" % bad.status)
    check(int(sql(inst, "SELECT count(*) FROM cases")) == 2, "a malformed consent stored a case")
    rows = sql(inst, "SELECT case_id, audit_consent FROM cases ORDER BY case_id").split("\n")
    check(rows == ["%d|1" % case_a, "%d|0" % case_b], "cases.audit_consent: %r" % rows)

    # A reviewer works on both: triage, a category, a reply to A.
    for case, category in ((case_a, "police"), (case_b, "army")):
        inst.cli(["review", "transition", "--data", inst.dir, "-i", alice, str(case), "triage"])
        inst.cli(["review", "categorise", "--data", inst.dir, "-i", alice, str(case), category])
    inst.cli(["review", "reply", "--data", inst.dir, "-i", alice, str(case_a)],
             input_bytes=b"Thank you, we are checking.")
    # An assessment of A as the workspace seals it (JSON, age, to alice).
    record = ('{"version":1,"case":%d,"reviewer":"alice","reliability":"C","credibility":"3",'
              '"category":"police","checks":{"source":{"done":true,"evidence":[]},'
              '"technical":{"done":false,"evidence":[]},"content":{"done":false,"evidence":[]}},'
              '"notes":"%s"}' % (case_a, unique_marker("NOTES")))
    recipient = [line.split(": ", 1)[1].strip() for line in open(alice)
                 if line.startswith("# public key: ")][0]
    sealed_record = subprocess.run(["age", "-r", recipient], input=record.encode(),
                                   capture_output=True, check=True, timeout=60).stdout
    reviewer_id = int(sql(inst, "SELECT reviewer_id FROM reviewers WHERE name = 'alice'"))
    blob = ("'\\x%s'::bytea" if hasattr(inst, "cluster") else "X'%s'") % sealed_record.hex()
    sql(inst, "INSERT INTO assessments (case_id, version, reviewer_id, reliability, "
        "credibility, day, sealed) VALUES (%d, 1, %d, 'C', 3, 20261205, %s)" %
        (case_a, reviewer_id, blob))

    # An accredited observer; the log.
    observer_key = os.path.join(inst.root, "observer.key")
    out = inst.cli(["observer", "keygen", "ngo-watch", "-o", observer_key])
    line = re.search(r"^\s+(ngo-watch age1\S+ ngo-watch\+\S+)$", out, re.M)
    check(line, "observer keygen: %r" % out)
    inst.cli(["observer", "add", "--data", inst.dir] + line.group(1).split(" "))
    out = inst.cli(["log", "publish", "--data", inst.dir])
    check("Published 4 case events" in out, "log publish: %r" % out)
    url = "http://127.0.0.1:%d/log" % server.source_port
    session = server.session()
    entries = session.get("/log/tile/entries/000.p/4")
    check(entries.status == 200 and entries.body.count(b"safehouse/case-event/v1") == 4,
          "entries: %r" % entries.body[:200])
    check(b"consent" not in entries.body, "the public log says something of consent")
    key = open(os.path.join(inst.dir, "keys", "log.vkey")).read().strip()
    state = os.path.join(inst.root, "observer-state")
    rc, out, err = run(inst, ["observe", "--url", url, "--identity", observer_key, "--state", state,
                              "--key", key])
    check(rc == 0 and "RESULT: OK" in out, "observe: %s %s" % (out, err))
    check("openings v2; 1 case whose source consented" in out, "observe's consent count: %s" % out)

    # The observer picks: only the consenting case can come out.
    rc, out, err = run(inst, ["observe", "sample", "5", "--url", url, "--identity", observer_key,
                              "--state", state])
    check(rc == 0, "observe sample: %s" % err)
    sampled = re.findall(r"^case (\d+)$", out, re.M)
    check(sampled == [str(case_a)], "sampled %r, want only case %d: %s" % (sampled, case_a, out))
    check("consented to a sampled audit: 1 of 2" in out, "sample counts: %s" % out)
    rc, _, err = run(inst, ["observe", "sample", "0", "--url", url, "--identity", observer_key,
                            "--state", state])
    check(rc == 1 and "at least 1" in err, "sample 0: %s" % err)

    # Shared: rewrapped to the observer, audited.
    bundle = os.path.join(inst.root, "share-a")
    rc, out, err = run(inst, ["review", "share", "--data", inst.dir, "-i", alice, "--observer",
                              "ngo-watch", str(case_a), "-o", bundle])
    check(rc == 0 and "Shared case %d with observer ngo-watch: 3 items, 1 assessment version "
          "and 0 publication copies" % case_a in out, "share: %s %s" % (out, err))
    names = sorted(os.listdir(bundle))
    check("manifest.txt" in names and "case-%d.txt" % case_a in names and
          "share-%d.txt" % case_a in names and "assessment-%d-1.age" % case_a in names,
          "bundle holds %r" % names)
    proc = subprocess.run(["age", "-d", "-i", observer_key,
                           os.path.join(bundle, "assessment-%d-1.age" % case_a)],
                          capture_output=True, timeout=60)
    check(proc.returncode == 0 and proc.stdout == record.encode(),
          "the observer's age on the assessment: %r" % proc.stderr)
    share = open(os.path.join(bundle, "share-%d.txt" % case_a)).read()
    check(share == "safehouse/share/v1\ncase %d\nobserver ngo-watch\ncategory police\n" % case_a,
          "share file: %r" % share)
    items = [n for n in names if n.startswith("item-")]
    check(len(items) == 3, "items %r" % items)
    opened = b""
    for name in items:
        data = open(os.path.join(bundle, name), "rb").read()
        check(secret_a.encode() not in data, "plaintext in %s" % name)
        proc = subprocess.run(["age", "-d", "-i", observer_key, os.path.join(bundle, name)],
                              capture_output=True, timeout=60)
        check(proc.returncode == 0, "stock age -d with the observer's key: %r" % proc.stderr)
        opened += proc.stdout
    check(secret_a.encode() in opened, "the observer's age opened no message")
    proc = subprocess.run(["sha256sum", "-c", "--strict", "manifest.txt"], cwd=bundle,
                          capture_output=True, timeout=60)
    check(proc.returncode == 0, "sha256sum -c: %r" % proc.stdout)
    audit = sql(inst, "SELECT actor || ':' || action || ':' || case_id FROM audit_log "
                "WHERE action IN ('share', 'refused') ORDER BY seq").split("\n")
    check(audit == ["alice:share:%d" % case_a], "audit log: %r" % audit)

    rc, out, err = run(inst, ["observe", "audit", "--bundle", bundle, "--identity", observer_key,
                              "--url", url, "--state", state])
    check(rc == 0 and "RESULT: OK" in out, "observe audit: %s %s" % (out, err))
    for words in ("every file matches its SHA-256", "all 3 decrypted with this observer's key (1 message, 1 file, 1 reply)",
                  "source consented to a sampled audit", "status: triage",
                  'category: "police"',
                  'assessments: 1 sealed version decrypted; version 1 files the case under "police"'):
        check(words in out, "observe audit does not say %r: %s" % (words, out))

    # Refused: no consent; an unknown observer. Nothing written.
    refused = os.path.join(inst.root, "share-b")
    rc, out, err = run(inst, ["review", "share", "--data", inst.dir, "-i", alice, "--observer",
                              "ngo-watch", str(case_b), "-o", refused])
    check(rc == 1 and "did not consent" in err, "share without consent: %s %s" % (out, err))
    check(not os.path.exists(refused), "a refused share left %s" % refused)
    rc, out, err = run(inst, ["review", "share", "--data", inst.dir, "-i", alice, "--observer",
                              "nobody", str(case_a), "-o", refused])
    check(rc == 1 and "no accredited observer is named nobody" in err, "unknown observer: %s" % err)
    check(not os.path.exists(refused), "a refused share left %s" % refused)
    audit = sql(inst, "SELECT actor || ':' || action || ':' || case_id FROM audit_log "
                "WHERE action IN ('share', 'refused') ORDER BY seq").split("\n")
    check(audit == ["alice:share:%d" % case_a, "alice:refused:%d" % case_b],
          "audit log: %r" % audit)
    rc, _, err = run(inst, ["audit", "verify", "--data", inst.dir])
    check(rc == 0, "audit verify: %s" % err)

    # Tampered: an item changed after the share.
    changed = os.path.join(inst.root, "tampered-item")
    shutil.copytree(bundle, changed)
    path = os.path.join(changed, items[-1])
    data = bytearray(open(path, "rb").read())
    data[-1] ^= 1
    open(path, "wb").write(bytes(data))
    rc, out, err = run(inst, ["observe", "audit", "--bundle", changed, "--identity", observer_key,
                              "--url", url, "--state", state])
    check(rc == 1 and "its SHA-256 does not match the manifest" in out and
          "RESULT: FAILED" in out, "a changed item: %s %s" % (out, err))
    # Tampered: another category, the manifest rewritten to match it.
    recategorised = os.path.join(inst.root, "tampered-category")
    shutil.copytree(bundle, recategorised)
    path = os.path.join(recategorised, "share-%d.txt" % case_a)
    open(path, "w").write(share.replace("category police", "category army"))
    rewrite_manifest(recategorised)
    rc, out, err = run(inst, ["observe", "audit", "--bundle", recategorised, "--identity",
                              observer_key, "--url", url, "--state", state])
    check(rc == 1 and 'files the case under "army", its last log entry' in out,
          "a changed category: %s %s" % (out, err))

    # An operator forges B's consent in the database and shares it: the
    # openings sealed at publication still say no.
    sql(inst, "UPDATE cases SET audit_consent = 1 WHERE case_id = %d" % case_b)
    forged = os.path.join(inst.root, "share-forged")
    rc, out, err = run(inst, ["review", "share", "--data", inst.dir, "-i", alice, "--observer",
                              "ngo-watch", str(case_b), "-o", forged])
    check(rc == 0, "share after the forgery: %s" % err)
    rc, out, err = run(inst, ["observe", "audit", "--bundle", forged, "--identity", observer_key,
                              "--url", url, "--state", state])
    check(rc == 1 and "did not consent to an audit (events 1, 2): it should not have been shared"
          in out, "a forged consent: %s %s" % (out, err))
    # Events published after the forgery carry it, those before keep theirs:
    # the audit still fails, and the observer's sample still leaves B out.
    inst.cli(["review", "transition", "--data", inst.dir, "-i", alice, str(case_b), "verifying"])
    out = inst.cli(["log", "publish", "--data", inst.dir])
    check("Published 1 case event" in out, "log publish after the forgery: %r" % out)
    forged_again = os.path.join(inst.root, "share-forged-again")
    inst.cli(["review", "share", "--data", inst.dir, "-i", alice, "--observer", "ngo-watch",
              str(case_b), "-o", forged_again])
    rc, out, err = run(inst, ["observe", "audit", "--bundle", forged_again, "--identity",
                              observer_key, "--url", url, "--state", state])
    check(rc == 1 and "did not consent to an audit (events 1, 2)" in out and
          "status: verifying" in out, "a forged consent, published: %s %s" % (out, err))
    rc, out, err = run(inst, ["observe", "sample", "5", "--url", url, "--identity", observer_key,
                              "--state", state])
    check(rc == 0 and re.findall(r"^case (\d+)$", out, re.M) == [str(case_a)],
          "sample after the forgery: %s" % out)

    # Further still: the operator rewrites the logged events' consent too and
    # reseals the openings with a new batch. The openings now say yes
    # throughout; the observer remembers (its state) that they said no.
    sql(inst, "UPDATE log_case_entries SET audit_consent = 1 WHERE case_id = %d" % case_b)
    inst.cli(["review", "transition", "--data", inst.dir, "-i", alice, str(case_b), "needs-info"])
    out = inst.cli(["log", "publish", "--data", inst.dir])
    check("Published 1 case event" in out, "log publish after the rewrite: %r" % out)
    rewritten = os.path.join(inst.root, "share-rewritten")
    inst.cli(["review", "share", "--data", inst.dir, "-i", alice, "--observer", "ngo-watch",
              str(case_b), "-o", rewritten])
    rc, out, err = run(inst, ["observe", "audit", "--bundle", rewritten, "--identity", observer_key,
                              "--url", url, "--state", state])
    check(rc == 1 and "this observer's earlier openings said case %d's source did not consent "
          "(events 1, 2)" % case_b in out, "rewritten openings, audit: %s %s" % (out, err))
    rc, out, err = run(inst, ["observe", "sample", "5", "--url", url, "--identity", observer_key,
                              "--state", state])
    check(rc == 0 and re.findall(r"^case (\d+)$", out, re.M) == [str(case_a)] and
          "Left out: 1 case whose consent" in out, "rewritten openings, sample: %s" % out)
    rc, out, err = run(inst, ["observe", "--url", url, "--identity", observer_key, "--state", state])
    check(rc == 1 and "case %d, event 1: its audit consent changed from no to yes" % case_b in out,
          "rewritten openings, observe: %s %s" % (out, err))
    consent_state = open(os.path.join(state, "consent")).read()
    check("%d 1 no\n" % case_b in consent_state, "the observer's state forgot: %r" % consent_state)


CASES = {
    "scenario": lambda b, k: scenario(b, k, "sqlite"),
    "scenario_postgres": lambda b, k: scenario(b, k, "postgres"),
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
