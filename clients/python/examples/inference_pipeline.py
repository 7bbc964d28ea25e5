#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small instrumented inference pipeline: each run times five steps (load_data, load_model, preprocess, predict,
postprocess) with perfdash.Run, records the batch operations with ModuleMetrics, and samples the process's CPU and
memory in the background. Start perfdash (or perfdashd), then run this; the runs, operations and the process's gauges
show up live. Records go to ingest.sock (PERFDASH_INGEST_SOCKET to point elsewhere). Ctrl-C stops it cleanly.
"""
import argparse
import logging
import math
import random
import time

import perfdash

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--pause-ms", type=int, default=500)
parser.add_argument("--fail-every", type=int, default=7, help="every K-th prediction fails (0: never)")
parser.add_argument("--model", default="demo-python")
args = parser.parse_args()

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
metrics = perfdash.ModuleMetrics("inference-example", tags={"model": args.model})
rng = random.Random(7)


def work(milliseconds, n=20000):
    """Stands in for real work: some arithmetic, then a sleep, so the CPU gauge moves without burning the machine."""
    acc = sum(math.sqrt(i + rng.random()) for i in range(n))
    time.sleep(milliseconds / 1000.0)
    return acc


@metrics.track("load_data", items=len)
def load_data():
    work(20)
    return [rng.random() for _ in range(10000)]


def load_model():
    work(30)
    return {"weights": [rng.random() for _ in range(100)]}


def preprocess(rows):
    work(10)
    return [r * 2 - 1 for r in rows]


def predict(model, batch, index):
    with metrics.operation("predict") as op:
        work(40)
        op.items = 256
        if args.fail_every > 0 and (index + 1) % args.fail_every == 0:
            raise ValueError(f"model returned NaN for batch {index}")
        return [sum(model["weights"][:8]) * x for x in batch[:256]]


def postprocess(scores):
    work(5)
    return [s > 0 for s in scores]


@perfdash.timed_run("inference", tags={"model": args.model})
def pipeline(index):
    with perfdash.step("load_data"):
        rows = load_data()
    with perfdash.step("load_model"):
        model = load_model()
    with perfdash.step("preprocess"):
        batch = preprocess(rows)
    try:
        with perfdash.step("predict"):
            scores = predict(model, batch, index)
    except ValueError:
        perfdash.current_run().fail()  # the op record carries the error; the run is marked failed and goes on
        scores = []
    with perfdash.step("postprocess"):
        return postprocess(scores)


with perfdash.Sampler(interval=0.5) as sampler:
    for i in range(args.runs):
        pipeline(i)
        time.sleep(args.pause_ms / 1000.0)

metrics.print_stats()
records = perfdash.default_records()
records.flush_for(2.0)  # a short program: give the last records a moment to leave
print(f"records_sent {records.sent_records}\nrecords_dropped {records.dropped_records}\nsamples {len(sampler.samples)}")
