#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/upload_ab.py: A/B of the 1 GiB upload between server builds. For each
# build in turn: a fresh installation (intake_bench.fresh, quotas lifted), N
# uploads of 1 GiB through the follow-up form into one server, each timed from
# the POST to the 303 (the sign-in is not timed), the server's CPU from /proc,
# and the time from the client's last byte to the answer ("tail"). Builds
# alternate round by round, so that a machine that changes speed over the hour
# (a VM does) touches both alike.
# Usage: python3 bench/upload_ab.py ROUNDS BINARY [BINARY...]
import os
import sys
import time

import intake_bench as ib
from safehouse_harness import Multipart

UPLOADS_PER_SERVER = 3
SIZE = 1 << 30


def one_upload(server):
    session = ib.signed_in(server)
    chunk = os.urandom(1 << 20)
    marks = {}

    def gen():
        for _ in range(SIZE // len(chunk)):
            yield chunk
        marks["last"] = time.time()

    mp = Multipart().field("csrf", session.csrf).field("message", "big").file(
        "files", "big.bin", (SIZE, gen))
    start = time.time()
    response = session.post_multipart("/en/inbox", mp)
    end = time.time()
    return end - start, end - marks["last"], response.status


def run(binary):
    out = []
    with ib.fresh(binary) as inst:
        ib.lift_quotas(inst)
        server = inst.start()
        for _ in range(UPLOADS_PER_SERVER):
            cpu = ib.cpu_seconds(server.proc.pid)
            wall, tail, status = one_upload(server)
            cpu = ib.cpu_seconds(server.proc.pid) - cpu
            out.append("%d %.0f MB/s cpu %.2f tail %.0f ms" %
                       (status, SIZE / wall / 1e6, cpu, tail * 1000))
        server.stop()
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: upload_ab.py ROUNDS BINARY [BINARY...]")
    for _ in range(int(sys.argv[1])):
        for binary in sys.argv[2:]:
            print(binary, run(binary), flush=True)
