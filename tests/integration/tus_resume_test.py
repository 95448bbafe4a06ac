#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/tus_resume_test.py: a 12+ MiB file uploaded with the
# browser client's code (tus-js-client in Node, web/src/upload.js) to the
# real server's tus endpoint through a proxy on 127.0.0.1 that cuts every
# connection after a few MB, then attached to the source's case
# (POST /api/v1/uploads/attach). The stored ciphertext decrypts with the stock
# `age` CLI to the frame of the original bytes. The same with a fresh
# Upload object (a simulated page reload) that resumes the same upload.
# Cases: `directory` (the directory blob engine, whose blob files the age
# CLI reads directly) and `pack` (the default engine; read back with
# `safehouse review read --out`).
# Usage: tus_resume_test.py SAFEHOUSE_BINARY directory|pack
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import (Installation, TestFailure, check, log,  # noqa: E402
                               review_list, review_read)

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(HERE, "..", "..", "web")
CUT_EVERY = 3 * 1024 * 1024 + 12345  # client bytes per connection, then it is cut
FILE_BYTES = 12 * 1024 * 1024 + 54321


class CuttingProxy:
    """Relays 127.0.0.1:port to the server; closes each connection (both
    sides) once the client has sent CUT_EVERY bytes through it."""

    def __init__(self, upstream_port, cut_every):
        self.upstream_port = upstream_port
        self.cut_every = cut_every
        self.cuts = 0
        self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src, dst, counted):
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if counted and sent + len(data) >= self.cut_every:
                    dst.sendall(data[:self.cut_every - sent])
                    self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.stopping = True
        self.listener.close()


def set_blob_engine(inst, engine):
    path = os.path.join(inst.dir, "config.toml")
    text = open(path).read()
    text, n = re.subn(r'^blobs = [\'"]\w*[\'"]$', 'blobs = "%s"' % engine, text, flags=re.M)
    check(n == 1, "config.toml has no blobs line")
    open(path, "w").write(text)
    # init made the pack engine's two files; nothing is stored in them yet.
    for name in ("pack", "index"):
        os.remove(os.path.join(inst.dir, "blobs", name))


def parse_frame(frame):
    (header_len,) = struct.unpack(">I", frame[:4])
    header = json.loads(frame[4:4 + header_len])
    (content_len,) = struct.unpack(">Q", frame[-8:])
    content = frame[4 + header_len:4 + header_len + content_len]
    return header, content


def upload(server, session, proxy, recipients, path, mode):
    cookie = "; ".join("%s=%s" % kv for kv in session.cookies.items())
    env = dict(os.environ, TUS_ENDPOINT="http://127.0.0.1:%d/api/v1/uploads/" % proxy.port,
               TUS_COOKIE=cookie, TUS_RECIPIENTS=",".join(recipients), TUS_FILE=path,
               TUS_MODE=mode)
    proc = subprocess.run(["node", os.path.join(HERE, "tus_resume_client.mjs")], env=env,
                          capture_output=True, timeout=600, cwd=WEB)
    if proc.returncode != 0:
        raise TestFailure("tus client (%s) failed: %s" % (mode, proc.stderr.decode()[-3000:]))
    result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    log(mode, result, "cuts so far", proxy.cuts)
    upload_id = result["url"].rstrip("/").rsplit("/", 1)[1]
    inbox = session.get("/en/inbox")  # its csrf field is the session's token
    check(inbox.status == 200, "inbox: %d" % inbox.status)
    r = session.request("POST", "/api/v1/uploads/attach",
                        body=json.dumps({"uploads": [upload_id], "language": "fa"}).encode(),
                        headers={"Content-Type": "application/json", "X-CSRF-Token": session.csrf})
    check(r.status == 200, "attach: %d %s" % (r.status, r.text))
    check(json.loads(r.body) == {"items": 1}, "attach answered %r" % r.body)
    gone = session.request("HEAD", result["url"].split("127.0.0.1:%d" % proxy.port)[-1],
                           headers={"Tus-Resumable": "1.0.0"})
    check(gone.status == 410, "attached upload still there: %d" % gone.status)
    return result


def decrypt_blobs_with_age(inst, size):
    """Every directory-engine blob file of `size` bytes, through `age -d`."""
    found = []
    for root, _, files in os.walk(os.path.join(inst.dir, "blobs")):
        for name in files:
            p = os.path.join(root, name)
            if os.path.getsize(p) == size and re.fullmatch(r"[0-9a-f]+", name):
                found.append(p)
    check(found, "no blob file of %d bytes" % size)
    return [subprocess.run(["age", "-d", "-i", inst.identity, p], check=True,
                           capture_output=True).stdout for p in found]


def run(binary, engine):
    check(shutil.which("node"), "node is missing")
    check(shutil.which("age"), "age is missing")
    check(os.path.isdir(os.path.join(WEB, "node_modules")),
          "web/node_modules missing: run npm ci in web/")
    with Installation(binary) as inst:
        if engine == "directory":
            set_blob_engine(inst, "directory")
        server = inst.start()
        source = server.session()
        r = source.first_contact("a video follows")
        check(r.status == 303, "first contact: %d" % r.status)
        metadata = json.loads(source.get("/api/v1/metadata").body)
        recipients = metadata["recipients"]
        proxy = CuttingProxy(server.source_port, CUT_EVERY)
        originals = []
        try:
            for mode in ("cut", "reload"):
                content = os.urandom(FILE_BYTES)
                path = os.path.join(inst.root, mode + ".bin")
                open(path, "wb").write(content)
                result = upload(server, source, proxy, recipients, path, mode)
                check(result["encryptedSize"] > FILE_BYTES, "encrypted size %r" % result)
                if mode == "reload":
                    check(result["resumed"], "the reload had no upload to resume")
                originals.append((mode, content, result["encryptedSize"]))
        finally:
            proxy.close()
        check(proxy.cuts >= 6, "the proxy cut only %d connections" % proxy.cuts)
        check(server.alive(), "server died")
        cases = review_list(inst)
        check(len(cases) == 1 and cases[0][5] == 3, "cases: %r" % cases)
        if engine == "directory":
            for mode, content, size in originals:
                frames = [parse_frame(f) for f in decrypt_blobs_with_age(inst, size)]
                match = [h for h, got in frames if got == content]
                check(len(match) == 1, "%s: no blob decrypts with age -d to the original" % mode)
                check(match[0].get("file_name") == "clip.mp4", "%s: header %r" % (mode, match[0]))
                log(mode, "decrypts with age to the original", len(content), "bytes")
        else:
            out = os.path.join(inst.root, "review-out")
            review_read(inst, cases[0][0], out=out)
            saved = [open(os.path.join(out, n), "rb").read() for n in sorted(os.listdir(out))]
            for mode, content, _ in originals:
                check(content in saved, "%s: review read does not give the original" % mode)
                log(mode, "reads back as the original", len(content), "bytes")


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    try:
        run(binary, engine)
    except TestFailure as e:
        print("FAIL:", e, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
