#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The collector's CPU with `--push` every second against a real VictoriaMetrics, and without it, under the same
# StatsD load (SERIES timer series, RATE lines/s, DURATION s, from a Python sender on 127.0.0.1). Prints one line per
# run: CPU seconds of perfdashd (user+system) and what it pushed. Results go in docs/benchmarks.md, never asserted.
# Usage: tests/benchmarks/push_cpu.sh [--bin DIR] [--series 1000] [--rate 20000] [--duration 20]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/build/release/bin"
SERIES=1000; RATE=20000; DURATION=20
while (($#)); do
    case "$1" in
        --bin) BIN="$2"; shift 2 ;;
        --series) SERIES="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        *) echo "push_cpu.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
VM=$(command -v victoria-metrics) || { echo "push_cpu.sh: victoria-metrics is not installed" >&2; exit 1; }
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/perfdash-pushcpu.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
VMPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$VM" -httpListenAddr=127.0.0.1:$VMPORT -storageDataPath="$WORK/vm" -loggerLevel=ERROR >"$WORK/vm.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$VMPORT/health" >/dev/null && break; sleep 0.1; done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # name, extra perfdashd arguments...
    local name=$1; shift
    local dir="$WORK/$name"; mkdir -p "$dir"
    "$BIN/perfdashd" --db "$dir/p.db" --runtime-dir "$dir/run" --udp 127.0.0.1:0 --no-sampling "$@" \
        >"$dir/out" 2>"$dir/err" &
    local pid=$!; PIDS+=($pid)
    for _ in $(seq 100); do grep -q '^ready' "$dir/out" 2>/dev/null && break; sleep 0.1; done
    local port; port=$(sed -n 's/^ready udp=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/out")
    local before; before=$(ticks "$pid")
    python3 - "$port" "$SERIES" "$RATE" "$DURATION" <<'PY'
import math, random, socket, sys, time
port, series, rate, duration = (int(a) for a in sys.argv[1:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
random.seed(7)
per = 25  # lines a datagram
start = time.monotonic()
sent = 0
i = 0
while time.monotonic() - start < duration:
    due = int((time.monotonic() - start) * rate)
    while sent < due:
        lines = []
        for _ in range(per):
            lines.append("bench.lat:%.3f|ms|#route:r%d" % (math.exp(random.uniform(math.log(100), math.log(270))), i % series))
            i += 1
        s.sendto("\n".join(lines).encode(), ("127.0.0.1", port))
        sent += per
    time.sleep(0.005)
PY
    local after; after=$(ticks "$pid")
    local stats; stats=$("$BIN/perfdashd" stats --runtime-dir "$dir/run" | grep -E '^(lines_accepted|push\.sent_(batches|bytes)|push\.failures) ' | tr '\n' ' ')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    printf '%-12s cpu %6.2f s over %d s (%5.1f %% of a core)  %s\n' "$name" \
        "$(echo "($after - $before) / $CLK_TCK" | bc -l)" "$DURATION" \
        "$(echo "100 * ($after - $before) / $CLK_TCK / $DURATION" | bc -l)" "$stats"
}

echo "load: $SERIES timer series, $RATE lines/s, $DURATION s; perfdashd from $BIN"
run no-push
run push-1s --push "http://127.0.0.1:$VMPORT" --push-interval 1s
