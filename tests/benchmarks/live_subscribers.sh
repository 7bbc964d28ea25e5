#!/usr/bin/env bash
# What a live.sock subscriber costs the collector, version 1 against version 2 (docs/benchmarks.md, "Live protocol 2").
# One collector takes 10,000 timer series at 1 value each per second (perfdash-loadgen --scenario flood); its CPU
# is read from /proc over the same number of seconds with no subscriber, with one version 1 subscriber (reads every
# frame whole) and with one version 2 subscriber (subscribes to 100 series, the rest brief). Each subscriber also
# counts the bytes it read. Needs python3. Usage: live_subscribers.sh [BIN_DIR] [SECONDS] [REPS]
set -euo pipefail
BIN=${1:-build/bench/bin}
SECONDS_PER_PHASE=${2:-20}
REPS=${3:-3}
SERIES=10000
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -m 0700 "$work/rt"
port=$((20000 + RANDOM % 20000))
"$BIN/perfdashd" --db "$work/p.db" --runtime-dir "$work/rt" --udp 127.0.0.1:$port --no-sampling 2>"$work/collector.log" &
collector=$!
for _ in $(seq 100); do [ -S "$work/rt/live.sock" ] && break; sleep 0.1; done
[ -S "$work/rt/live.sock" ] || { echo "collector did not start" >&2; cat "$work/collector.log" >&2; exit 1; }
total=$(( (SECONDS_PER_PHASE + 10) * (3 * REPS + 1) ))
"$BIN/perfdash-loadgen" --scenario flood --udp 127.0.0.1:$port --series $SERIES --rate $SERIES \
    --lines-per-datagram 28 --duration $total >/dev/null &
sleep 5 # every series seen once

cat > "$work/sub.py" <<'PY'
import json, socket, sys, time
path, version, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
f = s.makefile('rb')
hello = json.loads(f.readline())
if version == 2:
    keys = ['bench.latency|series:%d' % i for i in range(0, 10000, 100)]
    s.sendall((json.dumps({"type": "request", "id": 1, "method": "subscribe", "version": 2, "keys": keys}) + "\n").encode())
start = time.monotonic()
total = frames = 0
while time.monotonic() - start < seconds:
    line = f.readline()
    if not line:
        break
    total += len(line)
    frames += b'"type":"frame"' in line
print(total, frames)
PY

cpu() { awk '{print $14 + $15}' "/proc/$collector/stat"; }
tick=$(getconf CLK_TCK)
phase() { # name, version (0: none)
    local before after out=""
    before=$(cpu)
    if [ "$2" = 0 ]; then sleep "$SECONDS_PER_PHASE"; else out=$(python3 "$work/sub.py" "$work/rt/live.sock" "$2" "$SECONDS_PER_PHASE"); fi
    after=$(cpu)
    printf '%-28s cpu %6.3f s per s   %s\n' "$1" \
        "$(awk -v a="$after" -v b="$before" -v t="$tick" -v s="$SECONDS_PER_PHASE" 'BEGIN { print (a - b) / t / s }')" \
        "${out:+bytes/s $(( ${out% *} / SECONDS_PER_PHASE )) frames ${out#* }}"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$REPS"); do
    phase "no subscriber" 0
    phase "one version 1 subscriber" 1
    phase "one version 2 subscriber" 2
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
