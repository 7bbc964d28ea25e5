#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes one seed file per row of tests/fixtures/statsd.tsv into tests/fuzz/corpus/statsd/, named by the row id.

Inputs above --max-bytes (default 4096) are left out to keep the committed corpus small: the 64 KiB limit rows
teach the fuzzer nothing a short line does not. Usage: seed_corpus.py [--out DIR] [--max-bytes N]
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def decode(text: str) -> bytes:
    """The table's escapes: \\\\ \\n \\r \\t \\xNN \\{TEXT*N}; anything else is an error."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        e = raw[i + 1:i + 2]
        if e in (b"\\", b"n", b"r", b"t"):
            out += {b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t"}[e]
            i += 2
        elif e == b"x":
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif e == b"{":
            close = raw.index(b"}", i)
            body = raw[i + 2:close]
            star = body.rindex(b"*")
            out += decode(body[:star].decode("utf-8")) * int(body[star + 1:])
            i = close + 1
        else:
            raise ValueError(f"unknown escape {raw[i:i + 2]!r}")
    return bytes(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests/fuzz/corpus/statsd")
    parser.add_argument("--max-bytes", type=int, default=4096)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = (ROOT / "tests/fixtures/statsd.tsv").read_text(encoding="utf-8").split("\n")
    written = skipped = 0
    for line in lines[1:]:
        if not line:
            continue
        fields = line.split("\t")
        row_id, payload = fields[0], decode(fields[1])
        if len(payload) > args.max_bytes:
            skipped += 1
            continue
        (args.out / re.sub(r"[^A-Za-z0-9_.-]", "_", row_id)).write_bytes(payload)
        written += 1
    print(f"{written} seeds written to {args.out}, {skipped} over {args.max_bytes} bytes left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
