#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Derives a codename's source keys with independent tools and checks them
against the known answers pinned in source_keys_test.cpp (SourceKeys.KnownAnswer):
Argon2id by the reference `argon2` CLI, HKDF-SHA-256 by Python's hmac, the
age recipient by `age-keygen -y`, the Ed25519 public key by `openssl`. This
is the recipe the browser client must follow; docs/codename.md spells it out.
A missing tool is a failure (scripts/lib.sh installs them all)."""

import hashlib
import hmac
import shutil
import subprocess
import sys

SECRET = bytes(range(12)) + b"\0"  # the codename whose secret is 00 01 .. 0b 00
SALT = "safehouse/cn/v01"
OPS_LIMIT = 2
MEM_LIMIT_LOG2_KIB = 15  # 32 MiB

# Must equal the literals in source_keys_test.cpp.
EXPECTED_SOURCE_ID = "87c1c4acc18bbb189b1be14f2bd0416c18db4252ed91c563ee3b77bd39396ccc"
EXPECTED_SIGNING_PUBLIC_KEY = "5e0708d3c9224ca284e20c95643fba83b141243047b39d2e20ecda14ca955706"
EXPECTED_RECIPIENT = "age1q6yp7y3m0r85d9k6rdfx3wuw0nxps0ckdx04gpkykhdyt5nrzgss993pau"


def hkdf_sha256(ikm, info, length=32):
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for counter in range(1, (length + 31) // 32 + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
    return out[:length]


def bech32_encode(hrp, data):
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    acc, bits, five = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk

    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = polymod(expanded + five + [0] * 6) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(charset[d] for d in five + checksum)


def main():
    for tool in ("argon2", "age-keygen", "openssl"):
        if shutil.which(tool) is None:
            print(f"derivation_peer_test: {tool} is not installed")
            return 1
    master_hex = subprocess.run(
        ["argon2", SALT, "-id", "-t", str(OPS_LIMIT), "-m", str(MEM_LIMIT_LOG2_KIB), "-p", "1",
         "-l", "32", "-r"], input=SECRET, capture_output=True, check=True).stdout.decode().strip()
    master = bytes.fromhex(master_hex)

    source_id = hkdf_sha256(master, b"safehouse/source-id/v1").hex()

    scalar = hkdf_sha256(master, b"safehouse/reply-identity/v1")
    identity = bech32_encode("age-secret-key-", scalar).upper()
    recipient = subprocess.run(["age-keygen", "-y"], input=identity.encode() + b"\n",
                               capture_output=True, check=True).stdout.decode().strip()

    seed = hkdf_sha256(master, b"safehouse/signing-key/v1")
    pkcs8 = bytes.fromhex("302e020100300506032b657004220420") + seed
    public_der = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"],
                                input=pkcs8, capture_output=True, check=True).stdout
    signing_public_key = public_der[-32:].hex()

    failures = 0
    for name, got, want in (("source_id", source_id, EXPECTED_SOURCE_ID),
                            ("signing_public_key", signing_public_key, EXPECTED_SIGNING_PUBLIC_KEY),
                            ("recipient", recipient, EXPECTED_RECIPIENT)):
        if got != want:
            print(f"derivation_peer_test: {name}: got {got}, want {want}")
            failures += 1
    print(f"{3 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
