# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/safehouse_harness.py: what the system-level tests share
# (python3 standard library only): a fresh installation in a temporary
# directory, the server started on free 127.0.0.1 ports and stopped (or
# killed) at the end, a source's browser session (cookies, CSRF tokens,
# urlencoded and streamed multipart posts), the reviewer CLI, and a scanner
# that looks for marker strings in every byte of a directory in the
# encodings a careless implementation might store them in.
import base64
import binascii
import http.client
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

SOURCE_PAGES = ["/en/", "/fa/", "/en/first-contact", "/en/login", "/fa/login"]
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; font-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def log(*args):
    print("[test]", *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_marker(label):
    """A string that appears nowhere by chance."""
    return "MRK%s%s" % (label, uuid.uuid4().hex[:16].upper())


# ---------------------------------------------------------------- server


class Installation:
    """A temporary root holding DIR (the data directory) and logs/."""

    def __init__(self, binary, keep=False):
        self.binary = os.path.abspath(binary)
        self.root = tempfile.mkdtemp(prefix="safehouse-it-")
        self.dir = os.path.join(self.root, "data")
        self.logs = os.path.join(self.root, "logs")
        os.makedirs(self.logs)
        self.keep = keep
        self.server = None
        out = self.cli(["init", "--data", self.dir, "--demo"])
        self.init_output = out
        self.identity = os.path.join(self.dir, "demo-reviewer.key")
        check(os.path.exists(self.identity), "init --demo wrote no demo-reviewer.key")
        m = re.search(r"^\s+([a-z0-9]{5}(?:-[a-z0-9]{5}){5})\s*$", out, re.M)
        self.passphrase = m.group(1) if m else None

    def cli(self, args, input_bytes=None, env=None, check_rc=True):
        full_env = dict(os.environ)
        full_env.update(env or {})
        proc = subprocess.run([self.binary] + args, input=input_bytes, capture_output=True,
                              env=full_env, timeout=600)
        if check_rc and proc.returncode != 0:
            raise TestFailure("safehouse %s failed (%d): %s" %
                              (" ".join(args), proc.returncode, proc.stderr.decode(errors="replace")))
        return proc.stdout.decode(errors="replace") if check_rc else proc

    def set_quotas(self, lift_all=False, data_dir=None, **values):
        """Sets keys of config.toml's [quotas] (0 = no limit) before start();
        lift_all sets every key to 0, as benchmarks and load tests do.
        data_dir: another server's directory of the same installation."""
        path = os.path.join(data_dir or self.dir, "config.toml")
        with open(path) as f:
            lines = f.read().split("\n")
        section, seen = None, set()
        for i, line in enumerate(lines):
            if line.startswith("["):
                section = line.strip()
                continue
            m = re.match(r"^(\w+) = \d+$", line)
            if section == "[quotas]" and m:
                key = m.group(1)
                if lift_all or key in values:
                    lines[i] = "%s = %d" % (key, values.get(key, 0))
                    seen.add(key)
        check(set(values) <= seen, "no such quota: %s" % sorted(set(values) - seen))
        with open(path, "w") as f:
            f.write("\n".join(lines))

    def start(self, name="server"):
        self.server = Server(self, name)
        self.server.start()
        return self.server

    def close(self):
        if self.server:
            self.server.stop()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            log("kept", self.root)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.print_logs()
        self.close()

    def print_logs(self, tail=4000):
        """After a failure, the end of each server's output: the directory
        is removed afterwards, and a rare failure must leave its trace."""
        logs = getattr(self, "logs", None)
        if not logs or not os.path.isdir(logs):
            return
        for name in sorted(os.listdir(logs)):
            with open(os.path.join(logs, name), errors="replace") as f:
                text = f.read()[-tail:]
            if text.strip():
                log("--- %s (last %d characters) ---\n%s" % (name, tail, text))


class Server:
    def __init__(self, installation, name):
        self.inst = installation
        self.name = name
        self.proc = None
        self.stdout_path = os.path.join(installation.logs, name + ".stdout.log")
        self.stderr_path = os.path.join(installation.logs, name + ".stderr.log")

    def start(self, timeout=60):
        for _ in range(5):
            self.source_port, self.staff_port = free_port(), free_port()
            out = open(self.stdout_path, "ab")
            err = open(self.stderr_path, "ab")
            env = dict(os.environ)
            # ASan builds: a crash must be visible, not a hang.
            env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=0")
            self.proc = subprocess.Popen(
                [self.inst.binary, "serve", "--data", self.inst.dir,
                 "--source-listen", "127.0.0.1:%d" % self.source_port,
                 "--staff-listen", "127.0.0.1:%d" % self.staff_port],
                stdout=out, stderr=err, env=env)
            out.close()
            err.close()
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    with socket.create_connection(("127.0.0.1", self.source_port), timeout=1):
                        return
                except OSError:
                    time.sleep(0.1)
            if self.proc.poll() is None:
                self.proc.kill()
                raise TestFailure("server did not listen within %ds" % timeout)
            log("server exited with", self.proc.returncode, "- retrying on other ports")
        raise TestFailure("server would not start: %s" % open(self.stderr_path, errors="replace").read()[-2000:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TestFailure("server did not stop within 30 s of SIGTERM")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def session(self, **kwargs):
        return Session(self.source_port, **kwargs)

    def logs(self):
        text = b""
        for path in (self.stdout_path, self.stderr_path):
            with open(path, "rb") as f:
                text += f.read()
        return text


# ---------------------------------------------------------------- browser


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.header("location") or "")


def find_csrf(html):
    m = re.search(r'name="csrf"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf"', html)
    return m.group(1) if m else None


def find_codename(html):
    m = re.search(r'<p id="codename"[^>]*>(.*?)</p>', html, re.S)
    if not m:
        return None
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


class Multipart:
    """A multipart/form-data body; files may be bytes or (size, chunk generator)."""

    def __init__(self):
        self.boundary = "----safehouse" + uuid.uuid4().hex
        self.parts = []

    def field(self, name, value):
        if isinstance(value, str):
            value = value.encode()
        head = 'Content-Disposition: form-data; name="%s"\r\n\r\n' % name
        self.parts.append((head.encode(), value))
        return self

    def file(self, name, filename, content, media_type="application/octet-stream"):
        if isinstance(filename, str):
            filename = filename.encode()
        head = (b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename="' +
                filename + b'"\r\nContent-Type: ' + media_type.encode() + b"\r\n\r\n")
        self.parts.append((head, content))
        return self

    def content_type(self):
        return "multipart/form-data; boundary=" + self.boundary

    def _pieces(self):
        for head, content in self.parts:
            yield ("--" + self.boundary + "\r\n").encode() + head
            if isinstance(content, (bytes, bytearray)):
                yield bytes(content)
            else:
                yield from content[1]()
            yield b"\r\n"
        yield ("--" + self.boundary + "--\r\n").encode()

    def length(self):
        n = 0
        for head, content in self.parts:
            n += len(("--" + self.boundary + "\r\n").encode()) + len(head) + 2
            n += len(content) if isinstance(content, (bytes, bytearray)) else content[0]
        return n + len(("--" + self.boundary + "--\r\n").encode())

    def body(self):
        return b"".join(self._pieces())

    def stream(self):
        return self._pieces()


class Session:
    """A browser: keeps cookies, remembers the last CSRF token it saw."""

    def __init__(self, port, extra_headers=None, timeout=120):
        self.port = port
        self.cookies = {}
        self.set_cookie_headers = []
        self.csrf = None
        self.codename = None
        self.extra_headers = dict(extra_headers or {})
        self.timeout = timeout
        self.conn = None
        self.client_ports = set()

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.connect()
            self.client_ports.add(self.conn.sock.getsockname()[1])
        return self.conn

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, cookies=True):
        hdrs = dict(self.extra_headers)
        hdrs.update(headers or {})
        if cookies and self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 1 or not isinstance(body, (bytes, type(None))):
                    raise
        resp = Response(r.status, [(k.lower(), v) for k, v in r.getheaders()], data)
        if resp.header("connection") == "close" or r.will_close:
            self.close()
        for value in resp.all("set-cookie"):
            self.set_cookie_headers.append(value)
            name, _, rest = value.partition("=")
            val = rest.split(";", 1)[0]
            if "max-age=0" in value.lower() or val == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = val
        csrf = find_csrf(resp.text) if resp.header("content-type", ) and \
            "html" in (resp.header("content-type") or "") else None
        if csrf:
            self.csrf = csrf
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_form(self, path, fields, **kw):
        from urllib.parse import urlencode
        body = urlencode(fields).encode()
        return self.request("POST", path, body=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw)

    def post_multipart(self, path, mp, **kw):
        headers = {"Content-Type": mp.content_type(), "Content-Length": str(mp.length())}
        streamed = any(not isinstance(c, (bytes, bytearray)) for _, c in mp.parts)
        return self.request("POST", path, body=mp.stream() if streamed else mp.body(),
                            headers=headers, **kw)

    # The source's steps (routes.md).
    def first_contact(self, message, files=(), claims=None, lang="en", csrf=None,
                      audit_consent=None):
        """audit_consent: the value of the audit_consent checkbox ("yes" when
        ticked); None leaves it out, as an unticked box."""
        page = self.get("/%s/first-contact" % lang)
        check(page.status == 200, "first-contact page: %d" % page.status)
        self.codename = find_codename(page.text)
        check(self.codename, "first-contact page shows no codename")
        mp = Multipart().field("csrf", csrf if csrf is not None else self.csrf)
        mp.field("message", message)
        claims = claims or {}
        for key in ("branch", "unit", "rank", "region"):
            mp.field("claim_" + key, claims.get(key, ""))
        if audit_consent is not None:
            mp.field("audit_consent", audit_consent)
        for name, content in files:
            mp.file("files", name, content)
        return self.post_multipart("/%s/first-contact" % lang, mp)

    def login(self, codename, lang="en"):
        page = self.get("/%s/login" % lang)
        check(page.status == 200, "login page: %d" % page.status)
        return self.post_form("/%s/login" % lang, {"csrf": self.csrf, "codename": codename})

    def follow_up(self, message, files=(), lang="en", csrf=None, fetch_inbox=True):
        if fetch_inbox:
            inbox = self.get("/%s/inbox" % lang)
            check(inbox.status == 200, "inbox: %d" % inbox.status)
        mp = Multipart().field("csrf", csrf if csrf is not None else self.csrf)
        mp.field("message", message)
        for name, content in files:
            mp.file("files", name, content)
        return self.post_multipart("/%s/inbox" % lang, mp)

    def logout(self, lang="en"):
        # The token rotates at sign-in: take the inbox's.
        self.get("/%s/inbox" % lang)
        return self.post_form("/%s/logout" % lang, {"csrf": self.csrf})


# ---------------------------------------------------------------- reviewer


def review_list(inst):
    """[(case_id, alias, status, created, last, items, replies)]"""
    rows = []
    for line in inst.cli(["review", "list", "--data", inst.dir]).splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 7 and parts[0].isdigit():  # an 8th: DUPLICATE-OF
            rows.append((int(parts[0]), parts[1], parts[2], parts[3], parts[4], int(parts[5]),
                         int(parts[6])))
    return rows


def review_read(inst, case_id, out=None, check_rc=True):
    args = ["review", "read", "--data", inst.dir, "-i", inst.identity, str(case_id)]
    if out:
        args += ["--out", out]
    return inst.cli(args, check_rc=check_rc)


def review_reply(inst, case_id, text):
    return inst.cli(["review", "reply", "--data", inst.dir, str(case_id)],
                    input_bytes=text.encode())


# ---------------------------------------------------------------- scanning


def encodings_of(marker):
    """name → bytes: the marker as a careless store might keep it."""
    raw = marker.encode("utf-8") if isinstance(marker, str) else marker
    forms = {"plain": raw, "hex": binascii.hexlify(raw), "HEX": binascii.hexlify(raw).upper()}
    if isinstance(marker, str):
        forms["utf16le"] = marker.encode("utf-16-le")
        forms["utf16be"] = marker.encode("utf-16-be")
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        skip = (shift * 8 + 5) // 6  # characters that depend on the prefix
        full = (shift + len(raw)) // 3 * 4  # characters of whole groups only
        core = encoded[skip:full]
        forms["base64@%d" % shift] = core
        forms["base64url@%d" % shift] = core.replace(b"+", b"-").replace(b"/", b"_")
    return forms


def files_under(*roots):
    for root in roots:
        if os.path.isfile(root):
            yield root
            continue
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    yield path
            # names of directories and files are bytes too
        yield from ()


def scan(roots, markers, extra_blobs=()):
    """[(marker, encoding, where)] for every marker found in any encoding,
    in file contents, in file and directory names, and in extra_blobs
    ((label, bytes) pairs such as a database dump)."""
    needles = []
    for marker in markers:
        for enc, needle in encodings_of(marker).items():
            if len(needle) >= 4:
                needles.append((marker, enc, needle, needle.lower()))
    hits = []

    def search(label, data):
        lowered = None
        for marker, enc, needle, _ in needles:
            if needle in data:
                hits.append((marker, enc, label))
            elif enc == "plain":
                lowered = lowered if lowered is not None else data.lower()
                if needle.lower() in lowered:
                    hits.append((marker, "plain-any-case", label))

    for root in roots:
        for dirpath, dirnames, names in os.walk(root):
            for name in dirnames + names:
                search("name:" + os.path.join(dirpath, name), name.encode(errors="surrogateescape"))
        for path in files_under(root):
            with open(path, "rb") as f:
                search(path, f.read())
    for label, data in extra_blobs:
        search(label, data)
    return hits


def sqlite_dump(db_path):
    proc = subprocess.run(["sqlite3", db_path, ".dump"], capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise TestFailure("sqlite3 .dump failed: " + proc.stderr.decode(errors="replace"))
    return proc.stdout


def sqlite_query(db_path, sql):
    proc = subprocess.run(["sqlite3", db_path, sql], capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise TestFailure("sqlite3 failed: " + proc.stderr.decode(errors="replace"))
    return proc.stdout.decode().strip()


def db_path(inst):
    return os.path.join(inst.dir, "safehouse.sqlite3")


def row_counts(inst):
    """Rows per table: what 'nothing changed' is checked against."""
    db = db_path(inst)
    tables = sqlite_query(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
    counts = {}
    for table in tables.split():
        counts[table] = int(sqlite_query(db, 'SELECT count(*) FROM "%s"' % table))
    return counts


def live_blobs(inst):
    """Digests (hex) of the blobs the pack engine's index names as live:
    "put" records minus "remove" records, read up to the first record that is
    incomplete or fails its checksum (docs/storage.md, "Blobs")."""
    path = os.path.join(inst.dir, "blobs", "index")
    if not os.path.exists(path):
        return set()
    with open(path, "rb") as f:
        data = f.read()
    live, at = set(), 0
    while at + 16 <= len(data) and data[at:at + 4] == b"SHP1":
        size = int.from_bytes(data[at + 8:at + 12], "little")
        end = at + 16 + size + 32
        if end > len(data) or hashlib.sha256(data[at:at + 16 + size]).digest() != data[end - 32:end]:
            break
        digest = data[at + 16:at + 48].hex()
        if data[at + 4] == 1:
            live.add(digest)
        elif data[at + 4] == 2:
            live.discard(digest)
        at = end
    return live


def blob_files(inst):
    """What DIR/blobs holds: "blob <sha256>" for each live blob of the pack
    engine, and every other file except the pack, its index and the lock
    file (temporary files and the directory engine's blobs included)."""
    found = ["blob " + digest for digest in live_blobs(inst)]
    for path in files_under(os.path.join(inst.dir, "blobs")):
        if os.path.basename(path) not in ("LOCK", "pack", "index"):
            found.append(os.path.relpath(path, inst.dir))
    return sorted(found)


def inode_times(root):
    """(path, {"birth": s, "mtime": s, "ctime": s}) for ROOT and everything
    under it, from statx through GNU stat (nanoseconds; a birth time the file
    system does not keep is left out)."""
    out = subprocess.run(["find", root, "-exec", "stat", "--printf", "%.9W %.9Y %.9Z %n\\0", "{}", "+"],
                         capture_output=True, check=True).stdout.decode()
    result = []
    for entry in out.split("\0"):
        if not entry:
            continue
        birth, mtime, ctime, path = entry.split(" ", 3)
        times = {"mtime": float(mtime), "ctime": float(ctime)}
        if float(birth) != 0:
            times["birth"] = float(birth)
        result.append((path, times))
    return result


def run_cases(cases, argv):
    """main(): argv = [binary, case]; runs one case, exit status 0/1."""
    if len(argv) != 3 or argv[2] not in cases:
        print("usage: %s SAFEHOUSE_BINARY {%s}" % (argv[0], "|".join(cases)), file=sys.stderr)
        return 2
    keep = os.environ.get("SAFEHOUSE_KEEP_TEST_DIR") == "1"
    try:
        cases[argv[2]](argv[1], keep)
    except TestFailure as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    print("PASS", argv[2])
    return 0
