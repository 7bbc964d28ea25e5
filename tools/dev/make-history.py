#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes N days of demo history as `perfdashd export` CSV at a 1 min step, for `perfdashd import`.

Per model (the demo loadgen's names, tools/demoscenario.cpp):
  prediction.latency_ms{model=M}              timer: lognormal latencies; the first model's p95 drifts up
  prediction.count{model=M,status=ok|error}   counters: ~0.3 % errors; the second model's error rate drifts up
  prediction.accuracy{model=M}                gauge: count = scored predictions, mean = share correct
                                              (models/kpi.h Kpi::accuracy); the third model declines slowly
Throughput follows a daily cycle (peak at 14:00 UTC). Deterministic for a given --seed and --end.

  tools/dev/make-history.py --days 30 > history.csv
  perfdashd import --db perfdash.db history.csv
"""
import argparse
import math
import random
import sys
import time

MODELS = ["resnet50", "bert-base", "whisper-small", "llama-7b"]
HEADER = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind"
Z = {0.5: 0.0, 0.9: 1.2815516, 0.95: 1.6448536, 0.99: 2.3263479}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def num(v):
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def quote(selector):
    return f'"{selector}"' if "," in selector else selector


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=30, help="days of history (default 30)")
    ap.add_argument("--models", type=int, default=3, help=f"how many of {', '.join(MODELS)} (default 3)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--end", help="end of the history, unix seconds (default: the start of the current minute)")
    ap.add_argument("--rps", type=float, default=5.0, help="mean requests per second per model (default 5)")
    ap.add_argument("-o", "--output", help="output file (default stdout)")
    args = ap.parse_args()
    if args.days <= 0 or not 1 <= args.models <= len(MODELS):
        ap.error("--days must be positive and --models 1..4")

    rng = random.Random(args.seed)
    end = int(args.end) if args.end else int(time.time()) // 60 * 60
    end -= end % 60
    minutes = args.days * 1440
    start = end - minutes * 60
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    w = out.write
    w(HEADER + "\r\n")
    models = MODELS[: args.models]
    for i in range(minutes):
        t = start + i * 60
        progress = i / max(1, minutes - 1)  # 0 at the start, 1 at the end
        hour = (t % 86400) / 3600.0
        cycle = 1.0 + 0.6 * math.cos(2 * math.pi * (hour - 14.0) / 24.0)
        for m, model in enumerate(models):
            scale = 1.0 + 0.6 * m
            requests = max(1, int(rng.gauss(args.rps * 60 * cycle / scale, math.sqrt(args.rps * 60))))
            # Latency: lognormal; model 0's tail (sigma, hence p95/p99) widens over the period.
            median = 20.0 * scale * math.exp(rng.gauss(0, 0.03))
            # p95 = median × e^(1.645 σ): +39 % by the end, so +50 % (the breach) lies about a week ahead.
            sigma = 0.35 + (0.20 * progress if m == 0 else 0.0)
            q = {level: median * math.exp(sigma * z) for level, z in Z.items()}
            low = median * math.exp(-3.0 * sigma)
            high = median * math.exp(3.3 * sigma)
            mean = median * math.exp(sigma * sigma / 2)
            sel = f"prediction.latency_ms{{model={model}}}"
            w(f"{iso(t)},{sel},{requests},{num(requests / 60)},{num(low)},{num(high)},{num(mean)},"
              f"{num(q[0.5])},{num(q[0.9])},{num(q[0.95])},{num(q[0.99])},60,1,timer\r\n")
            # Errors: ~0.3 %; model 1 drifts up to ~3 %.
            share = 0.003 + (0.027 * progress if m == 1 else 0.0)
            errors = sum(1 for _ in range(requests) if rng.random() < share)
            for status, n in (("ok", requests - errors), ("error", errors)):
                if n > 0:
                    sel = quote(f"prediction.count{{model={model},status={status}}}")
                    w(f"{iso(t)},{sel},{n},{num(n / 60)},1,1,,,,,,60,1,counter\r\n")
            # Accuracy: a fifth of the predictions are scored; model 2 declines from 93 % to 85 %.
            scored = max(1, requests // 5)
            truth = 0.93 - (0.08 * progress if m == 2 else 0.0)
            correct = sum(1 for _ in range(scored) if rng.random() < truth)
            acc = correct / scored
            sel = f"prediction.accuracy{{model={model}}}"
            w(f"{iso(t)},{sel},{scored},,{num(max(0.0, acc - 0.02))},{num(min(1.0, acc + 0.02))},{num(acc)},"
              f",,,,60,1,gauge\r\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
