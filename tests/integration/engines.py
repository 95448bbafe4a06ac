# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/integration/engines.py: what the tests that run each case on both
# database engines share — a fresh installation on SQLite or on a throw-away
# PostgreSQL cluster (postgres_test.Cluster), SQL on either, and the result
# of one `safehouse` command.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safehouse_harness import Installation, db_path, log, sqlite_query  # noqa: E402
from postgres_test import Cluster, PostgresInstallation  # noqa: E402


def sql(inst, query):
    """One value (or rows joined by newlines, columns by '|') from the
    installation's database, whichever engine it is on."""
    if hasattr(inst, "cluster"):
        return inst.cluster.psql(query)
    return sqlite_query(db_path(inst), query)


class On:
    """A fresh installation on `engine` ("sqlite" or "postgres"), as a
    context manager; after a failure it prints the servers' logs first."""

    def __init__(self, engine, binary, keep):
        self.engine, self.binary, self.keep, self.cluster, self.inst = engine, binary, keep, None, None

    def __enter__(self):
        if self.engine == "postgres":
            self.cluster = Cluster()
            self.inst = PostgresInstallation(self.binary, self.cluster, self.keep)
        else:
            self.inst = Installation(self.binary, self.keep)
        return self.inst

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None:
                self.inst.print_logs()
            self.inst.close()
        finally:
            if self.cluster:
                self.cluster.close()


def run(inst, args, env=None, echo=False):
    """(exit status, stdout, stderr) of `safehouse ARGS`; `echo` logs them."""
    proc = inst.cli(args, check_rc=False, env=env)
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    if echo:
        log("$ safehouse", " ".join(args), "->", proc.returncode)
        log(out + err)
    return proc.returncode, out, err
