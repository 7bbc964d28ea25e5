#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Overhead of the Python client SDK in the producer: ns per timed Run (with and without steps) and per op record
(with and without the /proc/self/statm read), sent to a Unix stream socket that a thread drains, as ingest.sock
would; and with the SDK off. Median of 5 runs each.
Usage: PYTHONPATH=clients/python /usr/bin/python3 tests/benchmarks/bench_sdk.py [iterations, default 20000]"""
import os
import socket
import sys
import tempfile
import threading
import time

import perfdash

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
RUNS = 5


def drain(server):
    def read(conn):
        while conn.recv(1 << 16):
            pass

    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=read, args=(conn,), daemon=True).start()


def median(fn):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[RUNS // 2]


def row(what, seconds, count=n, client=None):
    extra = f"   (sent {client.sent_records}, dropped {client.dropped_records})" if client else ""
    print(f"{what:<55} {seconds * 1e9 / count:9.0f} ns{extra}")


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "ingest.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    threading.Thread(target=drain, args=(server,), daemon=True).start()
    perfdash.set_log_hook(None)
    client = perfdash.RecordsClient(path, max_buffer_bytes=64 << 20)
    print(f"bench_sdk.py: {n} iterations per run, median of {RUNS} runs, Python {sys.version.split()[0]}")
    steps = ("load_data", "load_model", "preprocess", "predict", "postprocess")

    def runs(enabled, with_steps):
        for _ in range(n):
            with perfdash.Run("inference", records=client, enabled=enabled) as run:
                if with_steps:
                    for s in steps:
                        with run.step(s):
                            pass

    row("Run, SDK off (timing only, no record)", median(lambda: runs(False, False)))
    row("Run, no steps, one send() per record", median(lambda: runs(True, False)), client=client)
    row("Run, 5 steps, one send() per record", median(lambda: runs(True, True)), client=client)

    def ops(metrics):
        for _ in range(n):
            with metrics.operation("predict") as op:
                op.items = 256

    row("op record, SDK off", median(lambda: ops(perfdash.ModuleMetrics("b", records=client, enabled=False))))
    row("op record, memory from /proc/self/statm, one send()", median(lambda: ops(perfdash.ModuleMetrics("b", records=client))),
        client=client)
    row("op record, no memory read, one send()",
        median(lambda: ops(perfdash.ModuleMetrics("b", records=client, measure_memory=False))), client=client)
    client.flush_for(5)
    server.close()
