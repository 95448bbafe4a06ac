#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/clean_test.py: publication copies (issue 10), end to end
# against the real binary, Debian's mat2 and the stock age.
#   attach: a PNG whose tEXt chunks name an author and a place, submitted
#     through the real intake, is cleaned with `review clean --attach`: the
#     copy (OUT, mode 0600) no longer holds the metadata (its bytes and
#     `mat2 --show`), is still a PNG with its image, the original item's
#     ciphertext is byte for byte what it was and still decrypts to the
#     original with its metadata; the stored copy is a blob the stock
#     `age -d` opens (with each recipient's key) to the cleaned file in an
#     item frame; `review read --out` lists and saves it; the audit log has
#     the clean and the publication copy and verifies. An unsupported file
#     type, a message item, an unknown item, an existing OUT, --attach with
#     a bundle or by someone who is no reviewer are refused with clear
#     errors and change nothing. From an export bundle, with the data
#     directory gone, the same item is cleaned offline. Purging the case
#     deletes the copy and its blob.
#   sandbox: a stand-in mat2 first on PATH reports where it runs: another
#     network namespace than the test's with only a loopback, a minimal
#     environment, a private 0700 directory that is gone afterwards; mat2
#     missing, mat2 failing and mat2 running past --time-limit (killed, no
#     process left) give clear errors and leave nothing behind.
# attach also runs with the installation on PostgreSQL (`attach_postgres`).
import hashlib
import json
import os
import stat
import struct
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import check, live_blobs, log, run_cases, unique_marker  # noqa: E402
from engines import On, run, sql  # noqa: E402


def expect_refused(result, words, what):
    rc, out, err = result
    check(rc != 0, "%s: was not refused: %s" % (what, out))
    check(words in err, "%s: %r not in %r" % (what, words, err))
    log(what, "refused:", err.strip())


def png_with_metadata(author, place):
    """An 16x16 RGB PNG with tEXt chunks (python3 only: zlib and struct)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    width = height = 16
    rows = b"".join(b"\x00" + b"".join(bytes([x * 16, y * 16, 200]) for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"tEXt", b"Author\x00" + author.encode()) +
            chunk(b"tEXt", b"Comment\x00" + place.encode()) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_pixels(data):
    """(width, height, RGB bytes of every pixel) of an 8-bit RGB or RGBA PNG:
    its IDAT inflated and unfiltered (PNG filters 0-4), so that two
    encodings of one image compare equal."""
    at, idat = 8, b""
    while at < len(data):
        size = struct.unpack(">I", data[at:at + 4])[0]
        kind = data[at + 4:at + 8]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", data[at + 8:at + 18])
            check(depth == 8 and color in (2, 6), "PNG depth %d colour type %d" % (depth, color))
        elif kind == b"IDAT":
            idat += data[at + 8:at + 8 + size]
        at += 12 + size
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, out = bytearray(stride), bytearray()
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(width):
            out += line[x * bpp:x * bpp + 3]
        prev = line
    return width, height, bytes(out)


def frame_content(document):
    """The content of an item frame (docs/formats.md, "Item frame"):
    [u32 BE header length][JSON header][content][padding][u64 BE length]."""
    header_len = struct.unpack(">I", document[:4])[0]
    header = json.loads(document[4:4 + header_len])
    length = struct.unpack(">Q", document[-8:])[0]
    return header, document[4 + header_len:4 + header_len + length]


def blob_bytes(inst, digest_hex):
    """A blob's ciphertext as stored: PostgreSQL's chunks, or the pack
    engine's extents found through blobs/index (docs/storage.md, "Blobs")."""
    if hasattr(inst, "cluster"):
        hexes = inst.cluster.psql(
            "SELECT encode(c.data, 'hex') FROM blob_chunks c JOIN blobs b ON b.blob_id = c.blob_id "
            "WHERE b.sha256 = '\\x%s'::bytea ORDER BY c.chunk" % digest_hex)
        return bytes.fromhex(hexes.replace("\n", ""))
    index = open(os.path.join(inst.dir, "blobs", "index"), "rb").read()
    at, extents = 0, None
    while at + 16 <= len(index) and index[at:at + 4] == b"SHP1":
        size = int.from_bytes(index[at + 8:at + 12], "little")
        payload = index[at + 16:at + 16 + size]
        if index[at + 4] == 1 and payload[:32].hex() == digest_hex:
            count = int.from_bytes(payload[40:44], "little")
            extents = [(int.from_bytes(payload[44 + 16 * i:52 + 16 * i], "little"),
                        int.from_bytes(payload[52 + 16 * i:60 + 16 * i], "little"))
                       for i in range(count)]
        at += 16 + size + 32
    check(extents is not None, "blob %s not in blobs/index" % digest_hex)
    with open(os.path.join(inst.dir, "blobs", "pack"), "rb") as pack:
        data = b""
        for offset, length in extents:
            pack.seek(offset)
            data += pack.read(length)
    return data


def mat2_show(path):
    proc = subprocess.run(["mat2", "--show", path], capture_output=True, timeout=120)
    return proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")


def item_ids(out):
    """{kind: [item ids]} from `review read` output."""
    found = {}
    for line in out.splitlines():
        if line.startswith("--- item "):
            parts = line[len("--- item "):].split(", ")
            found.setdefault(parts[3] if len(parts) > 3 else "?", []).append(int(parts[0]))
    return found


def setup(inst):
    """bob: a reviewer with a key file, in the recipient set before the
    server starts (the demo reviewer is not a registered reviewer)."""
    bob = os.path.join(inst.root, "bob.key")
    inst.cli(["reviewer", "add", "--data", inst.dir, "bob", "--identity-out", bob])
    inst.cli(["recipients", "add", "--data", inst.dir, "bob"])
    return bob


def counts(inst):
    return sql(inst, "SELECT (SELECT count(*) FROM items) || ' ' || "
               "(SELECT count(*) FROM publication_copies)")


def item_row(inst, item_id):
    return sql(inst, "SELECT lower(hex(sha256)) || ' ' || ciphertext_size FROM items WHERE "
               "item_id = %d" % item_id) if not hasattr(inst, "cluster") else \
        sql(inst, "SELECT encode(sha256, 'hex') || ' ' || ciphertext_size FROM items WHERE "
            "item_id = %d" % item_id)


def attach(binary, keep, engine="sqlite"):
    with On(engine, binary, keep) as inst:
        bob = setup(inst)
        server = inst.start()
        author, place = unique_marker("AUTHOR"), unique_marker("GPS")
        original = png_with_metadata(author, place)
        check(author in mat2_show_bytes(inst, original), "mat2 --show does not see the author")
        blob = os.urandom(4096)
        source = server.session()
        resp = source.first_contact(unique_marker("MSG"), files=[("holiday.png", original),
                                                                  ("data.bin", blob)])
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        case_id = int(sql(inst, "SELECT max(case_id) FROM cases"))
        server.stop()

        saved = os.path.join(inst.root, "saved")
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", bob, str(case_id),
                        "--out", saved])
        ids = item_ids(out)
        check(len(ids.get("file", [])) == 2 and len(ids.get("message", [])) == 1,
              "items: %r in %r" % (ids, out))
        png_item, bin_item = ids["file"]
        message_item = ids["message"][0]
        before = {i: item_row(inst, i) for i in (png_item, bin_item)}
        counts_before = counts(inst)

        # Refusals first: each changes nothing.
        target = os.path.join(inst.root, "clean.png")

        def clean(*extra, identity=bob, out_path=target, item=png_item, env=None):
            return run(inst, ["review", "clean", "--data", inst.dir, "-i", identity,
                              str(case_id), str(item), "-o", out_path] + list(extra), env=env)

        expect_refused(clean("--attach", item=bin_item, out_path=os.path.join(inst.root, "x.bin")),
                       "mat2 cannot clean this type of file", "an unsupported file type")
        check(not os.path.exists(os.path.join(inst.root, "x.bin")), "a refused clean wrote OUT")
        expect_refused(clean(item=message_item), "is a message, not a file", "a message item")
        expect_refused(clean(item=99999), "has no item 99999", "an unknown item")
        expect_refused(clean("--attach", identity=inst.identity), "review clean --attach",
                       "--attach by a key of no registered reviewer")
        open(target, "wb").write(b"keep")
        expect_refused(clean(), "already exists", "an existing OUT")
        check(open(target, "rb").read() == b"keep", "an existing OUT was changed")
        os.unlink(target)
        check(counts(inst) == counts_before, "a refused clean changed the database")

        # The clean, attached.
        rc, out, err = clean("--attach")
        check(rc == 0, "review clean --attach: %d %s" % (rc, err))
        check("The original item is unchanged" in out and "publication copy 1" in out,
              "clean said %r" % out)
        log("clean:", out.strip())
        mode = stat.S_IMODE(os.stat(target).st_mode)
        check(mode == 0o600, "OUT mode %o" % mode)
        cleaned = open(target, "rb").read()
        check(cleaned.startswith(b"\x89PNG\r\n\x1a\n"), "the copy is no PNG")
        for marker in (author, place):
            check(marker.encode() not in cleaned, "%s still in the cleaned copy" % marker)
        check(png_pixels(cleaned) == png_pixels(original), "the image changed")
        shown = mat2_show(target)
        check("No metadata" in shown and author not in shown, "mat2 --show of the copy: %r" % shown)

        # The original is untouched: same record, same bytes, same plaintext.
        check({i: item_row(inst, i) for i in (png_item, bin_item)} == before,
              "an original item's record changed")
        saved_again = os.path.join(inst.root, "saved-again")
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", bob, str(case_id),
                        "--out", saved_again])
        names = sorted(os.listdir(saved_again))
        originals = [n for n in names if n.endswith("holiday.png")]
        check(len(originals) == 1 and
              open(os.path.join(saved_again, originals[0]), "rb").read() == original,
              "the original no longer decrypts to itself: %r" % names)
        check(author in mat2_show(os.path.join(saved_again, originals[0])),
              "the original lost its metadata")

        # The stored copy: listed and saved by review read, a blob age opens.
        check("--- publication copy 1 of item %d" % png_item in out, "review read: %r" % out)
        copies = [n for n in names if n.startswith("copy1-")]
        check(copies == ["copy1-copy-of-item-%d.png" % png_item], "saved copies %r" % names)
        check(open(os.path.join(saved_again, copies[0]), "rb").read() == cleaned,
              "review read saved another copy")
        row = sql(inst, "SELECT item_id || ' ' || case_id || ' ' || ciphertext_size FROM "
                  "publication_copies WHERE copy_id = 1")
        check(row.split()[:2] == [str(png_item), str(case_id)], "copy row %r" % row)
        copy_hex = sql(inst, "SELECT %s FROM publication_copies WHERE copy_id = 1" %
                       ("encode(sha256, 'hex')" if hasattr(inst, "cluster") else "lower(hex(sha256))"))
        ciphertext = blob_bytes(inst, copy_hex)
        check(hashlib.sha256(ciphertext).hexdigest() == copy_hex and
              len(ciphertext) == int(row.split()[2]), "the copy's blob does not match its row")
        check(ciphertext.startswith(b"age-encryption.org/v1\n"), "the copy is not an age file")
        for marker in (author, place):
            check(marker.encode() not in ciphertext, "%s in the stored copy" % marker)
        for key in (bob, inst.identity):
            proc = subprocess.run(["age", "-d", "-i", key], input=ciphertext, capture_output=True,
                                  timeout=60)
            check(proc.returncode == 0, "age -d (%s): %r" % (key, proc.stderr))
            header, content = frame_content(proc.stdout)
            check(content == cleaned, "age -d gives another file than the cleaned copy")
            check(header.get("kind") == "file" and "holiday" not in json.dumps(header),
                  "copy frame header %r" % header)

        # The audit log: the clean (before decrypting) and the copy.
        rows = sql(inst, "SELECT actor || ':' || action || ':' || detail FROM audit_log WHERE "
                   "action IN ('clean', 'publication-copy') ORDER BY seq").split("\n")
        want = ["bob:clean:item %d, --attach" % png_item,
                "bob:publication-copy:item %d -> copy 1" % png_item]
        check(rows[-2:] == want, "audit rows %r" % rows)
        rc, out, err = run(inst, ["audit", "verify", "--data", inst.dir])
        check(rc == 0, "audit verify: %s" % err)

        # Offline, from an export bundle; --attach needs --data.
        bundle = os.path.join(inst.root, "bundle")
        inst.cli(["export", "--data", inst.dir, str(case_id), "-o", bundle, "-i", bob])
        away = inst.dir + ".away"
        os.rename(inst.dir, away)
        try:
            offline = os.path.join(inst.root, "offline.png")
            rc, out, err = run(inst, ["review", "clean", "--bundle", bundle, "-i", bob,
                                      str(case_id), str(png_item), "-o", offline])
            check(rc == 0, "review clean --bundle: %s" % err)
            data = open(offline, "rb").read()
            check(author.encode() not in data and png_pixels(data) == png_pixels(original),
                  "the offline copy")
            expect_refused(run(inst, ["review", "clean", "--bundle", bundle, "-i", bob,
                                      str(case_id), str(png_item), "-o",
                                      os.path.join(inst.root, "o2.png"), "--attach"]),
                           "--attach needs --data", "--attach with --bundle")
        finally:
            os.rename(away, inst.dir)

        # Purge takes the copy and its blob with the items.
        carol = os.path.join(inst.root, "carol.key")
        inst.cli(["reviewer", "add", "--data", inst.dir, "carol", "--identity-out", carol])
        for key, status in ((bob, "withdrawn"), (bob, "purged"), (carol, "purged")):
            inst.cli(["review", "transition", "--data", inst.dir, "-i", key, str(case_id), status])
        check(sql(inst, "SELECT count(*) FROM publication_copies") == "0", "the copy outlived purge")
        if hasattr(inst, "cluster"):
            left = sql(inst, "SELECT count(*) FROM blobs WHERE sha256 = '\\x%s'::bytea" % copy_hex)
            check(left == "0", "the copy's blob outlived purge")
        else:
            check(copy_hex not in live_blobs(inst), "the copy's blob outlived purge")


def mat2_show_bytes(inst, data):
    path = os.path.join(inst.root, "probe.png")
    open(path, "wb").write(data)
    try:
        return mat2_show(path)
    finally:
        os.unlink(path)


FAKE_MAT2 = r"""#!/usr/bin/python3
# A stand-in for mat2: reports where it runs, then behaves as MODE says.
import json, os, socket, sys, time
report = {
    "netns": os.readlink("/proc/self/ns/net"),
    "interfaces": [name for _, name in socket.if_nameindex()],
    "env": sorted(os.environ),
    "cwd": os.getcwd(),
    "cwd_mode": oct(os.stat(".").st_mode & 0o777),
    "files": sorted(os.listdir(".")),
    "args": sys.argv[1:],
    "pid": os.getpid(),
}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    report["connect"] = "connected"
except OSError as e:
    report["connect"] = str(e)
open(REPORT, "w").write(json.dumps(report))
if MODE == "sleep":
    time.sleep(600)
if MODE == "fail":
    print("[-] holiday.png can't be cleaned: broken on purpose")
    sys.exit(255)
name = sys.argv[-1]
stem, ext = os.path.splitext(name)
open(stem + ".cleaned" + ext, "wb").write(open(name, "rb").read().replace(b"Author", b"Xuthor"))
"""


def sandbox(binary, keep):
    with On("sqlite", binary, keep) as inst:
        bob = setup(inst)
        server = inst.start()
        original = png_with_metadata(unique_marker("AUTHOR"), unique_marker("GPS"))
        resp = server.session().first_contact(unique_marker("MSG"),
                                              files=[("holiday.png", original)])
        check(resp.status in (200, 303), "first contact: %d" % resp.status)
        case_id = int(sql(inst, "SELECT max(case_id) FROM cases"))
        server.stop()
        out = inst.cli(["review", "read", "--data", inst.dir, "-i", bob, str(case_id)])
        png_item = item_ids(out)["file"][0]

        fake_dir = os.path.join(inst.root, "fake-bin")
        os.makedirs(fake_dir)
        report_path = os.path.join(inst.root, "report.json")
        tmp = os.path.join(inst.root, "tmp")
        os.makedirs(tmp)

        def fake(mode):
            path = os.path.join(fake_dir, "mat2")
            with open(path, "w") as f:
                f.write(FAKE_MAT2.replace("REPORT", repr(report_path)).replace("MODE", repr(mode)))
            os.chmod(path, 0o755)
            if os.path.exists(report_path):
                os.unlink(report_path)

        def clean(out_name, path, *extra):
            env = {"PATH": path, "TMPDIR": tmp, "SAFEHOUSE_TEST_SECRET": "do-not-pass"}
            return run(inst, ["review", "clean", "--data", inst.dir, "-i", bob, str(case_id),
                              str(png_item), "-o", os.path.join(inst.root, out_name)] +
                       list(extra), env=env)

        system_path = os.environ.get("PATH", "/usr/bin:/bin")
        fake("clean")
        rc, out, err = clean("fake.png", fake_dir + ":" + system_path)
        check(rc == 0, "clean with the stand-in: %s" % err)
        report = json.load(open(report_path))
        log("stand-in mat2 saw:", json.dumps(report))
        own_netns = os.readlink("/proc/self/ns/net")
        check(report["netns"] != own_netns,
              "mat2 ran in the caller's network namespace %s" % own_netns)
        check(report["interfaces"] == ["lo"], "interfaces in the sandbox: %r" % report["interfaces"])
        check(report["connect"] != "connected", "the sandbox reached the network")
        check("SAFEHOUSE_TEST_SECRET" not in report["env"], "the environment was passed on")
        check(set(report["env"]) <= {"PATH", "HOME", "TMPDIR", "LC_ALL", "LANG", "PWD", "LC_CTYPE"},
              "environment %r" % report["env"])
        check(report["cwd_mode"] == "0o700" and os.path.dirname(report["cwd"]) == tmp,
              "work directory %s mode %s" % (report["cwd"], report["cwd_mode"]))
        check(report["args"] == ["original.png"] and report["files"] == ["original.png"],
              "mat2 got %r with %r" % (report["args"], report["files"]))
        check(not os.path.exists(report["cwd"]), "the private directory is still there")
        check(open(os.path.join(inst.root, "fake.png"), "rb").read() ==
              original.replace(b"Author", b"Xuthor"), "OUT is not what mat2 wrote")

        fake("fail")
        expect_refused(clean("fail.png", fake_dir + ":" + system_path),
                       "mat2 failed (exit status 255): [-] holiday.png can't be cleaned",
                       "mat2 failing")
        fake("sleep")
        expect_refused(clean("slow.png", fake_dir + ":" + system_path, "--time-limit", "2"),
                       "mat2 did not finish within 2 s", "mat2 past its time limit")
        pid = json.load(open(report_path))["pid"]
        # No pid namespace: the pid it saw is the one this test sees.
        gone = False
        for _ in range(50):
            try:
                os.kill(pid, 0)
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().split(") ")[1].startswith("Z"):
                        gone = True
                        break
            except (ProcessLookupError, FileNotFoundError):
                gone = True
                break
            time.sleep(0.1)
        check(gone, "the stand-in mat2 (pid %d) still runs after the time limit" % pid)

        only_unshare = os.path.join(inst.root, "no-mat2")
        os.makedirs(only_unshare)
        os.symlink(subprocess.run(["sh", "-c", "command -v unshare"], capture_output=True,
                                  text=True).stdout.strip(), os.path.join(only_unshare, "unshare"))
        expect_refused(clean("none.png", only_unshare), "mat2 is not installed", "mat2 missing")
        for name in ("fail.png", "slow.png", "none.png"):
            check(not os.path.exists(os.path.join(inst.root, name)), "a failed clean left " + name)
        check(os.listdir(tmp) == [], "private directories left behind: %r" % os.listdir(tmp))
        check(sql(inst, "SELECT count(*) FROM publication_copies") == "0", "a copy was stored")


CASES = {
    "attach": attach,
    "attach_postgres": lambda b, k: attach(b, k, "postgres"),
    "sandbox": sandbox,
}

if __name__ == "__main__":
    sys.exit(run_cases(CASES, sys.argv))
