#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end UDP ingest benchmark: perfdash-loadgen -> perfdashd on 127.0.0.1, optionally side by side with peers
# (Netdata's statsd, collectd's statsd plugin, a null receiver), one at a time, with the same stream. Climbs a ladder
# of rates and reports, per step, what was sent, what the receiver counted, the kernel's drops and the receiver's CPU;
# then, per target, the highest loss-free rate and the CPU seconds per million lines at 200k lines/s, at 1 and at 28
# lines per datagram, and its memory. Results are recorded in docs/benchmarks.md, never asserted. Every run is bounded
# in count and time.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: tests/benchmarks/udp_ingest.sh [--bin DIR] [--quick] [--peer LIST] [--series N] [--counters P] [--pin]
                                      [--reps N] [--stream tags|plain]

  --bin DIR        where perfdashd and perfdash-loadgen are (default: build/release/bin in the source tree)
  --quick          a short sanity run: 2 steps per ladder, 2 s each, no refinement (for CI); not a measurement
  --peer LIST      comma-separated peers measured after perfdashd, one at a time, with the same stream:
                     netdata   Netdata's statsd (Debian netdata 1.37; installed with apt-get when missing, needs
                               root), started by the script with a generated netdata.conf in the scratch dir:
                               statsd on 127.0.0.1 only, a private chart per series, every other data collection
                               plugin, health and the registry off, web API on 127.0.0.1 only, scheduling policy
                               "other" at nice 0 (as /work/shared/bench/peer-statsd-bench.sh runs it)
                     collectd  collectd's statsd plugin (installs collectd-core with apt-get when missing; needs root)
                     sink      a null receiver (tests/benchmarks/udp_sink.c, built with gcc): recvmmsg, counts only;
                               the floor for any receiver
                     none      perfdashd only (default)
  --series N       distinct series in the stream (default 100; the issue's figures use 10000); every series is
                   sent in each cycle of the loadgen's pre-built datagrams
  --counters P     P% of the series are counters, the rest timers (default 0; the issue's mix is 50)
  --pin            pin the receiver to core 0 and the sender to core 1 (taskset)
  --reps N         repeat each ladder and CPU step N times (default 1); the side-by-side table gives the median and
                   the range
  --stream S       tags: the series in a DogStatsD tag; plain: the series in the metric name. Default: tags with no
                   peer, plain with any (collectd rejects tags, and Netdata keys a metric by its name, so with tags
                   it would see one metric instead of N)

Ladders: 1 line per datagram, and 28 lines per datagram (the packing of the issue's figures; it was 25 before). CPU
steps: 200k lines/s at 1 and at 28 lines per datagram. Each target is warmed up first (every series sent 8 times),
then its idle CPU and its RSS are measured.
Targets are 127.0.0.1 only. Prints markdown tables on stdout, progress on stderr.
Full run: about 3 minutes per target and rep, plus the warm-ups (--peer netdata,sink --series 10000 --pin --reps 3:
about 30 minutes). --quick: about 30 s per target and rep.
EOF
}

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/build/release/bin"
QUICK=0
PEER_ARG=none
SERIES=100
COUNTERS=0
PIN=0
REPS=1
STREAM=""
need_value() { [[ $1 -ge 2 ]] || { usage >&2; exit 2; }; }
while (($#)); do
    case "$1" in
        --bin) need_value $#; BIN="$2"; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --peer) need_value $#; PEER_ARG="$2"; shift 2 ;;
        --series) need_value $#; SERIES="$2"; shift 2 ;;
        --counters) need_value $#; COUNTERS="$2"; shift 2 ;;
        --pin) PIN=1; shift ;;
        --reps) need_value $#; REPS="$2"; shift 2 ;;
        --stream) need_value $#; STREAM="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "udp_ingest.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
bad() { echo "udp_ingest.sh: $*" >&2; exit 2; }
PEERS=()
IFS=, read -r -a peer_list <<<"$PEER_ARG"
for p in "${peer_list[@]}"; do
    case "$p" in
        netdata|collectd|sink) [[ " ${PEERS[*]} " == *" $p "* ]] || PEERS+=("$p") ;;
        none) ;;
        *) bad "--peer takes a comma-separated list of netdata, collectd, sink, or none" ;;
    esac
done
if ! [[ "$COUNTERS" =~ ^[0-9]{1,3}$ ]] || ((COUNTERS > 100)); then bad "--counters is 0..100"; fi
if ((COUNTERS > 0)) && [[ " ${PEERS[*]} " == *" collectd "* ]]; then bad "collectd is counted by its timers: use --counters 0 with it"; fi
if ! [[ "$SERIES" =~ ^[0-9]{1,7}$ ]] || ((SERIES < 1 || SERIES > 1000000)); then bad "--series is 1..1000000"; fi
if ! [[ "$REPS" =~ ^[0-9]{1,2}$ ]] || ((REPS < 1 || REPS > 10)); then bad "--reps is 1..10"; fi
if [[ -z "$STREAM" ]]; then
    if ((${#PEERS[@]})); then STREAM=plain; else STREAM=tags; fi
fi
[[ "$STREAM" == tags || "$STREAM" == plain ]] || bad "--stream is tags or plain"
if ((PIN)); then
    command -v taskset >/dev/null || bad "--pin needs taskset (util-linux)"
    (($(nproc) >= 2)) || bad "--pin needs 2 cores"
    SRV_PIN=(taskset -c 0)
    SND_PIN=(taskset -c 1)
else
    SRV_PIN=()
    SND_PIN=()
fi
PERFDASHD="$BIN/perfdashd"
LOADGEN="$BIN/perfdash-loadgen"
for b in "$PERFDASHD" "$LOADGEN"; do
    [[ -x "$b" ]] || { echo "udp_ingest.sh: $b is missing; build the release preset first" >&2; exit 1; }
done
TARGETS=(perfdashd "${PEERS[@]}")
PLAIN=0
[[ "$STREAM" == plain ]] && PLAIN=1
PACKED=28 # lines per datagram of the packed stream

# Ladders, in lines per second. One line per datagram: the rate is also datagrams per second.
if ((QUICK)); then
    STEP_S=2; CPU_S=2; REFINE=0; IDLE_S=1; WARM_MAX=20; DOWN=1
    LADDER_1=(100000 200000)
    LADDER_PACKED=(500000 1000000)
else
    STEP_S=5; CPU_S=10; REFINE=2; IDLE_S=5; WARM_MAX=120; DOWN=3
    LADDER_1=(100000 200000 300000 400000 500000 600000 800000 1000000 1200000)
    # Starts low so that a slower peer still gets a loss-free step on the same ladder.
    LADDER_PACKED=(100000 250000 500000 1000000 2000000 3000000 4000000 5000000 6000000 7000000 8000000)
fi
CPU_RATE=200000 # lines/s, for CPU seconds per million lines
MAX_LOSSY=2 # stop a ladder after this many lossy steps in a row where the sender kept up
WARM_RATE=20000 # lines/s of the warm-up
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/perfdash-udpbench.XXXXXX)
STARTED=() # every process started in the background, stopped by PID on exit
descendants() { # all descendant PIDs of $1
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done
}
stop_pid() { # PID GRACE_SECONDS: TERM, wait, KILL; then KILL any descendant left
    local pid=$1 grace=${2:-5} kids i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kids=$(descendants "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "[udp_ingest] pid $pid ignored TERM for ${grace} s: KILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for i in $kids; do kill -KILL "$i" 2>/dev/null || true; done
    return 0
}
forget_pid() {
    local i
    for i in "${!STARTED[@]}"; do [[ "${STARTED[$i]}" == "$1" ]] && unset 'STARTED[i]'; done
    STARTED=("${STARTED[@]}")
}
cleanup() {
    local i
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[$i]}" 30; done
    STARTED=()
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[udp_ingest] $*" >&2; }
die() { log "$*"; exit 1; }

# utime + stime of a whole process (all threads), in clock ticks. The comm field may hold spaces: cut after ')'.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat") || die "process $1 is gone"
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

# Busy ticks of the whole machine (all cores), to see what else ran during a step.
machine_busy_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; } # PID VmRSS|VmHWM
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "?"; else printf "%.1f", k / 1024 }'; }

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
    while read -r q; do
        n=$((n + 16#$q))
    done < <(awk -v a="$hex" '$2 == a { split($5, x, ":"); print x[2] }' /proc/net/udp)
    echo "$n"
}
udp_bound() { awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a { f = 1 } END { exit !f }' /proc/net/udp; }
udp_rcvbuf() { # the socket's receive buffer in bytes, as ss reports it (rb)
    ss -H -ulnm "sport = :$1" 2>/dev/null | grep -o 'rb[0-9]*' | head -1 | tr -d rb
}

# find_free_port udp|tcp: a random port from 20000 up that nothing holds on IPv4 or IPv6.
find_free_port() {
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! awk -v p="$(printf ':%04X' "$port")" 'FNR > 1 && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
            "/proc/net/$1" "/proc/net/${1}6" 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free ${1^^} port found"
}
find_free_udp_port() { find_free_port udp; }
find_free_tcp_port() { find_free_port tcp; }

# Every socket the process listens on or is bound to must be on 127.0.0.1.
assert_loopback_only() { # PID NAME
    local bad_addrs
    bad_addrs=$(ss -H -ltunp 2>/dev/null | awk -v p="pid=$1," 'index($0, p) && $5 !~ /^127\.0\.0\.1:/ { print $1, $5 }')
    [[ -z "$bad_addrs" ]] || die "$2 (pid $1) listens outside 127.0.0.1: $bad_addrs"
}

install_package() { # PACKAGE
    [[ $(id -u) -eq 0 ]] || die "installing $1 needs root"
    log "installing $1 with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 600 apt-get install -y -q --no-install-recommends "$1" >&2; then
        timeout 300 apt-get update -q >&2
        timeout 600 apt-get install -y -q --no-install-recommends "$1" >&2
    fi
}

# ---- receivers: start, count what they accepted, stop --------------------------------------------------------------
# Each start_* sets RX_PID, RX_PORT (UDP, 127.0.0.1), RX_QUIET (seconds its count must stay unchanged before it is
# final), RX_VERSION and RX_NOTE. rx_counts prints "ACCEPTED REJECTED DATAGRAMS" (cumulative; "-" for an unknown
# datagram count).
RECEIVER=""
RX_PID=""
RX_PORT=""
RX_QUIET=1
RX_VERSION=""
RX_NOTE=""

# await_ready PID NAME DIR: a receiver started in the background prints "ready udp=127.0.0.1:PORT ..." on DIR/out;
# sets RX_PID and RX_PORT, or exits with DIR/err when it does not within 10 s.
await_ready() {
    RX_PID=$1
    STARTED+=("$RX_PID")
    RX_PORT=""
    for _ in $(seq 100); do
        RX_PORT=$(sed -n 's/^ready udp=127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$3/out")
        [[ -n "$RX_PORT" ]] && break
        kill -0 "$RX_PID" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$RX_PORT" ]] || { log "$2 did not become ready:"; cat "$3/err" >&2; exit 1; }
}

# await_bound PID TENTHS: waits up to TENTHS/10 s for the receiver started in the background to bind RX_PORT, or to
# exit; sets RX_PID. The caller checks udp_bound afterwards.
await_bound() {
    RX_PID=$1
    STARTED+=("$RX_PID")
    for _ in $(seq "$2"); do
        udp_bound "$RX_PORT" && break
        kill -0 "$RX_PID" 2>/dev/null || break
        sleep 0.1
    done
}

start_perfdashd() {
    mkdir -p "$WORK/perfdashd"
    "${SRV_PIN[@]}" "$PERFDASHD" --db "$WORK/perfdashd/bench.db" --runtime-dir "$WORK/perfdashd/run" \
        --udp 127.0.0.1:0 >"$WORK/perfdashd/out" 2>"$WORK/perfdashd/err" &
    await_ready $! perfdashd "$WORK/perfdashd"
    RX_QUIET=1
    RX_VERSION="perfdashd ($BIN)"
    RX_NOTE="defaults (sampling on), 8 MiB receive buffer requested"
}
perfdashd_counts() {
    timeout 10 "$PERFDASHD" stats --runtime-dir "$WORK/perfdashd/run" 2>/dev/null |
        awk '$1 == "lines_accepted" { a = $2 } $1 == "lines_rejected" { r = $2 } $1 == "datagrams" { d = $2 }
             END { if (a != "") print a, r + 0, (d != "" ? d : "-") }'
}

# collectd: its statsd plugin has no counters of its own, so we count what it received from its output. With
# TimerCount it dispatches, per timer and per interval, how many values it got (and resets); the csv plugin writes
# each dispatch to a file, so the sum over all *-count files is the number of lines accepted. That counts timer
# lines only, so collectd runs take timers only (--counters 0).
ensure_collectd() {
    [[ -x /usr/sbin/collectd && -e /usr/lib/collectd/statsd.so && -e /usr/lib/collectd/csv.so ]] && return
    install_package collectd-core
}
start_collectd() {
    local dir="$WORK/collectd"
    mkdir -p "$dir/csv"
    RX_PORT=$(find_free_udp_port)
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
  Port "$RX_PORT"
  TimerCount true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$dir/csv"
  StoreRates false
</Plugin>
EOF
    "${SRV_PIN[@]}" /usr/sbin/collectd -f -C "$dir/collectd.conf" >"$dir/stdout" 2>&1 &
    await_bound $! 100
    if ! udp_bound "$RX_PORT"; then
        log "collectd did not bind 127.0.0.1:$RX_PORT:"
        cat "$dir/stdout" "$dir/collectd.log" >&2 2>/dev/null || true
        exit 1
    fi
    RX_QUIET=3 # its count shows up only after its next interval and write
    RX_VERSION=$(/usr/sbin/collectd -h 2>&1 | grep -o 'collectd [0-9][^,]*' | head -1 || true)
    RX_NOTE="statsd plugin (TimerCount) and csv only, Interval 1"
}
collectd_counts() {
    # collectd logs unparsable lines but counts nothing; the plain stream it gets has none.
    find "$WORK/collectd/csv" -type f -name 'gauge-*-count-*' -exec cat {} + 2>/dev/null |
        awk -F, '$1 ~ /^[0-9.]+$/ { s += $2 } END { printf "%.0f 0 -\n", s + 0 }'
}

# netdata: its statsd counts every metric line it processes as an event, by type (netdata.statsd_events), and every
# UDP datagram (netdata.statsd_packets, dimension udp). Read raw ("as-collected") from /api/v1/allmetrics; its
# charts are collected every second, so a count is final once unchanged for 3 s.
ND_WEB_PORT=""
ensure_netdata() {
    [[ -x /usr/sbin/netdata ]] && return
    command -v curl >/dev/null || install_package curl
    local before after pid
    before=" $(pgrep -x netdata | tr '\n' ' ' || true) "
    install_package netdata
    # The package enables its service and may start it (on 0.0.0.0:19999, with every plugin): stop it if it runs,
    # and leave it disabled. This script only ever runs its own instance.
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then # booted with systemd
        log "stopping the packaged netdata service (systemctl)"
        timeout 60 systemctl stop netdata >&2 || true
    else
        for _ in 1 2 3; do # it may still be starting: look three times, a second apart
            sleep 1
            after=$(pgrep -x netdata || true)
            for pid in $after; do
                [[ "$before" == *" $pid "* ]] && continue
                log "stopping the netdata daemon the package started (pid $pid)"
                stop_pid "$pid" 30
            done
        done
    fi
    log "disabling the packaged netdata service"
    if command -v systemctl >/dev/null; then timeout 60 systemctl disable netdata >&2 || true; fi # works offline too
    if command -v update-rc.d >/dev/null && [[ -e /etc/init.d/netdata ]]; then
        timeout 60 update-rc.d netdata disable >&2 || true
    fi
    command -v curl >/dev/null || die "netdata needs curl to be counted"
}
start_netdata() {
    local d="$WORK/netdata" limit=$((2 * SERIES + 1000))
    command -v curl >/dev/null || die "netdata needs curl to be counted"
    mkdir -p "$d"/{etc,cache,lib,log}
    touch "$d/etc/.opt-out-from-anonymous-statistics"
    RX_PORT=$(find_free_udp_port)
    ND_WEB_PORT=$(find_free_tcp_port)
    cat >"$d/etc/netdata.conf" <<EOF
# generated by tests/benchmarks/udp_ingest.sh (as /work/shared/bench/peer-statsd-bench.sh configures it)
[global]
	run as user = root
	hostname = perfdash-bench
	process scheduling policy = other
	process nice level = 0
[db]
	mode = dbengine
	update every = 1
[directories]
	config = $d/etc
	cache = $d/cache
	lib = $d/lib
	log = $d/log
[logs]
	access = none
	debug = none
	error = $d/log/error.log
	health = none
[web]
	bind to = 127.0.0.1:$ND_WEB_PORT
[health]
	enabled = no
[registry]
	enabled = no
[plugins]
	statsd = yes
	netdata monitoring = yes
	timex = no
	idlejitter = no
	tc = no
	diskspace = no
	proc = no
	cgroups = no
	enable running new plugins = no
	slabinfo = no
	fping = no
	apps = no
	ioping = no
	perf = no
	cups = no
	charts.d = no
	nfacct = no
	python.d = no
	go.d = no
	ebpf = no
[statsd]
	enabled = yes
	bind to = udp:127.0.0.1:$RX_PORT
	update every (flushInterval) = 1
	max private charts hard limit = $limit
	create private charts for metrics matching = *
EOF
    printf '[global]\n\tenabled = no\n' >"$d/etc/cloud.conf"
    "${SRV_PIN[@]}" /usr/sbin/netdata -D -c "$d/etc/netdata.conf" >"$d/log/stdout.log" 2>&1 &
    await_bound $! 600 # 60 s
    if ! udp_bound "$RX_PORT"; then
        log "netdata did not bind 127.0.0.1:$RX_PORT:"
        tail -n 30 "$d/log/stdout.log" "$d/log/error.log" >&2 2>/dev/null || true
        exit 1
    fi
    for _ in $(seq 300); do # 60 s
        [[ -n "$(netdata_counts)" ]] && break
        kill -0 "$RX_PID" 2>/dev/null || break
        sleep 0.2
    done
    [[ -n "$(netdata_counts)" ]] || die "netdata's API on 127.0.0.1:$ND_WEB_PORT gave no statsd counts (see $d/log)"
    assert_loopback_only "$RX_PID" netdata
    RX_QUIET=3
    RX_VERSION=$(/usr/sbin/netdata -v 2>/dev/null | head -1 || true)
    RX_NOTE="dbengine, a private chart per series (hard limit $limit), other plugins off, nice 0"
}
netdata_api() { # PATH+QUERY
    curl -sf --noproxy '*' --max-time 5 "http://127.0.0.1:$ND_WEB_PORT$1" 2>/dev/null || true
}
netdata_counts() {
    netdata_api '/api/v1/allmetrics?format=prometheus&source=as-collected&filter=netdata.statsd_*' |
        awk '/^netdata_netdata_statsd_events_total\{/ {
                 if ($0 ~ /dimension="(unknown|errors)"/) r += $(NF-1); else a += $(NF-1); n++ }
             /^netdata_netdata_statsd_packets_total\{/ && /dimension="udp"/ { d += $(NF-1) }
             END { if (n) printf "%.0f %.0f %.0f\n", a, r, d }'
}
netdata_info() {
    netdata_api '/api/v1/allmetrics?format=prometheus&source=as-collected&filter=netdata.private_charts' |
        awk '/private_charts\{/ { printf "private charts: %.0f", $(NF-1); exit }'
}

# sink: tests/benchmarks/udp_sink.c rewrites "LINES DATAGRAMS" to a file every 100 ms.
SINK_BIN=""
ensure_sink() {
    [[ -n "$SINK_BIN" ]] && return
    command -v gcc >/dev/null || install_package gcc
    SINK_BIN="$WORK/udp_sink"
    gcc -O2 -Wall -Wextra -o "$SINK_BIN" "$ROOT/tests/benchmarks/udp_sink.c" || die "cannot build udp_sink.c"
}
start_sink() {
    mkdir -p "$WORK/sink"
    "${SRV_PIN[@]}" "$SINK_BIN" 0 "$WORK/sink/count" 86400 >"$WORK/sink/out" 2>"$WORK/sink/err" &
    await_ready $! udp_sink "$WORK/sink"
    RX_QUIET=1
    RX_VERSION="udp_sink (recvmmsg x64, counts lines)"
    RX_NOTE="null receiver, the floor; 8 MiB receive buffer requested, like perfdashd"
}
sink_counts() { [[ -s "$WORK/sink/count" ]] && awk 'NR == 1 { print $1, 0, $2 }' "$WORK/sink/count"; }

start_target() { # NAME
    RECEIVER=$1
    case "$1" in
        netdata) ensure_netdata ;;
        collectd) ensure_collectd ;;
        sink) ensure_sink ;;
    esac
    "start_$1"
    local where=""
    ((PIN)) && where=", pinned to core 0"
    log "$1 pid $RX_PID on 127.0.0.1:$RX_PORT$where"
}
stop_target() {
    [[ -n "$RX_PID" ]] || return 0
    stop_pid "$RX_PID" 30
    forget_pid "$RX_PID"
    RX_PID=""
}

# "ACCEPTED REJECTED DATAGRAMS" of the current receiver; retried for 10 s, then the run stops.
rx_counts() {
    local c
    for _ in $(seq 20); do
        c=$("${RECEIVER}_counts" || true)
        [[ "$c" =~ ^[0-9]+\ [0-9]+\ ([0-9]+|-)$ ]] && { echo "$c"; return; }
        kill -0 "$RX_PID" 2>/dev/null || die "$RECEIVER (pid $RX_PID) is gone"
        sleep 0.5
    done
    die "$RECEIVER gave no count"
}

# settle [EXPECT]: waits (at most 30 s) until the socket queue is empty and the count is final: it reached EXPECT
# (accepted + rejected), or it stayed unchanged for RX_QUIET seconds. Sets COUNTS and FRESH=1.
COUNTS=""
FRESH=0
settle() {
    local expect=${1:-} last now a r stable=0 deadline=$((SECONDS + 30))
    last=$(rx_counts)
    while ((SECONDS < deadline)); do
        if [[ -n "$expect" ]]; then
            read -r a r _ <<<"$last"
            ((a + r >= expect)) && (($(udp_rx_queue "$RX_PORT") == 0)) && break
        fi
        sleep 0.5
        now=$(rx_counts)
        if [[ "$now" == "$last" && $(udp_rx_queue "$RX_PORT") -eq 0 ]]; then
            stable=$((stable + 1))
            ((stable >= RX_QUIET * 2)) && break
        else
            stable=0
        fi
        last=$now
    done
    COUNTS=$last
    FRESH=1
}

# The receiver's CPU in % of one core over SECS seconds.
cpu_pct_over() {
    local c0 c1
    c0=$(cpu_ticks "$RX_PID")
    sleep "$1"
    c1=$(cpu_ticks "$RX_PID")
    awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v w="$1" 'BEGIN { printf "%.1f", 100 * (b - a) / t / w }'
}

# send RATE LPD SECS: runs the loadgen (pinned with --pin), prints its output and its CPU ("sender_cpu_s USER SYS").
send() {
    local extra=()
    ((PLAIN)) && extra=(--plain)
    TIMEFORMAT='sender_cpu_s %U %S'
    { time "${SND_PIN[@]}" timeout $(($3 + 15)) "$LOADGEN" --scenario flood --udp "127.0.0.1:$RX_PORT" --rate "$1" \
        --duration "$3" --lines-per-datagram "$2" --series "$SERIES" --counters "$COUNTERS" "${extra[@]}"; } 2>&1
}

# warm_up: sends every series 8 times at a low rate, waits until the receiver's CPU settles (Netdata creates a chart
# per series here), then measures its idle CPU (IDLE_PCT) and its RSS (RSS_WARM, kB).
warm_up() {
    local secs out q
    secs=$(((SERIES * 8 + WARM_RATE - 1) / WARM_RATE))
    ((secs < 2)) && secs=2
    log "$RECEIVER: warm-up, $((WARM_RATE * secs)) lines at $WARM_RATE lines/s, $PACKED per datagram"
    out=$(send "$WARM_RATE" "$PACKED" "$secs") || true
    grep -q '^lines_sent ' <<<"$out" || die "loadgen failed: $out"
    FRESH=0
    settle
    local t0=$SECONDS prev=-100
    q=$(cpu_pct_over 1)
    while ((SECONDS - t0 < WARM_MAX)); do
        awk -v p="$q" -v o="$prev" 'BEGIN { d = p - o; exit !(p < 5 || (d < 2 && d > -2 && p < 80)) }' && break
        prev=$q
        q=$(cpu_pct_over 1)
    done
    IDLE_PCT=$(cpu_pct_over "$IDLE_S")
    RSS_WARM=$(status_kb "$RX_PID" VmRSS)
    local info=""
    [[ "$RECEIVER" == netdata ]] && info=", $(netdata_info)"
    log "$RECEIVER: settled at $q% of a core; idle $IDLE_PCT%, RSS $(mib "$RSS_WARM") MiB, receive buffer" \
        "$(udp_rcvbuf "$RX_PORT") B$info"
}

# ---- one step ------------------------------------------------------------------------------------------------------

# run_step RATE LINES_PER_DATAGRAM SECONDS -> sets the S_* variables. CPU is measured over the send plus a fixed 1 s
# tail, the same window for every receiver; counting waits for the receiver to settle afterwards.
run_step() {
    local rate=$1 lpd=$2 secs=$3 out t0 t1 c0 c1 m0 m1 d0 d1 a0 a1 r0 r1 g0 g1 sender_times
    ((FRESH)) || settle
    read -r a0 r0 g0 <<<"$COUNTS"
    d0=$(udp_drops "$RX_PORT")
    c0=$(cpu_ticks "$RX_PID"); m0=$(machine_busy_ticks); t0=$(date +%s.%N)
    FRESH=0
    out=$(send "$rate" "$lpd" "$secs") || true
    sleep 1
    c1=$(cpu_ticks "$RX_PID"); m1=$(machine_busy_ticks); t1=$(date +%s.%N)

    S_RATE=$rate; S_LPD=$lpd
    S_SENT=$(awk '$1 == "lines_sent" { print $2 }' <<<"$out")
    S_SENDER_DROPPED=$(awk '$1 == "lines_dropped_by_sender" { print $2 }' <<<"$out")
    S_ACHIEVED=$(awk '$1 == "lines_per_s" { print $2 }' <<<"$out")
    sender_times=$(awk '$1 == "sender_cpu_s" { print $2 + $3 }' <<<"$out")
    [[ -n "$S_SENT" && -n "$S_ACHIEVED" && -n "$S_SENDER_DROPPED" ]] || die "loadgen failed: $out"
    settle $((a0 + r0 + S_SENT))
    read -r a1 r1 g1 <<<"$COUNTS"
    d1=$(udp_drops "$RX_PORT")
    S_ACCEPTED=$((a1 - a0))
    S_REJECTED=$((r1 - r0))
    if [[ "$g0" == - || "$g1" == - ]]; then S_RX_DGRAMS=-; else S_RX_DGRAMS=$((g1 - g0)); fi
    S_DROPS=$((d1 - d0))
    S_LOSS=$((S_SENT + S_SENDER_DROPPED - S_ACCEPTED))
    S_LOSS_PCT=$(awk -v l="$S_LOSS" -v s="$((S_SENT + S_SENDER_DROPPED))" 'BEGIN { printf "%.2f", s ? 100 * l / s : 0 }')
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

TABLE_HEADER='| receiver | rep | stream | lines/dgram | target lines/s | sender achieved lines/s | sender CPU % | lines sent | accepted | rejected | receiver dgrams | kernel drops | loss | receiver CPU s | receiver CPU % of a core, over the send | other CPU % | limited by |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
ROWS=""
REP=1
add_row() {
    ROWS+="| $RECEIVER | $REP | $STREAM | $S_LPD | $S_RATE | $S_ACHIEVED | $S_SENDER_PCT | $S_SENT | $S_ACCEPTED "
    ROWS+="| $S_REJECTED | $S_RX_DGRAMS | $S_DROPS | $S_LOSS | $S_CPU | $S_CPU_PCT | $S_OTHER_PCT | $S_LIMIT |"$'\n'
    log "$RECEIVER rep $REP lpd=$S_LPD target=$S_RATE achieved=$S_ACHIEVED sent=$S_SENT accepted=$S_ACCEPTED" \
        "dgrams=$S_RX_DGRAMS drops=$S_DROPS loss=$S_LOSS cpu=${S_CPU}s (${S_CPU_PCT}%) sender=${S_SENDER_PCT}%" \
        "other=${S_OTHER_PCT}%"
}

# ladder LPD RATES... -> sets L_BEST (the highest achieved lines/s of a loss-free step, 0 if none), L_BEST_TARGET and
# L_BEST_KEPT_UP (that step's target, and whether the sender reached it), L_CLEAN (the highest loss-free target that
# the sender reached), L_LOSSY_MIN (the lowest achieved lines/s of a lossy step, 0 if none), L_SENDER_MAX (the highest
# achieved rate seen), L_FIRST_LOSS (the lowest lossy target above L_CLEAN, for the refinement) and L_ANY_LOSS.
ladder() {
    local lpd=$1 lossy=0 rate lo hi mid i r first=$2
    shift
    L_BEST=0; L_BEST_TARGET=0; L_BEST_KEPT_UP=0; L_CLEAN=0; L_LOSSY_MIN=0; L_SENDER_MAX=0; L_FIRST_LOSS=0
    L_ANY_LOSS=0
    record() {
        add_row
        ((S_ACHIEVED > L_SENDER_MAX)) && L_SENDER_MAX=$S_ACHIEVED
        if ((S_LOSS == 0)); then
            if ((S_ACHIEVED > L_BEST)); then
                L_BEST=$S_ACHIEVED; L_BEST_TARGET=$S_RATE; L_BEST_KEPT_UP=$S_KEPT_UP
            fi
            ((S_KEPT_UP && S_RATE > L_CLEAN)) && L_CLEAN=$S_RATE
        else
            L_ANY_LOSS=1
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
        run_step "$rate" "$lpd" "$STEP_S"
        record
        if ((S_LOSS > 0 && S_KEPT_UP)); then
            lossy=$((lossy + 1))
            ((lossy >= MAX_LOSSY)) && break
        else
            lossy=0
        fi
    done
    # No loss-free step at all (a slow peer): halve below the first step, at most DOWN times, down to 10k lines/s.
    rate=$first
    for ((i = 0; i < DOWN && L_BEST == 0; i++)); do
        rate=$((rate / 2 / 1000 * 1000))
        ((rate >= 10000)) || break
        run_step "$rate" "$lpd" "$STEP_S"
        record
    done
    # Refine between the highest loss-free target and the lowest lossy one above it, by halving.
    for ((i = 0; i < REFINE; i++)); do
        lo=$L_CLEAN; hi=$L_FIRST_LOSS
        ((lo > 0 && hi > lo)) || break
        mid=$(((lo + hi) / 2))
        mid=$((mid / 10000 * 10000))
        ((mid > lo && mid < hi)) || break
        run_step "$mid" "$lpd" "$STEP_S"
        record
        ((S_KEPT_UP)) || break # the sender is the limit here: halving again would repeat the same step
    done
}

# ---- the runs ------------------------------------------------------------------------------------------------------

MACHINE="$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
log "machine: $MACHINE, load $(cut -d' ' -f1-3 /proc/loadavg)"
log "targets: ${TARGETS[*]}; stream $STREAM, $SERIES series; reps $REPS; pinning $( ((PIN)) && echo 'receiver core 0, sender core 1' || echo off)"
SUMMARY=""
CPU_ROWS=""
TARGET_ROWS=""
declare -A R_BEST R_LB R_CPU R_LOSS R_RSS
kept() { if (($1)); then echo "sender reached it"; else echo "sender fell short"; fi; }
summarize() { # UNIT
    SUMMARY+="| $RECEIVER | $REP | $S_LPD | "
    if ((L_BEST)); then
        SUMMARY+="$L_BEST $1 (step $L_BEST_TARGET, $(kept "$L_BEST_KEPT_UP"))$( ((L_ANY_LOSS)) || echo ', no step lost lines') | $L_CLEAN | "
    else
        SUMMARY+="none: every step lost lines | none | "
    fi
    SUMMARY+="$( ((L_LOSSY_MIN)) && echo "$L_LOSSY_MIN" || echo none) | $L_SENDER_MAX |"$'\n'
    R_BEST[$RECEIVER|$S_LPD]+="$L_BEST "
    # Without a lossy step the receiver's limit was not reached: the figure is a lower bound. Counts such reps.
    ((L_ANY_LOSS)) || R_LB[$RECEIVER|$S_LPD]=$((${R_LB[$RECEIVER|$S_LPD]:-0} + 1))
}
cpu_per_million() { awk -v c="$S_CPU" -v n="$S_ACCEPTED" 'BEGIN { printf "%.3f", n ? c / (n / 1e6) : 0 }'; }
cpu_per_million_net() {
    awk -v c="$S_CPU" -v n="$S_ACCEPTED" -v i="$IDLE_PCT" -v w="$S_WALL" \
        'BEGIN { printf "%.3f", n ? (c - i / 100 * w) / (n / 1e6) : 0 }'
}
cpu_row() {
    CPU_ROWS+="| $RECEIVER | $REP | $S_LPD | $S_ACHIEVED | $S_ACCEPTED | $S_LOSS ($S_LOSS_PCT%) | $S_CPU | $IDLE_PCT "
    CPU_ROWS+="| $(cpu_per_million) | $(cpu_per_million_net) |"$'\n'
    R_CPU[$RECEIVER|$S_LPD]+="$(cpu_per_million) "
    R_LOSS[$RECEIVER|$S_LPD]+="$S_LOSS_PCT "
}

for t in "${TARGETS[@]}"; do
    log "=== $t ==="
    start_target "$t"
    warm_up
    for ((REP = 1; REP <= REPS; REP++)); do
        ladder 1 "${LADDER_1[@]}"
        summarize "datagrams/s"
        ladder "$PACKED" "${LADDER_PACKED[@]}"
        summarize "lines/s"
        for lpd in 1 "$PACKED"; do
            run_step "$CPU_RATE" "$lpd" "$CPU_S"
            add_row
            cpu_row
        done
    done
    peak=$(status_kb "$RX_PID" VmHWM)
    R_RSS[$t]="$(mib "$RSS_WARM") / $(mib "$peak")"
    TARGET_ROWS+="| $t | $RX_VERSION | $IDLE_PCT | $(mib "$RSS_WARM") | $(mib "$peak") | $(udp_rcvbuf "$RX_PORT") | $RX_NOTE |"$'\n'
    log "$t: peak RSS $(mib "$peak") MiB; stopping"
    stop_target
done

# ---- report --------------------------------------------------------------------------------------------------------

# median (min-max) of the numbers given; just the number when they are all equal.
mmr() {
    printf '%s\n' "$@" | sort -g | awk -v f="$FMT" '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        if (v[1] == v[NR]) printf f "\n", m; else printf f " (" f "-" f ")\n", m, v[1], v[NR] }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median2() { awk -v m="$(median "$@")" 'BEGIN { printf "%.2f", m }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }

STREAM_TEXT="$STREAM ($( ((PLAIN)) && echo 'bench.latency.s<i>:<ms>|ms' || echo 'bench.latency:<ms>|ms|#series:<i>'))"
echo "### Steps"
echo
echo "Machine: $MACHINE. Stream: $STREAM_TEXT, $SERIES series, $COUNTERS% of them counters (bench.requests), the"
echo "rest timers. Step ${STEP_S} s; CPU run ${CPU_S} s. Pinning: $( ((PIN)) && echo 'receiver on core 0, sender on core 1' || echo none)."
echo "Loss = lines sent - lines accepted. \"other CPU %\" is everything else on the machine during the step, in % of"
echo "one core (noise from other workloads)."
echo
echo "$TABLE_HEADER"
printf '%s' "$ROWS"
echo
echo "### Highest loss-free rate"
echo
echo "| receiver | rep | lines/dgram | highest loss-free rate | highest loss-free step the sender reached | lowest rate with loss | sender's highest rate |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$SUMMARY"
echo
echo "### CPU at $CPU_RATE lines/s, ${CPU_S} s (+1 s tail)"
echo
echo "| receiver | rep | lines/dgram | achieved lines/s | accepted | loss | CPU s | idle CPU % of a core | CPU s per million lines | same, net of idle |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s' "$CPU_ROWS"
echo
echo "### Targets (idle and RSS measured after the warm-up; peak = VmHWM at the end)"
echo
echo "| target | version | idle CPU % of a core | RSS after warm-up MiB | peak RSS MiB | socket receive buffer B | configuration |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$TARGET_ROWS"
echo
reps_text=$( ((REPS > 1)) && echo "median (min-max) over $REPS reps" || echo "1 rep")
echo "### Side by side ($STREAM stream, $SERIES series, $reps_text)"
echo
echo "| target | highest loss-free rate, 1 line/dgram (dgrams/s) | highest loss-free rate, $PACKED lines/dgram (lines/s) | CPU s per million lines at ${CPU_RATE} lines/s, 1 line/dgram | same, $PACKED lines/dgram | RSS after warm-up / peak, MiB |"
echo "|---|---|---|---|---|---|"
best_cell() { # KEY
    local v
    # shellcheck disable=SC2086 # a list of numbers
    v=$(FMT=%.0f mmr ${R_BEST[$1]})
    [[ "$v" == 0 ]] && { echo "none (every step lost lines)"; return; }
    local n=${R_LB[$1]:-0}
    if ((n == REPS)); then echo "≥ $v"
    elif ((n > 0)); then echo "$v ($n of $REPS reps: no step lost lines)"
    else echo "$v"; fi
}
cpu_cell() { # KEY
    local v loss
    # shellcheck disable=SC2086
    v=$(FMT=%.3f mmr ${R_CPU[$1]})
    # shellcheck disable=SC2086
    loss=$(median2 ${R_LOSS[$1]})
    if awk -v l="$loss" 'BEGIN { exit !(l != 0) }'; then v+=" (loss $loss%)"; fi
    echo "$v"
}
for t in "${TARGETS[@]}"; do
    echo "| $t | $(best_cell "$t|1") | $(best_cell "$t|$PACKED") | $(cpu_cell "$t|1") | $(cpu_cell "$t|$PACKED") | ${R_RSS[$t]} |"
done
echo
echo "≥: no step of that ladder lost lines in any rep (the ladder's top or the sender was the limit): a lower bound. A loss in the"
echo "CPU columns is the median share of lines the target lost at that step; CPU per line is over the lines it accepted."
if ((${#PEERS[@]})); then
    echo
    echo "### Ratios perfdashd / peer (of the medians)"
    echo
    echo "| peer | loss-free rate, 1 line/dgram (> 1: perfdashd takes more) | loss-free rate, $PACKED lines/dgram | CPU per million lines, 1 line/dgram (< 1: perfdashd costs less) | CPU per million lines, $PACKED lines/dgram |"
    echo "|---|---|---|---|---|"
    for p in "${PEERS[@]}"; do
        row="| $p "
        for lpd in 1 "$PACKED"; do
            # shellcheck disable=SC2086
            row+="| $(ratio "$(median ${R_BEST[perfdashd|$lpd]})" "$(median ${R_BEST[$p|$lpd]})")"
            [[ -n "${R_LB[perfdashd|$lpd]:-}${R_LB[$p|$lpd]:-}" ]] && row+=" (from a lower bound)"
            row+=" "
        done
        for lpd in 1 "$PACKED"; do
            # shellcheck disable=SC2086
            row+="| $(ratio "$(median ${R_CPU[perfdashd|$lpd]})" "$(median ${R_CPU[$p|$lpd]})") "
        done
        echo "$row|"
    done
fi
