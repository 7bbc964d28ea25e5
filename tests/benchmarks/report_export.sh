#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 14's export budget: 100 series x 24 h at 1 min (144,000 rows) as a readable series report, <= 2 s with
# progress. Imports the history into a temporary database, then times `perfdashd export` RUNS times (median, range)
# beside the raw exchange format and a 24 h KPI report at 1 min. Usage: report_export.sh [BUILD_BIN_DIR] [RUNS]
set -euo pipefail
bin=${1:-build/release/bin}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/history.csv" <<'PY'
import sys, time
now = int(time.time()) // 60 * 60
with open(sys.argv[1], "w") as f:
    f.write("time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\n")
    for t in range(now - 86400, now, 60):
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        for i in range(100):
            f.write(f'{ts},"bench.latency{{model=m{i % 10},op=o{i}}}",60,1,1,90,20,15,40,50,80,60,1,timer\n')
PY
"$bin/perfdashd" import --db "$work/b.db" "$work/history.csv" >/dev/null 2>&1
measure() {
    local label=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$bin/perfdashd" export --db "$work/b.db" "$@" -o "$work/out.csv" 2>/dev/null
        end=$(date +%s%N)
        times+=("$(((end - start) / 1000000))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v rows="$(($(wc -l < "$work/out.csv") - 1))" \
        '{ t[NR] = $1 / 1000 } END { printf "%-40s rows %7d  median %.2f s  range %.2f-%.2f s\n", label, rows, t[int((NR + 1) / 2)], t[1], t[NR] }'
}
measure "series report, 100 series x 24 h, 1 min" --series 'bench.*' --from -24h --step 1m
measure "raw exchange format, same" --series 'bench.*' --from -24h --step 1m --raw
measure "KPI report, 10 models x 24 h, 1 min" --from -24h --step 1m
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
