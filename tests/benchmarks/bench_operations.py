#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seed 003's operation benchmark, end to end: small, medium and large operations (100, 1,000 and 10,000 items) x 3
iterations each, timed by the Python SDK's ModuleMetrics, sent to a real perfdashd over ingest.sock and read back from
the operations table. Each item is real work: a CSV row is formatted, parsed and added to a running total.

Per iteration it prints the operation's own time and rate as the table keeps them (items / elapsed_s, computed by the
SDK and stored as sent), and how long after the operation began its row could be read from the database (the
collector writes work records once a second), with the end-to-end rate that gives. Then the seed's summary table.

Usage: PYTHONPATH=clients/python /usr/bin/python3 tests/benchmarks/bench_operations.py [--bin DIR] [--iterations N]
DIR holds perfdashd (default: $PERFDASH_BIN_DIR, else build/dev/bin)."""
import argparse
import csv
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

import perfdash

SIZES = (("Small Operation", 100), ("Medium Operation", 1000), ("Large Operation", 10000))


def process(items: int) -> int:
    """The operation's work: format, parse and add up `items` CSV rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i in range(items):
        writer.writerow((i, f"item-{i}", i * 0.25))
    total = 0
    for row in csv.reader(io.StringIO(buffer.getvalue())):
        total += int(row[0]) + len(row[1]) + int(float(row[2]))
    return total


def start_collector(binary: str, root: str) -> subprocess.Popen:
    collector = subprocess.Popen([binary, "--db", os.path.join(root, "perfdash.db"), "--runtime-dir",
                                  os.path.join(root, "run"), "--udp", "127.0.0.1:0", "--no-sampling"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = collector.stdout.readline()  # "ready ...", printed once every socket listens
    if not line.startswith("ready"):
        collector.kill()
        raise SystemExit(f"perfdashd did not start: {line!r}")
    return collector


def wait_for_row(db: str, target: str, timeout: float):
    """The stored (items, elapsed_s, items_per_s) of the operation with this target, and when it became readable."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
                row = connection.execute("SELECT items_processed, elapsed_s, items_per_s FROM operations WHERE target = ?",
                                         (target,)).fetchone()
        except sqlite3.OperationalError:
            row = None  # the table is made by the collector's first start
        if row:
            return row, time.monotonic()
        time.sleep(0.01)
    raise SystemExit(f"the row of {target} did not arrive within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--bin", default=os.environ.get("PERFDASH_BIN_DIR", os.path.join(source, "build/dev/bin")))
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        collector = start_collector(os.path.join(args.bin, "perfdashd"), root)
        try:
            records = perfdash.RecordsClient(os.path.join(root, "run", "ingest.sock"))
            metrics = perfdash.ModuleMetrics("benchmark", records=records)
            db = os.path.join(root, "perfdash.db")
            results = []
            for name, items in SIZES:
                print(f"\n{'=' * 80}\nBenchmark: {name}\nIterations: {args.iterations}\n{'=' * 80}")
                times, rates, visible = [], [], []
                for i in range(args.iterations):
                    target = f"{name}#{i}"
                    began = time.monotonic()
                    with metrics.operation("bench_import") as op:
                        op.target = target
                        process(items)
                        op.items = items
                    records.flush_for(5.0)
                    (stored_items, elapsed, rate), seen = wait_for_row(db, target, 30.0)
                    assert stored_items == items, (stored_items, items)
                    times.append(elapsed)
                    rates.append(rate)
                    visible.append(seen - began)
                    print(f"  Iteration {i + 1}: {elapsed:.4f}s | {items:,} items | {rate:,.0f} items/sec | "
                          f"row readable after {seen - began:.2f} s ({items / (seen - began):,.0f} items/sec end to end)")
                avg_time = sum(times) / len(times)
                avg_rate = items / avg_time if avg_time > 0 else 0
                avg_visible = sum(visible) / len(visible)
                print(f"\n  Average: {avg_time:.4f}s | {items:,} items | {avg_rate:,.0f} items/sec | "
                      f"row readable after {avg_visible:.2f} s")
                results.append((name, items, avg_time, avg_rate, avg_visible, min(rates), max(rates)))
        finally:
            collector.terminate()
            collector.wait(30)
    print(f"\n\n{'=' * 80}\nBENCHMARK SUMMARY\n{'=' * 80}\n")
    print(f"{'Operation':<20} {'Items':>8} {'Time (s)':>10} {'Rate':>12} {'Rate min-max':>20} {'Row after (s)':>14}")
    print("-" * 88)
    for name, items, avg_time, avg_rate, avg_visible, low, high in results:
        print(f"{name:<20} {items:>8,} {avg_time:>10.4f} {avg_rate:>12,.0f} {f'{low:,.0f}-{high:,.0f}':>20} "
              f"{avg_visible:>14.2f}")
    print(f"\nload average: {' '.join(open('/proc/loadavg').read().split()[:3])}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
