# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/at_rest_test.py: invariants 1 and 2 (docs/design.md §2)
# against the running server. `plaintext_at_rest`: unique markers in every
# field a source or reviewer fills in, and the codename, are found nowhere in
# DIR or the server's logs, in any of the encodings of
# safehouse_harness.encodings_of, while `safehouse review read` gets every
# one of them back. `no_metadata`: the client's address, port, user agent and
# referrer are stored and logged nowhere; stored dates are days.
# Usage: at_rest_test.py SAFEHOUSE_BINARY {plaintext_at_rest|no_metadata}
import os
import time
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import (Installation, check, db_path, inode_times, live_blobs,  # noqa: E402
                               log, review_list, review_read, review_reply, run_cases, scan,
                               sqlite_dump, unique_marker, encodings_of)


def scanner_self_test(inst, markers):
    """The scan must be able to fail: plant markers in DIR, find them, remove them."""
    planted = os.path.join(inst.dir, "blobs", "planted-by-test")
    sample = markers[0]
    forms = encodings_of(sample)
    for enc in ("plain", "base64@0", "base64@1", "base64@2", "hex", "HEX", "utf16le", "utf16be"):
        with open(planted, "wb") as f:
            f.write(os.urandom(100) + forms[enc] + os.urandom(100))
        hits = scan([inst.dir], [sample])
        check(any(h[2] == planted for h in hits), "scanner missed a planted %s marker" % enc)
    # base64 of the marker inside a longer base64 text at each alignment.
    import base64
    for shift in range(3):
        with open(planted, "wb") as f:
            f.write(base64.b64encode(os.urandom(shift) + sample.encode() + os.urandom(5)))
        check(scan([inst.dir], [sample]), "scanner missed base64 at alignment %d" % shift)
    os.remove(planted)
    check(not scan([inst.dir], [sample]), "planted marker still found after removal")


def plaintext_at_rest(binary, keep):
    with Installation(binary, keep) as inst:
        server = inst.start()
        m = {k: unique_marker(k) for k in (
            "MSG", "FILEA", "FILEB", "NAMEA", "NAMEB", "UNIT", "RANK", "REGION", "FOLLOW",
            "FOLLOWFILE", "FOLLOWNAME", "REPLY")}
        # ~6.5 MB: a blob, not an inline body, and past the pack engine's first
        # 4 MiB, so that its aligned blocks written around the page cache
        # (store/direct_spool.h) are searched too.
        big = (m["FILEB"] + "\n").encode() * 250000
        source = server.session()
        r = source.first_contact(
            "first message " + m["MSG"],
            files=[(m["NAMEA"] + ".txt", ("A " + m["FILEA"]).encode()),
                   (m["NAMEB"] + ".bin", big)],
            claims={"branch": "police", "unit": m["UNIT"], "rank": m["RANK"],
                    "region": m["REGION"]})
        check(r.status == 303, "first contact: %d %s" % (r.status, r.text[:300]))
        codename = source.codename
        words = codename.split()
        check(len(words) == 9, "codename has %d words" % len(words))
        r = source.follow_up("follow-up " + m["FOLLOW"],
                             files=[(m["FOLLOWNAME"] + ".pdf", m["FOLLOWFILE"].encode())])
        check(r.status == 303, "follow-up: %d" % r.status)
        source.close()

        cases = review_list(inst)
        check(len(cases) == 1, "expected 1 case, got %r" % cases)
        case_id = cases[0][0]
        review_reply(inst, case_id, "reviewer says " + m["REPLY"])

        again = server.session()
        r = again.login(codename)
        check(r.status == 303, "login with the codename: %d" % r.status)
        inbox = again.get("/en/inbox")
        check(m["REPLY"] in inbox.text, "the source does not see the reply")
        again.close()

        # Everything is really stored: the reviewer reads every marker back.
        out_dir = os.path.join(inst.root, "review-out")
        text = review_read(inst, case_id, out=out_dir)
        for key in ("MSG", "NAMEA", "NAMEB", "UNIT", "RANK", "REGION", "FOLLOW", "FOLLOWNAME",
                    "REPLY"):
            check(m[key] in text, "review read lacks the %s marker" % key)
        # The sealed identity (DIR/reviewers/reviewer.age, the default) opens
        # with init's passphrase, and refuses a wrong one.
        check(inst.passphrase, "init printed no passphrase")
        sealed = inst.cli(["review", "read", "--data", inst.dir, str(case_id)],
                          env={"SAFEHOUSE_PASSPHRASE": inst.passphrase})
        check(m["MSG"] in sealed and m["REPLY"] in sealed, "sealed identity read lacks markers")
        wrong = inst.cli(["review", "read", "--data", inst.dir, str(case_id)],
                         env={"SAFEHOUSE_PASSPHRASE": "wrong-passphrase"}, check_rc=False)
        check(wrong.returncode == 1 and b"wrong passphrase" in wrong.stderr,
              "wrong passphrase: rc %d %r" % (wrong.returncode, wrong.stderr[-200:]))
        check(m["MSG"].encode() not in wrong.stdout, "wrong passphrase printed content")
        saved = b"".join(open(os.path.join(out_dir, n), "rb").read() for n in os.listdir(out_dir))
        for key in ("FILEA", "FILEB", "FOLLOWFILE"):
            check(m[key].encode() in saved, "saved files lack the %s marker" % key)

        markers = list(m.values()) + [codename, " ".join(words), "-".join(words), "".join(words)]
        markers += [" ".join(words[i:i + 2]) for i in range(len(words) - 1)]
        scanner_self_test(inst, markers)

        # While running (WAL not yet checkpointed), then after a clean stop.
        for phase in ("running", "stopped"):
            if phase == "stopped":
                check(server.stop() == 0, "server exit status not 0")
            hits = scan([inst.dir, inst.logs], markers)
            check(not hits, "%s: plaintext found at rest: %r" % (phase, hits[:10]))
        dump = sqlite_dump(db_path(inst))
        hits = scan([], markers, extra_blobs=[("sqlite3 .dump", dump)])
        check(not hits, "plaintext in the database dump: %r" % hits[:10])
        log("searched %d markers x %d encodings: none found" %
            (len(markers), len(encodings_of(markers[0]))))


DAY_VALUE = re.compile(rb"^(20\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
TIME_OF_DAY = re.compile(rb"\b([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?\b")


def strip_blobs(dump):
    """The dump without X'..' blob literals (hex ciphertext digits match anything)."""
    return re.sub(rb"X'[0-9a-fA-F]*'", b"X''", dump)


def no_metadata(binary, keep):
    with Installation(binary, keep) as inst:
        server = inst.start()
        headers = {"User-Agent": "MarkerAgent/1.0", "Referer": "http://marker.example/",
                   "X-Forwarded-For": "203.0.113.77", "Accept-Language": "fa-IR,markerlang"}
        source = server.session(extra_headers=headers)
        r = source.first_contact("hello", files=[("a.txt", b"x" * 100), ("b.bin", b"y" * 100_000)],
                                 claims={"branch": "army"})
        check(r.status == 303, "first contact: %d" % r.status)
        check(source.follow_up("more").status == 303, "follow-up failed")
        source.close()
        again = server.session(extra_headers=headers)
        check(again.login(source.codename).status == 303, "login failed")
        check(again.logout().status == 303, "logout failed")
        again.close()
        case_id = review_list(inst)[0][0]
        review_reply(inst, case_id, "reply")
        ports = source.client_ports | again.client_ports
        check(server.stop() == 0, "server exit status not 0")

        own = [b"127.0.0.1:%d" % p for p in (server.source_port, server.staff_port)]
        own += [b"127.0.0.1:8080", b"127.0.0.1:8081"]  # config.toml's defaults

        def without_own(data):
            for text in own:
                data = data.replace(text, b"")
            return data

        texts = {"server logs": server.logs(), "sqlite3 .dump": strip_blobs(sqlite_dump(db_path(inst)))}
        for path in _files(inst.dir):
            with open(path, "rb") as f:
                texts[path] = f.read()
        for label, data in texts.items():
            for needle in (b"MarkerAgent", b"marker.example", b"203.0.113.77", b"markerlang"):
                check(needle.lower() not in data.lower(), "%s found in %s" % (needle, label))
            check(b"127.0.0.1" not in without_own(data), "127.0.0.1 found in %s" % label)
        # Port numbers are 5 digits: look for them only in text, not ciphertext.
        for label in ("server logs", "sqlite3 .dump"):
            for port in ports:
                check(not re.search(rb"\b%d\b" % port, texts[label]),
                      "client port %d found in %s" % (port, label))
        check_days(inst, texts["sqlite3 .dump"])
        check_file_times(inst)
        found = TIME_OF_DAY.search(server.logs())
        check(not found, "the server's log holds times of day: %r" % (found and found.group(0)))


def check_file_times(inst):
    """The files under blobs/ (the pack and its index) carry the day, not the
    time, as modification time (invariant 2): copies made with tar or
    rsync -a keep modification times. The LOCK file is the store's, written
    when the server starts. Inode change and birth times: file_times."""
    exact = []
    blobs = os.path.join(inst.dir, "blobs")
    for dirpath, dirnames, names in os.walk(blobs):
        paths = [os.path.join(dirpath, n) for n in names if n != "LOCK"]
        if dirpath != blobs:
            paths.append(dirpath)
        for path in paths:
            if os.stat(path).st_mtime % 86400 != 0:
                exact.append(os.path.relpath(path, inst.dir))
    check(not exact, "blob files keep exact modification times: %r" % exact[:3])


def file_times(binary, keep):
    """Invariant 2 on the disk: three file submissions a second or more
    apart, then a text follow-up; no modification, inode change or birth time
    (statx) of any file or folder in DIR dates one of the three file
    submissions — only the latest submission may be dated. Checked while the
    server runs and again after it stopped."""
    with Installation(binary, keep) as inst:
        server = inst.start()
        s = server.session()
        windows = []

        def submit(send):
            time.sleep(1.2)
            started = time.time()
            check(send().status == 303, "submission %d failed" % (len(windows) + 1))
            windows.append((started, time.time()))

        submit(lambda: s.first_contact("one", files=[("1.bin", os.urandom(200_000))]))
        submit(lambda: s.follow_up("two", files=[("2.bin", os.urandom(300_000))]))
        submit(lambda: s.follow_up("three", files=[("3.bin", os.urandom(400_000))]))
        submit(lambda: s.follow_up("four, text only"))
        check(len(live_blobs(inst)) == 3, "expected 3 blobs, index names %d" % len(live_blobs(inst)))
        earlier = windows[:3]  # the latest (text) submission may be dated

        def dated():
            found = []
            for path, times in inode_times(inst.dir):
                for name, t in times.items():
                    for i, (start, end) in enumerate(earlier):
                        # File times come from a coarse clock: a tick of slack.
                        if start - 0.05 <= t <= end + 0.05:
                            found.append("%s: %s dates submission %d" %
                                         (os.path.relpath(path, inst.dir), name, i + 1))
            return found

        found = dated()
        check(not found, "%d inode times date earlier submissions: %r" % (len(found), found[:4]))
        check(server.stop() == 0, "server exit status not 0")
        found = dated()
        check(not found, "after stop, %d inode times date earlier submissions: %r" %
              (len(found), found[:4]))
        log("no inode time of %d paths dates an earlier submission" % len(inode_times(inst.dir)))


def _files(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            yield os.path.join(dirpath, name)


def check_days(inst, dump):
    """Every integer in a column named like a day is YYYYMMDD; nothing time-like."""
    found = TIME_OF_DAY.search(dump)
    check(not found, "a time of day is stored: %r" % (found and found.group(0)))
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % db_path(inst), uri=True)
    checked = 0
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for col in db.execute('PRAGMA table_info("%s")' % table).fetchall():
            name = col[1]
            if "day" not in name and "time" not in name and "date" not in name:
                continue
            check("time" not in name, "column %s.%s suggests exact times" % (table, name))
            for (value,) in db.execute('SELECT "%s" FROM "%s"' % (name, table)):
                check(value is None or DAY_VALUE.match(str(value).encode()),
                      "%s.%s holds %r, not a day" % (table, name, value))
                checked += 1
    db.close()
    check(checked > 0, "no day columns found to check")
    log("checked %d stored day values" % checked)


if __name__ == "__main__":
    sys.exit(run_cases({"plaintext_at_rest": plaintext_at_rest, "no_metadata": no_metadata,
                        "file_times": file_times}, sys.argv))
