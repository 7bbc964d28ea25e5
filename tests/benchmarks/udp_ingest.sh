#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end UDP ingest benchmark: perfdash-loadgen -> perfdashd on 127.0.0.1, optionally side by side with collectd's
# statsd plugin. Climbs a ladder of rates and reports, per step, what was sent, what the receiver counted, the kernel's
# drops and the receiver's CPU; then the highest loss-free rate and the CPU seconds per million lines at 200k lines/s.
# Results are recorded in docs/benchmarks.md, never asserted. Every run is bounded in count and time.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: tests/benchmarks/udp_ingest.sh [--bin DIR] [--quick] [--peer collectd|none]

  --bin DIR        where perfdashd and perfdash-loadgen are (default: build/release/bin in the source tree)
  --quick          a short sanity run: 2 steps per ladder, 2 s each, no refinement (for CI)
  --peer collectd  also run the packed stream against collectd's statsd plugin (installs collectd-core with
                   apt-get when it is missing; needs root) and print the CPU and rate ratios
  --peer none      perfdashd only (default)

Targets are 127.0.0.1 only. Prints markdown tables on stdout, progress on stderr.
Full run: about 4 minutes without a peer, about 7 with one.
EOF
}

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/build/release/bin"
QUICK=0
PEER=none
while (($#)); do
    case "$1" in
        --bin) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; BIN="$2"; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --peer) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; PEER="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "udp_ingest.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ "$PEER" == collectd || "$PEER" == none ]] || { echo "udp_ingest.sh: --peer is collectd or none" >&2; exit 2; }
PERFDASHD="$BIN/perfdashd"
LOADGEN="$BIN/perfdash-loadgen"
for b in "$PERFDASHD" "$LOADGEN"; do
    [[ -x "$b" ]] || { echo "udp_ingest.sh: $b is missing; build the release preset first" >&2; exit 1; }
done

# Ladders, in lines per second. One line per datagram: the rate is also datagrams per second.
if ((QUICK)); then
    STEP_S=2; CPU_S=2; REFINE=0; IDLE_S=1
    LADDER_1=(100000 200000)
    LADDER_25=(500000 1000000)
else
    STEP_S=5; CPU_S=10; REFINE=2; IDLE_S=5
    LADDER_1=(100000 200000 300000 400000 500000 600000 800000 1000000 1200000)
    # Starts low so that a slower peer still gets a loss-free step on the same ladder.
    LADDER_25=(100000 250000 500000 1000000 2000000 3000000 4000000 5000000 6000000 7000000 8000000)
fi
CPU_RATE=200000 # lines/s, 25 per datagram, for CPU seconds per million lines
SERIES=100
MAX_LOSSY=2 # stop a ladder after this many lossy steps in a row where the sender kept up
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/perfdash-udpbench.XXXXXX)
PD_PID=""
CD_PID=""
cleanup() {
    local pid
    for pid in "$PD_PID" "$CD_PID"; do
        [[ -n "$pid" ]] || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[udp_ingest] $*" >&2; }

# utime + stime of a whole process (all threads), in clock ticks. The comm field may hold spaces: cut after ')'.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

# Busy ticks of the whole machine (all cores), to see what else ran during a step.
machine_busy_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# The kernel's drop counter of the UDP socket bound to 127.0.0.1:PORT (last column of /proc/net/udp). Unlike
# SO_RXQ_OVFL it needs no later datagram to be seen, and it works the same for any receiver.
udp_drops() {
    local hex
    hex=$(printf '0100007F:%04X' "$1")
    awk -v a="$hex" '$2 == a { d += $NF } END { print d + 0 }' /proc/net/udp
}
udp_rx_queue() { # bytes waiting in that socket's receive queue
    local hex q n=0
    hex=$(printf '0100007F:%04X' "$1")
    for q in $(awk -v a="$hex" '$2 == a { split($5, x, ":"); print x[2] }' /proc/net/udp); do
        n=$((n + 16#$q))
    done
    echo "$n"
}

# ---- receivers: start, count what they accepted, settle ---------------------------------------------------------

PD_PORT=""
start_perfdashd() {
    mkdir -p "$WORK/perfdashd"
    "$PERFDASHD" --db "$WORK/perfdashd/bench.db" --runtime-dir "$WORK/perfdashd/run" --udp 127.0.0.1:0 \
        >"$WORK/perfdashd/out" 2>"$WORK/perfdashd/err" &
    PD_PID=$!
    for _ in $(seq 100); do
        PD_PORT=$(sed -n 's/^ready udp=127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$WORK/perfdashd/out")
        [[ -n "$PD_PORT" ]] && break
        kill -0 "$PD_PID" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$PD_PORT" ]] || { log "perfdashd did not become ready:"; cat "$WORK/perfdashd/err" >&2; exit 1; }
    log "perfdashd pid $PD_PID on 127.0.0.1:$PD_PORT"
}

pd_stat() { # NAME: one counter from `perfdashd stats`
    timeout 10 "$PERFDASHD" stats --runtime-dir "$WORK/perfdashd/run" | awk -v n="$1" '$1 == n { print $2 }'
}

find_free_udp_port() {
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! awk -v a="$(printf '0100007F:%04X' "$port")" -v b="$(printf '00000000:%04X' "$port")" \
            '$2 == a || $2 == b { found = 1 } END { exit !found }' /proc/net/udp; then
            echo "$port"
            return
        fi
    done
    log "no free UDP port found"
    exit 1
}

# collectd: its statsd plugin has no counters of its own, so we count what it received from its output. With
# TimerCount it dispatches, per timer and per interval, how many values it got (and resets); the csv plugin writes
# each dispatch to a file, so the sum over all *-count files is the number of lines accepted. (Netdata counts events
# too, but it is a whole monitoring agent with dozens of collectors: its CPU would not be the statsd server's alone.)
CD_PORT=""
ensure_collectd() {
    if [[ -x /usr/sbin/collectd && -e /usr/lib/collectd/statsd.so && -e /usr/lib/collectd/csv.so ]]; then
        return
    fi
    log "installing collectd-core (the peer) with apt-get"
    [[ $(id -u) -eq 0 ]] || { log "--peer collectd needs root to install collectd-core"; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends collectd-core >&2; then
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends collectd-core >&2
    fi
}

start_collectd() {
    local dir="$WORK/collectd"
    mkdir -p "$dir/csv"
    CD_PORT=$(find_free_udp_port)
    cat >"$dir/collectd.conf" <<EOF
Hostname "perfdash-bench"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
AutoLoadPlugin false
Interval 1
ReadThreads 1
WriteThreads 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel warning
  File "$dir/collectd.log"
  Timestamp true
</Plugin>
LoadPlugin statsd
<Plugin statsd>
  Host "127.0.0.1"
  Port "$CD_PORT"
  TimerCount true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$dir/csv"
  StoreRates false
</Plugin>
EOF
    /usr/sbin/collectd -f -C "$dir/collectd.conf" >"$dir/stdout" 2>&1 &
    CD_PID=$!
    for _ in $(seq 100); do
        awk -v a="$(printf '0100007F:%04X' "$CD_PORT")" '$2 == a { f = 1 } END { exit !f }' /proc/net/udp && break
        kill -0 "$CD_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! awk -v a="$(printf '0100007F:%04X' "$CD_PORT")" '$2 == a { f = 1 } END { exit !f }' /proc/net/udp; then
        log "collectd did not bind 127.0.0.1:$CD_PORT:"
        cat "$dir/stdout" "$dir/collectd.log" >&2 2>/dev/null || true
        exit 1
    fi
    log "collectd pid $CD_PID on 127.0.0.1:$CD_PORT"
}

cd_accepted() {
    find "$WORK/collectd/csv" -type f -name 'gauge-*-count-*' -exec cat {} + \
        | awk -F, '$1 ~ /^[0-9.]+$/ { s += $2 } END { printf "%.0f\n", s + 0 }'
}

# idle_cpu: the receiver's CPU with no traffic, in % of one core, over IDLE_S seconds.
idle_cpu() {
    local pid c0 c1
    pid=$(rx_pid)
    settle
    c0=$(cpu_ticks "$pid")
    sleep "$IDLE_S"
    c1=$(cpu_ticks "$pid")
    awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v w="$IDLE_S" 'BEGIN { printf "%.1f", 100 * (b - a) / t / w }'
}

# CPU seconds per million accepted lines of the last step; gross, and net of the idle baseline IDLE_PCT.
cpu_per_million() { awk -v c="$S_CPU" -v n="$S_ACCEPTED" 'BEGIN { printf "%.3f", n ? c / (n / 1e6) : 0 }'; }
cpu_per_million_net() {
    awk -v c="$S_CPU" -v n="$S_ACCEPTED" -v i="$1" -v w="$S_WALL" \
        'BEGIN { printf "%.3f", n ? (c - i / 100 * w) / (n / 1e6) : 0 }'
}

# RECEIVER is perfdashd or collectd.
RECEIVER=""
rx_pid() { if [[ "$RECEIVER" == perfdashd ]]; then echo "$PD_PID"; else echo "$CD_PID"; fi; }
rx_port() { if [[ "$RECEIVER" == perfdashd ]]; then echo "$PD_PORT"; else echo "$CD_PORT"; fi; }
rx_accepted() { if [[ "$RECEIVER" == perfdashd ]]; then pd_stat lines_accepted; else cd_accepted; fi; }
# collectd logs unparsable lines but counts nothing; the plain stream it gets has none.
rx_rejected() { if [[ "$RECEIVER" == perfdashd ]]; then pd_stat lines_rejected; else echo 0; fi; }

# Waits (at most 15 s) until the socket queue is empty and the accepted count has stopped moving. collectd's count
# shows up only after its next interval and write, hence a longer quiet period there.
settle() {
    local port quiet last now stable=0
    port=$(rx_port)
    [[ "$RECEIVER" == perfdashd ]] && quiet=1 || quiet=3
    last=$(rx_accepted)
    for _ in $(seq 30); do
        sleep 0.5
        now=$(rx_accepted)
        if [[ "$now" == "$last" && $(udp_rx_queue "$port") -eq 0 ]]; then
            stable=$((stable + 1))
            ((stable >= quiet * 2)) && break
        else
            stable=0
        fi
        last=$now
    done
}

# ---- one step ------------------------------------------------------------------------------------------------------

# run_step RATE LINES_PER_DATAGRAM SECONDS PLAIN(0|1) -> sets the S_* variables. CPU is measured over the send plus a
# fixed 1 s tail, the same window for every receiver; counting waits for the receiver to settle afterwards.
run_step() {
    local rate=$1 lpd=$2 secs=$3 plain=$4 pid port out t0 t1 c0 c1 m0 m1 d0 d1 a0 a1 r0 r1 sender_times extra=()
    pid=$(rx_pid)
    port=$(rx_port)
    ((plain)) && extra=(--plain)
    settle
    a0=$(rx_accepted); r0=$(rx_rejected); d0=$(udp_drops "$port")
    c0=$(cpu_ticks "$pid"); m0=$(machine_busy_ticks); t0=$(date +%s.%N)
    out=$(
        TIMEFORMAT='sender_cpu_s %U %S'
        { time timeout $((secs + 15)) "$LOADGEN" --scenario flood --udp "127.0.0.1:$port" --rate "$rate" \
            --duration "$secs" --lines-per-datagram "$lpd" --series "$SERIES" "${extra[@]}"; } 2>&1
    )
    sleep 1
    c1=$(cpu_ticks "$pid"); m1=$(machine_busy_ticks); t1=$(date +%s.%N)
    settle
    a1=$(rx_accepted); r1=$(rx_rejected); d1=$(udp_drops "$port")

    S_RATE=$rate; S_LPD=$lpd
    S_SENT=$(awk '$1 == "lines_sent" { print $2 }' <<<"$out")
    S_SENDER_DROPPED=$(awk '$1 == "lines_dropped_by_sender" { print $2 }' <<<"$out")
    S_ACHIEVED=$(awk '$1 == "lines_per_s" { print $2 }' <<<"$out")
    sender_times=$(awk '$1 == "sender_cpu_s" { print $2 + $3 }' <<<"$out")
    [[ -n "$S_SENT" && -n "$S_ACHIEVED" ]] || { log "loadgen failed: $out"; exit 1; }
    S_ACCEPTED=$((a1 - a0))
    S_REJECTED=$((r1 - r0))
    S_DROPS=$((d1 - d0))
    S_LOSS=$((S_SENT + S_SENDER_DROPPED - S_ACCEPTED))
    S_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    S_CPU=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
    S_ELAPSED=$(awk '$1 == "elapsed_s" { print $2 }' <<<"$out")
    # In % of one core over the send alone: the receiver drains its queue within the tail and then idles, so this is
    # close to its load while the stream lasted (slightly high by what it spends in the tail).
    S_CPU_PCT=$(awk -v c="$S_CPU" -v w="$S_ELAPSED" 'BEGIN { printf "%.0f", 100 * c / w }')
    S_SENDER_PCT=$(awk -v c="$sender_times" -v s="$secs" 'BEGIN { printf "%.0f", 100 * c / s }')
    # Everything else on the machine (other engineers' builds...), in % of one core: the noise indicator.
    S_OTHER_PCT=$(awk -v a="$m0" -v b="$m1" -v t="$CLK_TCK" -v w="$S_WALL" -v c="$S_CPU" -v s="$sender_times" \
        'BEGIN { o = 100 * ((b - a) / t - c - s) / w; printf "%.0f", o < 0 ? 0 : o }')
    S_KEPT_UP=$(awk -v a="$S_ACHIEVED" -v r="$rate" 'BEGIN { print (a >= 0.97 * r) ? 1 : 0 }')
    if ((!S_KEPT_UP && S_LOSS > 0)); then S_LIMIT="sender, and the receiver lost lines"
    elif ((!S_KEPT_UP)); then S_LIMIT=sender
    elif ((S_LOSS > 0)); then S_LIMIT=receiver
    else S_LIMIT=-; fi
}

TABLE_HEADER='| receiver | stream | lines/dgram | target lines/s | sender achieved lines/s | sender CPU % | lines sent | accepted | rejected | kernel drops | loss | receiver CPU s | receiver CPU % of a core, over the send | other CPU % | limited by |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
ROWS=""
add_row() { # STREAM
    ROWS+="| $RECEIVER | $1 | $S_LPD | $S_RATE | $S_ACHIEVED | $S_SENDER_PCT | $S_SENT | $S_ACCEPTED | $S_REJECTED "
    ROWS+="| $S_DROPS | $S_LOSS | $S_CPU | $S_CPU_PCT | $S_OTHER_PCT | $S_LIMIT |"$'\n'
    log "$RECEIVER $1 lpd=$S_LPD target=$S_RATE achieved=$S_ACHIEVED sent=$S_SENT accepted=$S_ACCEPTED" \
        "drops=$S_DROPS loss=$S_LOSS cpu=${S_CPU}s (${S_CPU_PCT}%) sender=${S_SENDER_PCT}% other=${S_OTHER_PCT}%"
}

# ladder LPD PLAIN RATES... -> sets L_BEST (the highest achieved lines/s of a loss-free step, 0 if none), L_BEST_TARGET
# and L_BEST_KEPT_UP (that step's target, and whether the sender reached it), L_CLEAN (the highest loss-free target
# that the sender reached), L_LOSSY_MIN (the lowest achieved lines/s of a lossy step, 0 if none), L_SENDER_MAX (the
# highest achieved rate seen) and L_FIRST_LOSS (the lowest lossy target above L_CLEAN, for the refinement).
ladder() {
    local lpd=$1 plain=$2 stream lossy=0 rate lo hi mid i r
    shift 2
    ((plain)) && stream=plain || stream=tags
    L_BEST=0; L_BEST_TARGET=0; L_BEST_KEPT_UP=0; L_CLEAN=0; L_LOSSY_MIN=0; L_SENDER_MAX=0; L_FIRST_LOSS=0
    record() {
        add_row "$stream"
        ((S_ACHIEVED > L_SENDER_MAX)) && L_SENDER_MAX=$S_ACHIEVED
        if ((S_LOSS == 0)); then
            if ((S_ACHIEVED > L_BEST)); then
                L_BEST=$S_ACHIEVED; L_BEST_TARGET=$S_RATE; L_BEST_KEPT_UP=$S_KEPT_UP
            fi
            ((S_KEPT_UP && S_RATE > L_CLEAN)) && L_CLEAN=$S_RATE
        else
            if ((L_LOSSY_MIN == 0 || S_ACHIEVED < L_LOSSY_MIN)); then L_LOSSY_MIN=$S_ACHIEVED; fi
            LOSSY_TARGETS+=("$S_RATE")
        fi
        L_FIRST_LOSS=0
        for r in "${LOSSY_TARGETS[@]}"; do
            if ((r > L_CLEAN)) && ((L_FIRST_LOSS == 0 || r < L_FIRST_LOSS)); then L_FIRST_LOSS=$r; fi
        done
        return 0
    }
    LOSSY_TARGETS=()
    for rate in "$@"; do
        run_step "$rate" "$lpd" "$STEP_S" "$plain"
        record
        if ((S_LOSS > 0 && S_KEPT_UP)); then
            lossy=$((lossy + 1))
            ((lossy >= MAX_LOSSY)) && break
        else
            lossy=0
        fi
    done
    # Refine between the highest loss-free target and the lowest lossy one above it, by halving.
    for ((i = 0; i < REFINE; i++)); do
        lo=$L_CLEAN; hi=$L_FIRST_LOSS
        ((lo > 0 && hi > lo)) || break
        mid=$(((lo + hi) / 2))
        mid=$((mid / 10000 * 10000))
        ((mid > lo && mid < hi)) || break
        run_step "$mid" "$lpd" "$STEP_S" "$plain"
        record
        ((S_KEPT_UP)) || break # the sender is the limit here: halving again would repeat the same step
    done
}

# ---- the runs ------------------------------------------------------------------------------------------------------

log "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
start_perfdashd
RECEIVER=perfdashd
PD_IDLE=$(idle_cpu)
SUMMARY=""
summarize() { # RECEIVER-AND-STREAM UNIT
    if ((L_BEST)); then
        SUMMARY+="| $1 | $L_BEST $2 (step $L_BEST_TARGET, $(kept "$L_BEST_KEPT_UP")) | $L_CLEAN | "
    else
        SUMMARY+="| $1 | none: every step lost lines | none | "
    fi
    SUMMARY+="$( ((L_LOSSY_MIN)) && echo "$L_LOSSY_MIN" || echo none) | $L_SENDER_MAX |"$'\n'
}
kept() { if (($1)); then echo "sender reached it"; else echo "sender fell short"; fi; }
CPU_ROWS=""
cpu_row() { # RECEIVER-AND-STREAM IDLE_PCT
    CPU_ROWS+="| $1 | $S_ACHIEVED | $S_ACCEPTED | $S_LOSS | $S_CPU | $2 | $(cpu_per_million) | $(cpu_per_million_net "$2") |"$'\n'
}

ladder 1 0 "${LADDER_1[@]}"
summarize "perfdashd, tags, 1 line/datagram" "datagrams/s"
PD1_BEST=$L_BEST
ladder 25 0 "${LADDER_25[@]}"
summarize "perfdashd, tags, 25 lines/datagram" "lines/s"
PD25_BEST=$L_BEST
run_step "$CPU_RATE" 25 "$CPU_S" 0
add_row tags
cpu_row "perfdashd, tags" "$PD_IDLE"

if [[ "$PEER" == collectd ]]; then
    # Identical bytes for both receivers: the plain form (collectd rejects DogStatsD tags).
    ladder 25 1 "${LADDER_25[@]}"
    summarize "perfdashd, plain, 25 lines/datagram" "lines/s"
    PDP_BEST=$L_BEST
    run_step "$CPU_RATE" 25 "$CPU_S" 1
    add_row plain
    cpu_row "perfdashd, plain" "$PD_IDLE"
    PDP_CPU_PER_M=$(cpu_per_million)

    # Stop perfdashd so that the peer runs on the same, otherwise idle, machine.
    kill "$PD_PID"; wait "$PD_PID" 2>/dev/null || true; PD_PID=""
    ensure_collectd
    start_collectd
    RECEIVER=collectd
    sleep 2 # let collectd finish its start-up before measuring its CPU
    CD_IDLE=$(idle_cpu)
    run_step "$CPU_RATE" 25 "$CPU_S" 1
    add_row plain
    cpu_row "collectd, plain" "$CD_IDLE"
    CD_CPU_PER_M=$(cpu_per_million)
    ladder 25 1 "${LADDER_25[@]}"
    summarize "collectd, plain, 25 lines/datagram" "lines/s"
    CD_BEST=$L_BEST
fi

# ---- report --------------------------------------------------------------------------------------------------------

echo "### Steps"
echo
echo "Step ${STEP_S} s; CPU run ${CPU_S} s. Machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)."
echo "Loss = lines sent - lines accepted. \"other CPU %\" is everything else on the machine during the step, in % of"
echo "one core (noise from other workloads)."
echo
echo "$TABLE_HEADER"
printf '%s' "$ROWS"
echo
echo "### Highest loss-free rate"
echo
echo "| receiver, stream | highest loss-free rate | highest loss-free step the sender reached | lowest rate with loss | sender's highest rate |"
echo "|---|---|---|---|---|"
printf '%s' "$SUMMARY"
echo
echo "### CPU at $CPU_RATE lines/s, 25 lines/datagram, ${CPU_S} s (+1 s tail)"
echo
echo "| receiver, stream | achieved lines/s | accepted | loss | CPU s | idle CPU % of a core | CPU s per million lines | same, net of idle |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s' "$CPU_ROWS"
if [[ "$PEER" == collectd ]]; then
    echo
    echo "### Ratios, plain stream"
    echo
    echo "| ratio | value | goal |"
    echo "|---|---|---|"
    echo "| our CPU per million lines / collectd's | $(awk -v a="$PDP_CPU_PER_M" -v b="$CD_CPU_PER_M" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }') | ≤ 0.33 |"
    echo "| our highest loss-free rate / collectd's | $(awk -v a="$PDP_BEST" -v b="$CD_BEST" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a (no loss-free step for collectd)" }') | ≥ 2 |"
fi
: "$PD1_BEST" "$PD25_BEST"
