#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/log_pages_test.py: the log on the source pages of a real
# `safehouse serve` (docs/tlog.md, "On the source pages"):
#   landing — the statements of /log/statements/ on /en/ and /fa/, with
#     their figures (Persian digits, "fewer than" below the threshold) and
#     the observer that cosigned (the honest world of observe_test.py);
#   published — /en/published and /fa/published list the files
#     `statement sign` published (also while the server runs), and the
#     hash form says "published" with an inclusion proof that this test
#     checks itself against the signed checkpoint, or "not published", or
#     400 for a malformed hash.
# usage: log_pages_test.py SAFEHOUSE_BINARY CASE
import base64
import hashlib
import html
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import Installation, check, run_cases  # noqa: E402
from observe_test import World, get  # noqa: E402

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def page(server, path, status=200):
    got, body = get(server, path)
    check(got == status, "GET %s: %d, expected %d: %r" % (path, got, status, body[:300]))
    return body.decode()


def case_landing(binary, keep):
    with Installation(binary, keep) as inst:
        w = World(inst)  # 3 cases, threshold 1, statement 1 cosigned by ngo-watch
        en = page(w.server, "/en/")
        check('href="/log/statements/1"' in en, "landing has no statement 1: %s" % en)
        check('<th>Received</th><td class="count">3</td>' in en, "received count: %s" % en)
        check('<bdi class="category">police</bdi></th><td class="count">1</td>' in en,
              "police count: %s" % en)
        check('Cosigned by observers: <bdi class="cosigner">ngo-watch</bdi>' in en,
              "cosigner not shown: %s" % en)
        fa = page(w.server, "/fa/")
        check('<html lang="fa" dir="rtl">' in fa, "fa landing is not RTL")
        check('<th>دریافت‌شده</th><td class="count">۳</td>' in fa, "fa received count: %s" % fa)
        check("آمارهای منتشرشدهٔ ما" in fa and '<bdi class="cosigner">ngo-watch</bdi>' in fa,
              "fa statements section: %s" % fa)
        # A second statement with the threshold back at 10: "fewer than".
        path = os.path.join(inst.dir, "config.toml")
        text = open(path).read()
        open(path, "w").write(re.sub(r"(?m)^threshold = \d+$", "threshold = 10", text))
        inst.cli(["statement", "publish", "--data", inst.dir, "--period", w.period])
        en = page(w.server, "/en/")
        check(en.find('href="/log/statements/2"') < en.find('href="/log/statements/1"'),
              "newest statement not first")
        check('<th>Received</th><td class="count">fewer than 10</td>' in en,
              "below the threshold: %s" % en)
        check("Not cosigned by any observer yet." in en, "statement 2 shown as cosigned")
        fa = page(w.server, "/fa/")
        check('<td class="count">کمتر از ۱۰</td>' in fa, "fa below the threshold: %s" % fa)
        # The same statements as /log/statements/ lists (cosignatures 1, 0).
        _, listing = get(w.server, "/log/statements/")
        rows = listing.decode().split("\n")[1:3]
        check(rows[0].startswith("1 ") and rows[0].endswith(" 3 1") and
              rows[1].startswith("2 ") and rows[1].endswith(" 3 0"),
              "statement listing: %r" % listing)


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 §2.1.3.2."""
    check(index < size, "index %d beyond size %d" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        check(sn != 0, "proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    check(sn == 0, "proof too short")
    return r


def entry_of(sha, language, day):
    return ("safehouse/published-file/v1\nsha256 %s\nlanguage %s\nday %s\n"
            % (sha, language, day)).encode()


def check_found(server, lang, sha, language):
    body = page(server, "/%s/published?sha256=%s" % (lang, sha.upper()))
    check(("Published by us" if lang == "en" else "منتشرشده از سوی ما") in body,
          "%s not found: %s" % (sha, body))
    index = int(re.search(r'<dt>[^<]*</dt><dd dir="ltr"><code>(\d+)</code></dd>', body).group(1))
    codes = re.findall(r'<dd dir="ltr"><code>([^<]*)</code></dd>', body)
    size, root, leaf = int(codes[1]), base64.b64decode(codes[2]), base64.b64decode(codes[3])
    proof = [base64.b64decode(h) for h in re.findall(r"<li><code>([^<]*)</code></li>", body)]
    day = re.search(r'<span class="day">([^<]*)</span>', body).group(1)
    day = day.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    check(leaf == leaf_hash(entry_of(sha, language, day)), "leaf hash is not the entry's")
    check(root_from_inclusion(index, size, leaf, proof) == root, "the proof does not give the root")
    note = html.unescape(re.search(r'<pre class="key" dir="ltr">(.*?)</pre>', body, re.S).group(1))
    lines = note.split("\n")
    check(lines[1] == str(size) and base64.b64decode(lines[2]) == root,
          "the signed checkpoint on the page is not the proof's: %r" % note)
    _, checkpoint = get(server, "/log/checkpoint")
    check(checkpoint.decode().startswith(note.split("\n\n")[0]), "not the log's checkpoint")
    return index, body


def case_published(binary, keep):
    with Installation(binary, keep) as inst:
        docs = []
        for name, data, language in [("statement-en.txt", b"We never ask for your name.\n", "en"),
                                     ("statement-fa.mp4", os.urandom(200000), "fa")]:
            path = os.path.join(inst.root, name)
            open(path, "wb").write(data)
            inst.cli(["statement", "sign", "--data", inst.dir, "--language", language, path])
            docs.append((hashlib.sha256(data).hexdigest(), language))
        server = inst.start()
        body = page(server, "/en/published")
        check(body.find(docs[1][0]) < body.find(docs[0][0]) and docs[0][0] in body,
              "list: %s" % body)
        check("<script" not in body and 'name="sha256"' in body, "no-JS form: %s" % body)
        index, _ = check_found(server, "en", docs[0][0], "en")
        check(index == 0, "first file at %d" % index)
        index, fa = check_found(server, "fa", docs[1][0], "fa")
        check(index == 1 and "زبان: فارسی." in fa, "fa file: %d" % index)

        # Published while the server runs, beside 300 others: found with a
        # longer proof, the list keeps up.
        files = []
        for i in range(300):
            path = os.path.join(inst.root, "s%03d.txt" % i)
            open(path, "wb").write(b"statement %d\n" % i)
            files.append(path)
        inst.cli(["statement", "sign", "--data", inst.dir] + files)
        sha = hashlib.sha256(b"statement 150\n").hexdigest()
        index, body = check_found(server, "en", sha, "en")
        check(index == 152, "statement 150 at %d" % index)
        check(sha in page(server, "/fa/published"), "fa list missed a new file")

        fake = hashlib.sha256(b"We never ask for your name!\n").hexdigest()
        for lang, words in [("en", "Not published by us"), ("fa", "منتشرشده از سوی ما نیست")]:
            body = page(server, "/%s/published?sha256=%s" % (lang, fake))
            check(words in body and "Published by us" not in body, "fake accepted: %s" % body)
        for bad in ["xyz", "a" * 63, "a" * 65, "<script>alert(1)</script>", "g" * 64]:
            body = page(server, "/en/published?sha256=" + urllib.parse.quote(bad), 400)
            check("That is not a SHA-256" in body and "<script>alert" not in body,
                  "malformed %r: %s" % (bad, body))
        page(server, "/xx/published", 404)


CASES = {"landing": case_landing, "published": case_published}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
