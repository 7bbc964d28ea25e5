#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The soak of docs/reliability.md: a collector, the GUI subscribed (offscreen) and perfdash-loadgen's flood at 20,000
# lines/s over 5,000 series for DUR minutes; every minute the RSS of both processes, the database and WAL sizes and the
# collector's counters go to OUT/samples.tsv (and OUT/load.txt), then all three are stopped and their exit codes noted
# in OUT/timeline.txt. Bounded: the sampling loop ends DUR + 4 minutes after the start whatever happens.
#   DUR=80 BIN=build/dev/bin OUT=/tmp/perfdash-soak tests/reliability/soak.sh
# The same at another scale: SERIES (5000), RATE (lines/s, 20000), LPD (lines per datagram, 20), GUI=0 (no GUI);
# e.g. issue 17's 100,000 series for an hour, collector only:
#   DUR=60 SERIES=100000 RATE=100000 LPD=28 GUI=0 BIN=build/release/bin OUT=/tmp/soak-100k tests/reliability/soak.sh
set -u
DUR=${DUR:-60}
SERIES=${SERIES:-5000}
RATE=${RATE:-20000}
LPD=${LPD:-20}
GUI=${GUI:-1}
B=$(cd "${BIN:-build/dev/bin}" && pwd)
S=${OUT:-/tmp/perfdash-soak}
if [ -e "$S" ] && [ -n "$(ls -A "$S")" ]; then
    echo "soak.sh: $S is not empty; give OUT an empty or new folder" >&2
    exit 2
fi
mkdir -p "$S" && cd "$S" || exit 1
T0=$(date +%s)
uptime > $S/uptime_start.txt
echo "start $(date -Is)" > $S/timeline.txt
$B/perfdashd --db $S/perfdash.db --runtime-dir $S/run --udp 127.0.0.1:0 > $S/perfdashd.stdout 2> $S/perfdashd.stderr &
DPID=$!
echo "perfdashd pid $DPID" >> $S/timeline.txt
for i in $(seq 1 100); do grep -q '^ready' $S/perfdashd.stdout && break; sleep 0.1; done
READY=$(grep '^ready' $S/perfdashd.stdout | head -1)
echo "ready: $READY" >> $S/timeline.txt
PORT=$(echo "$READY" | sed -n 's/.*udp=[^ ]*:\([0-9]*\).*/\1/p')
echo "port $PORT" >> $S/timeline.txt
GPID=
if [ "$GUI" != 0 ]; then
    QT_QPA_PLATFORM=offscreen $B/perfdash --no-spawn --runtime-dir $S/run --db $S/perfdash.db > $S/perfdash.stdout 2> $S/perfdash.stderr &
    GPID=$!
    echo "perfdash pid $GPID" >> $S/timeline.txt
fi
sleep 5
$B/perfdash-loadgen --scenario flood --rate $RATE --series $SERIES --lines-per-datagram $LPD --udp 127.0.0.1:$PORT --duration ${DUR}m > $S/loadgen.stdout 2> $S/loadgen.stderr &
LPID=$!
TL=$(date +%s)
echo "loadgen pid $LPID at $(date -Is)" >> $S/timeline.txt
mkdir -p $S/stats
rss() { [ -n "$1" ] && awk '/^VmRSS/{print $2}' /proc/$1/status 2>/dev/null || echo NA; }
fsz() { stat -c %s "$1" 2>/dev/null || echo 0; }
printf "minute\tepoch\tdaemon_rss_kb\tgui_rss_kb\tdb_bytes\twal_bytes\tlines_accepted\tkernel_drops_udp\tstorage_dropped_values\tlate_samples\tlive_series\n" > $S/samples.tsv
for m in $(seq 0 $DUR); do
  target=$((TL + m*60))
  now=$(date +%s); [ $target -gt $now ] && sleep $((target-now))
  # hard bound
  [ $(( $(date +%s) - T0 )) -ge $((DUR*60+240)) ] && break
  $B/perfdashd stats --runtime-dir $S/run > $S/stats/$(printf %02d $m).txt 2> $S/stats/$(printf %02d $m).err
  g() { awk -v k="$1" '$1==k{print $2}' $S/stats/$(printf %02d $m).txt | head -1; }
  printf "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $m $(date +%s) "$(rss $DPID)" "$(rss $GPID)" "$(fsz $S/perfdash.db)" "$(fsz $S/perfdash.db-wal)" \
    "$(g lines_accepted)" "$(g kernel_drops.udp)" "$(g storage.dropped_values)" "$(g late_samples)" "$(g live_series)" >> $S/samples.tsv; echo "$m $(cat /proc/loadavg)" >> $S/load.txt
  if [ $m -eq 1 ]; then ss -xp > $S/ss_min1.txt 2>&1; fi
done
echo "sampling done $(date -Is)" >> $S/timeline.txt
# stop loadgen
if kill -0 $LPID 2>/dev/null; then echo "loadgen still running, SIGTERM $(date -Is)" >> $S/timeline.txt; kill -TERM $LPID; fi
wait $LPID; echo "loadgen exit $?" >> $S/timeline.txt
sleep 3
$B/perfdashd stats --runtime-dir $S/run > $S/stats/final.txt 2>&1
if [ -n "$GPID" ]; then
    kill -TERM $GPID
    for i in $(seq 1 300); do kill -0 $GPID 2>/dev/null || break; sleep 0.1; done
    kill -0 $GPID 2>/dev/null && { echo "gui did not exit in 30s, SIGKILL" >> $S/timeline.txt; kill -KILL $GPID; }
    wait $GPID; echo "perfdash exit $?" >> $S/timeline.txt
fi
kill -TERM $DPID
for i in $(seq 1 300); do kill -0 $DPID 2>/dev/null || break; sleep 0.1; done
kill -0 $DPID 2>/dev/null && { echo "daemon did not exit in 30s, SIGKILL" >> $S/timeline.txt; kill -KILL $DPID; }
wait $DPID; echo "perfdashd exit $?" >> $S/timeline.txt
ls -l $S/perfdash.db* >> $S/timeline.txt 2>&1
uptime > $S/uptime_end.txt
echo "end $(date -Is)" >> $S/timeline.txt
