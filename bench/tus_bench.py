# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/tus_bench.py: one resumable upload through the tus endpoint
# (/api/v1/uploads/) of a fresh installation: an age file of a padded item
# frame (made with Debian's `age` for the installation's recipient set, as
# the browser client would send it) of about SIZE_MIB (default 1024) MiB,
# sent in 1 MiB PATCHes over one keep-alive connection, then attached to the
# case. Prints MB/s, the server's peak RSS (VmHWM) and CPU seconds of the
# server. Quotas are lifted (set to 0) first.
# Usage: python3 bench/tus_bench.py SAFEHOUSE_BINARY [SIZE_MIB]
# SAFEHOUSE_BENCH_BLOBS=pack|directory picks the blob engine.
import http.client
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from intake_bench import cpu_seconds, fresh, lift_quotas, signed_in, vm_hwm_kib  # noqa: E402
from safehouse_harness import check  # noqa: E402

PATCH_BYTES = 1 << 20


def padme(length):
    if length < 2:
        return length
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def write_frame(out, content_bytes):
    """Streams a file item's frame (intake/frame.h) of random content to `out`."""
    header = json.dumps({"version": 1, "kind": "file", "file_name": "bench.bin",
                         "media_type": "application/octet-stream", "language": "en"},
                        separators=(",", ":")).encode()
    total = padme(4 + len(header) + content_bytes + 8)
    out.write(struct.pack(">I", len(header)) + header)
    block = os.urandom(PATCH_BYTES)
    left = content_bytes
    while left:
        n = min(left, len(block))
        out.write(block[:n])
        left -= n
    out.write(b"\0" * (total - 4 - len(header) - content_bytes - 8))
    out.write(struct.pack(">Q", content_bytes))


def set_tus_max(inst, size):
    path = os.path.join(inst.dir, "config.toml")
    text = open(path).read()
    text, n = re.subn(r"^tus_max_size_bytes = \d+$", "tus_max_size_bytes = %d" % size, text,
                      flags=re.M)
    check(n == 1, "config.toml has no tus_max_size_bytes")
    open(path, "w").write(text)


def main():
    binary = sys.argv[1]
    size_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    with fresh(binary) as inst, tempfile.TemporaryDirectory() as tmp:
        lift_quotas(inst)
        set_tus_max(inst, (size_mib + 64) << 20)
        server = inst.start()
        s = signed_in(server)
        recipients = json.loads(s.get("/api/v1/metadata").body)["recipients"]
        age_path = os.path.join(tmp, "bench.age")
        args = ["age", "-o", age_path]
        for r in recipients:
            args += ["-r", r]
        age = subprocess.Popen(args, stdin=subprocess.PIPE)
        write_frame(age.stdin, (size_mib << 20) - 4096)
        age.stdin.close()
        check(age.wait() == 0, "age failed")
        length = os.path.getsize(age_path)
        cookie = "; ".join("%s=%s" % kv for kv in s.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", server.source_port, timeout=600)
        conn.request("POST", "/api/v1/uploads/", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Cookie": cookie})
        r = conn.getresponse()
        r.read()
        check(r.status == 201, "create: %d" % r.status)
        location = r.getheader("Location")
        server_cpu = cpu_seconds(server.proc.pid)
        start = time.time()
        offset = 0
        with open(age_path, "rb") as f:
            while offset < length:
                piece = f.read(PATCH_BYTES)
                conn.request("PATCH", location, body=piece, headers={
                    "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "Cookie": cookie,
                    "Content-Type": "application/offset+octet-stream"})
                r = conn.getresponse()
                r.read()
                check(r.status == 204, "PATCH at %d: %d" % (offset, r.status))
                offset = int(r.getheader("Upload-Offset"))
        wall = time.time() - start
        server_cpu = cpu_seconds(server.proc.pid) - server_cpu
        upload_id = location.rsplit("/", 1)[1]
        conn.request("POST", "/api/v1/uploads/attach", body=json.dumps({"uploads": [upload_id]}),
                     headers={"Content-Type": "application/json", "Cookie": cookie,
                              "X-CSRF-Token": s.csrf})
        r = conn.getresponse()
        r.read()
        check(r.status == 200, "attach: %d" % r.status)
        print("tus upload of %d bytes in %d PATCHes of 1 MiB: wall %.1f s, %.1f MB/s, server "
              "VmHWM %.1f MiB, server CPU %.2f s, load average %.1f" %
              (length, (length + PATCH_BYTES - 1) // PATCH_BYTES, wall, length / wall / 1e6,
               vm_hwm_kib(server.proc.pid) / 1024, server_cpu, os.getloadavg()[0]))
        server.stop()


if __name__ == "__main__":
    main()
