#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""perfdash reliability suite (issue 18): runs the real perfdashd under faults and checks what it promises.

Standard library only. Every scenario runs its own perfdashd in its own temporary folder (its own --db, --runtime-dir,
UDP on 127.0.0.1 port 0), synchronises by polling the collector's `stats` (over live.sock) or the database with a
timeout, bounds every loop in count and wall time, and kills what it started on the way out. One result line per
scenario; the exit status is 1 when any scenario failed. docs/reliability.md describes each scenario and its figures.
"""
import argparse
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib

# What a kill -9 may lose (docs/storage.md, "kill -9"): the open second (one flush interval, 1000 ms), the 50 ms publish
# delay, plus 600 ms of slack for the tick, the queued post and the commit on a loaded 2-core machine: the bound
# tests/e2e/tst_storage_e2e.cpp checks too.
FLUSH_INTERVAL_MS = 1000
PUBLISH_DELAY_MS = 50
KILL_SLACK_MS = 600
LOSS_WINDOW_MS = FLUSH_INTERVAL_MS + PUBLISH_DELAY_MS + KILL_SLACK_MS
RESTART_BOUND_S = 2.0
SECOND_RE = re.compile(rb'"second":(-?[0-9]+)')

FAKETIME_LIBS = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
)

# ---------------------------------------------------------------------------------------------------------------------
# Bookkeeping: everything started is stopped on the way out, whatever happens.

_children = []  # subprocess.Popen
_mounts = []  # mount points to unmount
_stop_threads = threading.Event()


def cleanup():
    _stop_threads.set()
    for p in list(_children):
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    _children.clear()
    for m in list(_mounts):
        subprocess.run(["umount", "-l", m], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _mounts.clear()


def _on_signal(signum, _frame):
    cleanup()
    raise SystemExit(128 + signum)


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def wait_until(predicate, timeout, interval=0.02):
    """Polls predicate() until it returns something truthy or timeout seconds pass; returns (value, elapsed_s)."""
    start = time.monotonic()
    value = None
    while True:
        try:
            value = predicate()
        except (OSError, ValueError):
            value = None
        if value:
            return value, time.monotonic() - start
        if time.monotonic() - start >= timeout:
            return value, time.monotonic() - start
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------------------------------
# The collector


def flat(d, name, default=None):
    for part in name.split("."):
        if not isinstance(d, dict) or part not in d:
            return default
        d = d[part]
    return d


def live_request(path, method, timeout=5.0, extra=None):
    """Connects to live.sock, reads the hello, sends one request and returns (hello, result-or-error object)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        s.connect(path)
        buf = b""
        hello = None
        request = {"type": "request", "id": 7, "method": method}
        if extra:
            request.update(extra)
        while True:
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if hello is None:
                    hello = json.loads(line)
                    s.sendall(json.dumps(request).encode() + b"\n")
                    continue
                # QJsonDocument sorts keys: a response starts with "error" or "id"; frames start with "collector".
                if line.startswith(b'{"id":') or line.startswith(b'{"error":'):
                    msg = json.loads(line)
                    if msg.get("id") == 7:
                        return hello, msg
            if time.monotonic() > deadline:
                raise TimeoutError("no answer on %s within %.1f s" % (path, timeout))
            chunk = s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("live.sock closed")
            buf += chunk
    finally:
        s.close()


class Collector:
    """One perfdashd on a temporary folder."""

    spawned = 0

    def __init__(self, ctx, root, db=None, runtime=None, extra=None, env=None, prefix=None):
        self.ctx = ctx
        self.root = root
        self.db = db or os.path.join(root, "perfdash.db")
        self.runtime = runtime or os.path.join(root, "run")
        self.extra = list(extra or [])
        self.env_extra = dict(env or {})
        self.prefix = list(prefix or [])
        self.proc = None
        self.udp_port = None
        self.http = None
        self.ready_line = None
        self.starts = 0
        self.stderr_path = None
        self.rc = None

    @property
    def live(self):
        return os.path.join(self.runtime, "live.sock")

    @property
    def ingest(self):
        return os.path.join(self.runtime, "ingest.sock")

    @property
    def dsd(self):
        return os.path.join(self.runtime, "dsd.socket")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def env(self):
        env = dict(os.environ)
        # Nothing of the user's: config (alert rules), data and runtime folders all live in the scenario's folder.
        for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "xdg")):
            path = os.path.join(self.root, sub)
            os.makedirs(path, mode=0o700, exist_ok=True)
            env[name] = path
        env.update(self.env_extra)
        return env

    def spawn(self):
        self.starts += 1
        Collector.spawned += 1  # several collectors may share a folder: one stderr file each start
        self.stderr_path = os.path.join(self.root, "perfdashd-%d.err" % Collector.spawned)
        args = self.prefix + [self.ctx.perfdashd, "--db", self.db, "--runtime-dir", self.runtime,
                              "--udp", "127.0.0.1:0"] + self.extra
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                         env=self.env(), start_new_session=True)
        _children.append(self.proc)
        self.rc = None
        return self.proc

    def start(self, timeout=15.0):
        """Starts perfdashd and reads its ready line; returns True, or False if it exited (self.rc, self.stderr())."""
        self.spawn()
        line = self._read_ready(timeout)
        if line is None:
            try:
                # stdout closes a moment before the process is reaped
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                raise Failed("perfdashd printed no ready line within %.0f s" % timeout)
            self.rc = self.proc.returncode
            return False
        self.ready_line = line
        for word in line.split():
            if word.startswith("udp="):
                self.udp_port = int(word.rsplit(":", 1)[1])
            elif word.startswith("http="):
                self.http = word[5:]
        return True

    def _read_ready(self, timeout):
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                buf += chunk
                if b"\n" in buf:
                    line = buf.split(b"\n", 1)[0].decode("utf-8", "replace")
                    return line if line.startswith("ready ") else None
            elif self.proc.poll() is not None:
                return None
        return None

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def stats(self, timeout=5.0):
        _, msg = live_request(self.live, "stats", timeout)
        return msg["result"]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_stats(self, predicate, timeout, what):
        """Polls stats until predicate(stats) holds; returns the stats. Fails naming `what` on timeout."""
        last = {}

        def probe():
            nonlocal last
            last = self.stats(timeout=3.0)
            return last if predicate(last) else None

        value, _ = wait_until(probe, timeout, interval=0.05)
        check(value is not None, "%s: not within %.0f s (last stats: %s)" % (what, timeout, _brief(last)))
        return value

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.rc = self.proc.returncode

    def stop(self, timeout=30.0):
        """SIGTERM, then wait; returns the exit status (negative: killed by that signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                raise Failed("perfdashd did not stop within %.0f s of SIGTERM" % timeout)
        self.rc = self.proc.returncode
        return self.rc

    def fd_count(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def _brief(stats):
    keys = ("lines_accepted", "records_accepted", "datagrams", "storage.full", "storage.locked", "subscribers")
    return ", ".join("%s=%s" % (k, flat(stats, k)) for k in keys if flat(stats, k) is not None) or "none"


def exited_cleanly_or_with_error(rc):
    """True when perfdashd ended by itself (exit status >= 0), not by a signal such as SIGSEGV or SIGABRT."""
    return rc is not None and rc >= 0


# ---------------------------------------------------------------------------------------------------------------------
# The database, read directly: the 1 s tier's chunks (docs/storage.md, "Chunk blob"), to count what is stored per
# series and second and to see any second stored twice.


def _varint(buf, pos):
    value = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def _unzigzag(v):
    return (v >> 1) ^ -(v & 1)


def chunk_rows(blob, start, step):
    """(time, count) rows of a ChunkCodec blob, format 1."""
    blob = bytes(blob)
    if len(blob) < 2 or blob[0] != 1:
        raise ValueError("not a format 1 chunk")
    body = blob[2:]
    if blob[1] & 1:  # deflated with qCompress: 4-byte big-endian length, then zlib
        body = zlib.decompress(body[4:])
    n, p = _varint(body, 0)
    _, p = _varint(body, p)  # relative accuracy
    times = []
    t = 0
    delta = 0
    for _ in range(n):
        v, p = _varint(body, p)
        delta += _unzigzag(v)
        t += delta
        times.append(start + t * step)
    counts = []
    acc = 0
    for _ in range(n):
        v, p = _varint(body, p)
        acc += _unzigzag(v)
        counts.append(acc)
    return list(zip(times, counts))


def open_ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def integrity_check(path):
    con = open_ro(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


class Stored:
    """What a stopped collector's database holds: per series key, {second: count} of the 1 s tier, and every bucket
    that appears twice in a tier (closed chunks, the open row and its provisional tail)."""

    def __init__(self, path):
        self.counts = {}
        self.duplicates = []  # (tier, key, time, where)
        self.buckets = 0
        con = open_ro(path)
        try:
            keys = {sid: key for sid, key in con.execute("SELECT id, key FROM series")}
            self.recent_blocks = con.execute("SELECT count(*) FROM recent_1s").fetchone()[0]
            for tier, step, table in ((0, 1, "chunk_1s"), (1, 60, "chunk_1m"), (2, 3600, "chunk_1h")):
                seen = {}
                rows = [(sid, start, data, "closed") for sid, start, data in
                        con.execute("SELECT series_id, start, data FROM %s" % table)]
                for sid, start, data, tail in con.execute(
                        "SELECT series_id, start, data, tail FROM open_chunks WHERE tier = ?", (tier,)):
                    rows.append((sid, start, data, "open"))
                    if tail is not None:
                        rows.append((sid, start, tail, "tail"))
                for sid, start, data, where in rows:
                    key = keys.get(sid, "#%d" % sid)
                    for t, count in chunk_rows(data, start, step):
                        self.buckets += 1
                        mark = (sid, t)
                        if mark in seen:
                            self.duplicates.append((tier, key, t, seen[mark] + "+" + where))
                            continue
                        seen[mark] = where
                        if tier == 0:
                            self.counts.setdefault(key, {})[t] = count
        finally:
            con.close()

    def total(self, key):
        return sum(self.counts.get(key, {}).values())

    def total_prefix(self, prefix):
        return sum(self.total(k) for k in self.counts if k.startswith(prefix))


def stored_after_clean_stop(path):
    stored = Stored(path)
    check(stored.recent_blocks == 0,
          "%d recent_1s blocks left after a clean stop (docs/storage.md: none after a clean stop)" % stored.recent_blocks)
    return stored


# ---------------------------------------------------------------------------------------------------------------------
# Senders


class UdpCounter:
    """Sends `name:1|c` lines, one a datagram, and remembers when each went."""

    def __init__(self, port, name):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addr = ("127.0.0.1", port)
        self.line = ("%s:1|c" % name).encode()
        self.times = []
        self.errors = 0

    def send(self):
        try:
            self.sock.sendto(self.line, self.addr)
            self.times.append(time.time())
        except OSError:
            self.errors += 1

    def run_for(self, seconds, interval):
        end = time.monotonic() + seconds
        nxt = time.monotonic()
        while time.monotonic() < end and not _stop_threads.is_set():
            self.send()
            nxt += interval
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def close(self):
        self.sock.close()


class NdjsonLoad(threading.Thread):
    """Background load on ingest.sock: timer records over `series` series, reconnecting when the collector goes away."""

    def __init__(self, path_fn, series=50, per_second=500, name="rel.load", deadline_s=3600):
        super().__init__(daemon=True)
        self.path_fn = path_fn
        self.series = series
        self.per_second = per_second
        self.name_ = name
        self.stop = threading.Event()
        self.sent = 0
        self.reconnects = 0
        self.deadline = time.monotonic() + deadline_s

    def run(self):
        rng = random.Random(18)
        sock = None
        batch = max(1, self.per_second // 50)
        while not self.stop.is_set() and not _stop_threads.is_set() and time.monotonic() < self.deadline:
            if sock is None:
                try:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.settimeout(1.0)
                    sock.connect(self.path_fn())
                except OSError:
                    sock.close()
                    sock = None
                    self.stop.wait(0.05)
                    continue
            lines = b"".join(
                b'{"type":"metric","name":"%s","kind":"timer","value":%d,"tags":{"s":"%d"}}\n'
                % (self.name_.encode(), rng.randint(1, 1000), rng.randint(0, self.series - 1)) for _ in range(batch))
            try:
                sock.sendall(lines)
                self.sent += batch
            except OSError:
                sock.close()
                sock = None
                self.reconnects += 1
                continue
            self.stop.wait(0.02)
        if sock is not None:
            sock.close()

    def finish(self):
        self.stop.set()
        self.join(timeout=10)


class LiveSubscriber(threading.Thread):
    """A live.sock subscriber that reads every frame and notes when each arrived."""

    def __init__(self, path, deadline_s=600, marker=None):
        super().__init__(daemon=True)
        self.path = path
        self.marker = marker  # bytes: frames holding it are noted in self.marked
        self.stop = threading.Event()
        self.frames = []  # (arrival monotonic, second)
        self.marked = []  # (arrival monotonic, second) of frames holding the marker
        self.bytes = 0
        self.closed_by_peer = False
        self.error = None
        self.deadline = time.monotonic() + deadline_s

    def run(self):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            s.connect(self.path)
        except OSError as e:
            self.error = str(e)
            return
        buf = b""
        try:
            while not self.stop.is_set() and not _stop_threads.is_set() and time.monotonic() < self.deadline:
                try:
                    chunk = s.recv(1 << 20)
                except socket.timeout:
                    continue
                if not chunk:
                    self.closed_by_peer = True
                    break
                self.bytes += len(chunk)
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    # Keys come sorted ("collector", ..., "second", "series", "type"): a frame ends with its type.
                    if line.endswith(b'"type":"frame"}'):
                        m = SECOND_RE.search(line)
                        if m:
                            self.frames.append((time.monotonic(), int(m.group(1))))
                            if self.marker and self.marker in line:
                                self.marked.append(self.frames[-1])
        except OSError as e:
            self.error = str(e)
        finally:
            s.close()

    def finish(self):
        self.stop.set()
        self.join(timeout=10)

    def max_gap(self, since=0.0):
        arrivals = [t for t, _ in self.frames if t >= since]
        if len(arrivals) < 2:
            return None
        return max(b - a for a, b in zip(arrivals, arrivals[1:]))


# ---------------------------------------------------------------------------------------------------------------------
# Results


class Result:
    def __init__(self, name):
        self.name = name
        self.status = "PASS"
        self.did = ""
        self.times = 0
        self.lost = ""
        self.timing = ""
        self.details = {}
        self.reason = ""
        self.wall_s = 0.0

    def line(self):
        text = "%s %s: %s; x%d; lost: %s; %s" % (self.status, self.name, self.did, self.times, self.lost or "-",
                                                 self.timing or "-")
        if self.reason:
            text += " -- " + self.reason
        return text + " [%.1f s]" % self.wall_s

    def as_json(self):
        return {"scenario": self.name, "status": self.status, "did": self.did, "times": self.times,
                "lost": self.lost, "timing": self.timing, "reason": self.reason, "wall_s": round(self.wall_s, 2),
                "details": self.details}


class Context:
    def __init__(self, args):
        self.args = args
        self.short = args.short
        self.bin = os.path.abspath(args.bin)
        self.perfdashd = os.path.join(self.bin, "perfdashd")
        self.base = tempfile.mkdtemp(prefix="perfdash-rel-")
        self.rng = random.Random(args.seed)

    def tmpdir(self, name):
        path = os.path.join(self.base, name)
        os.makedirs(path, mode=0o700)
        return path

    def pick(self, short, long):
        return short if self.short else long


def run_perfdashd(ctx, args, timeout=60, env=None, prefix=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run((prefix or []) + [ctx.perfdashd] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=e, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def percentile_text(values, unit_ms=False):
    if not values:
        return "n/a"
    if unit_ms:
        return "median %.0f ms, max %.0f ms" % (statistics.median(values), max(values))
    return "median %.2f s, max %.2f s" % (statistics.median(values), max(values))


# ---------------------------------------------------------------------------------------------------------------------
# 1. kill -9 under load


def scenario_kill9(ctx, r):
    trials = ctx.pick(5, 50)
    root = ctx.tmpdir("kill9")
    c = Collector(ctx, root)
    t0 = time.monotonic()
    check(c.start(), "perfdashd did not start: " + c.stderr())
    c.wait_stats(lambda s: True, 10, "first stats")
    load = NdjsonLoad(lambda: c.ingest, series=200, per_second=2000)
    load.start()
    restarts = []
    windows_ms = []
    per_trial = []
    try:
        for trial in range(trials):
            check(time.monotonic() - t0 < ctx.pick(120, 900), "kill -9 trials exceeded their wall-time bound")
            name = "rel.kill.t%d" % trial
            sender = UdpCounter(c.udp_port, name)
            # Longer than the loss window, so every trial must keep some data; random, so kills land anywhere in a
            # second and in a flush.
            sender.run_for(LOSS_WINDOW_MS / 1000.0 + 0.3 + ctx.rng.random() * 1.5, 0.002)
            sent = len(sender.times)
            sender.close()
            check(sender.errors == 0, "trial %d: %d sends failed" % (trial, sender.errors))
            # The collector took every increment (lines_accepted counts only these: the load goes to ingest.sock).
            c.wait_stats(lambda s: s["lines_accepted"] >= sent, 10, "trial %d: %d increments accepted" % (trial, sent))
            killed_at = time.time()
            c.kill9()
            check(c.rc == -signal.SIGKILL, "trial %d: exit status %s after SIGKILL" % (trial, c.rc))
            ic = integrity_check(c.db)
            check(ic == "ok", "trial %d: integrity_check says %r" % (trial, ic))
            started = time.monotonic()
            check(c.start(), "trial %d: restart failed (exit %s): %s" % (trial, c.rc, c.stderr()[-2000:]))
            c.wait_stats(lambda s: True, 10, "trial %d: stats after the restart" % trial)
            restarts.append(time.monotonic() - started)
            per_trial.append({"trial": trial, "series": name, "sent": sent, "times": sender.times,
                              "killed_at": killed_at})
    finally:
        load.finish()
    check(c.stop() == 0, "the last collector's SIGTERM exit status was %s" % c.rc)
    ic = integrity_check(c.db)
    check(ic == "ok", "integrity_check after the last stop says %r" % ic)
    stored = stored_after_clean_stop(c.db)
    total_sent = total_stored = total_required = 0
    problems = []
    for t in per_trial:
        got = stored.total(t["series"])
        required = sum(1 for x in t["times"] if x < t["killed_at"] - LOSS_WINDOW_MS / 1000.0)
        lost = t["sent"] - got
        # The span of data lost: from the first increment not stored to the kill (stored data is a prefix in time).
        window = 0.0 if lost <= 0 else (t["killed_at"] - t["times"][got]) * 1000.0
        windows_ms.append(window)
        total_sent += t["sent"]
        total_stored += got
        total_required += required
        t.update(stored=got, required=required, lost=lost, lost_window_ms=round(window))
        if got < required:
            problems.append("trial %d: %d stored < %d sent more than %d ms before the kill (lost window %.0f ms)"
                            % (t["trial"], got, required, LOSS_WINDOW_MS, window))
        if got > t["sent"]:
            problems.append("trial %d: %d stored > %d sent (counted twice)" % (t["trial"], got, t["sent"]))
    # Cross-check the direct read with the product's own reader (export --raw sums the same seconds).
    rc, out, err = run_perfdashd(ctx, ["export", "--raw", "--db", c.db, "--series", "rel.kill.*", "--from", "-1d",
                                       "--to", "+1h", "--step", "1m"], env=c.env())
    exported = 0
    if rc == 0:
        for row in out.splitlines()[1:]:
            cells = row.split(",")
            if len(cells) > 2 and cells[1].startswith("rel.kill.t"):
                exported += int(float(cells[2]))
    if rc != 0 or exported != total_stored:
        problems.append("export --raw sums %d (exit %d, %s), the chunks hold %d" % (exported, rc, err.strip()[:200],
                                                                                   total_stored))
    if stored.duplicates:
        problems.append("buckets stored twice: %s" % stored.duplicates[:5])
    over = [x for x in restarts if x > RESTART_BOUND_S]
    if over:
        problems.append("%d restarts took longer than %.0f s: %s" % (len(over), RESTART_BOUND_S,
                                                                     ", ".join("%.2f" % x for x in over)))
    for t in per_trial:
        del t["times"]
    r.details = {"trials": per_trial, "restart_s": [round(x, 3) for x in restarts], "loss_bound_ms": LOSS_WINDOW_MS,
                 "sent": total_sent, "stored": total_stored, "required": total_required,
                 "load_records": load.sent, "load_reconnects": load.reconnects}
    r.times = trials
    r.did = "kill -9 under load (a UDP counter at 500/s, NDJSON timers over 200 series at 2000/s), restart"
    r.lost = "per kill, the increments of the last %s before it (bound %d ms); %d of %d in all; " \
             "integrity_check ok %d/%d" % (percentile_text(windows_ms, unit_ms=True), LOSS_WINDOW_MS,
                                           total_sent - total_stored, total_sent, trials, trials)
    r.timing = "restart to stats answer: " + percentile_text(restarts)
    check(not problems, "; ".join(problems))


# ---------------------------------------------------------------------------------------------------------------------
# 2. Corrupt and locked databases


def _send_and_count(c, name, n):
    """Sends n increments of a counter by UDP and waits until stats show them accepted."""
    before = c.stats()["lines_accepted"]
    sender = UdpCounter(c.udp_port, name)
    for _ in range(n):
        sender.send()
    sender.close()
    c.wait_stats(lambda s: s["lines_accepted"] >= before + n, 10, "%d increments of %s accepted" % (n, name))


def _hold_lock(db, exclusive_mode):
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    if exclusive_mode:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("BEGIN EXCLUSIVE")
    return con


def scenario_corrupt_and_locked(ctx, r):
    notes = []
    timings = []
    # a) garbage bytes where the database should be.
    root = ctx.tmpdir("corrupt-garbage")
    db = os.path.join(root, "perfdash.db")
    garbage = os.urandom(64 * 1024)
    with open(db, "wb") as f:
        f.write(garbage)
    c = Collector(ctx, root)
    started = time.monotonic()
    check(c.start(), "garbage db: perfdashd did not start (exit %s): %s" % (c.rc, c.stderr()[-1000:]))
    c.wait_stats(lambda s: True, 10, "garbage db: stats")
    timings.append(time.monotonic() - started)
    _send_and_count(c, "rel.corrupt.a", 100)
    check(c.stop() == 0, "garbage db: exit status %s" % c.rc)
    aside = [n for n in os.listdir(root) if n.startswith("perfdash.db.corrupt-")]
    check(len(aside) == 1, "garbage db: expected one perfdash.db.corrupt-* file, found %s" % aside)
    with open(os.path.join(root, aside[0]), "rb") as f:
        check(f.read() == garbage, "garbage db: the file moved aside is not the original bytes")
    err = c.stderr()
    check("notice" in err and "corrupt" in err and aside[0] in err,
          "garbage db: no notice naming the moved file on stderr: %r" % err[-500:])
    check(Stored(db).total("rel.corrupt.a") == 100, "garbage db: the new database lacks what was sent")
    notes.append("garbage: moved to %s, notice printed, 100/100 stored in the new file" % aside[0].split(".db.")[1][:8])

    # b) a real database with pages overwritten in the middle.
    root = ctx.tmpdir("corrupt-pages")
    c = Collector(ctx, root)
    check(c.start(), "damaged db: first start failed")
    _send_and_count(c, "rel.corrupt.b", 50)
    check(c.stop() == 0, "damaged db: first stop %s" % c.rc)
    size = os.path.getsize(c.db)
    with open(c.db, "r+b") as f:
        # Keep the header (page 1) so SQLite opens it; wreck pages 2.. so quick_check fails.
        f.seek(4096)
        f.write(os.urandom(min(size - 4096, 8 * 4096)))
    started = time.monotonic()
    ok = c.start()
    if ok:
        c.wait_stats(lambda s: True, 10, "damaged db: stats")
        timings.append(time.monotonic() - started)
        _send_and_count(c, "rel.corrupt.b2", 20)
        check(c.stop() == 0, "damaged db: exit status %s" % c.rc)
        aside = [n for n in os.listdir(root) if n.startswith("perfdash.db.corrupt-")]
        check(len(aside) == 1, "damaged db: expected one perfdash.db.corrupt-* file, found %s" % aside)
        check(Stored(c.db).total("rel.corrupt.b2") == 20, "damaged db: the new database lacks what was sent")
        notes.append("damaged pages: moved aside, new file works")
    else:
        raise Failed("damaged db: perfdashd exited %s instead of moving the file aside: %s" % (c.rc, c.stderr()[-800:]))

    # c) locked by another program at start: exit 1, message naming the file, nothing moved.
    root = ctx.tmpdir("locked-start")
    c = Collector(ctx, root)
    check(c.start(), "locked db: first start failed")
    _send_and_count(c, "rel.locked.a", 10)
    check(c.stop() == 0, "locked db: first stop %s" % c.rc)
    with open(c.db, "rb") as f:
        before = f.read()
    con = _hold_lock(c.db, exclusive_mode=True)
    try:
        started = time.monotonic()
        ok = c.start(timeout=30)
        took = time.monotonic() - started
        if ok:
            c.stop()
            raise Failed("locked db: perfdashd started although another program held the database")
        err = c.stderr()
    finally:
        con.rollback()
        con.close()
    check(c.rc == 1, "locked db: exit status %s, expected 1" % c.rc)
    check(c.db in err and "locked" in err, "locked db: message does not name the file and the lock: %r" % err[-400:])
    aside = [n for n in os.listdir(root) if ".corrupt-" in n]
    check(not aside, "locked db: the file was moved aside: %s" % aside)
    with open(c.db, "rb") as f:
        check(f.read() == before, "locked db: the file changed")
    notes.append("locked at start: exit 1 after %.1f s, message names the file, not moved" % took)
    r.details["locked_start_exit_s"] = round(took, 2)
    r.details["locked_start_message"] = err.strip().splitlines()[-1] if err.strip() else ""

    # d) locked during a run, released after some seconds: nothing lost.
    hold_s = ctx.pick(5, 20)
    root = ctx.tmpdir("locked-run")
    c = Collector(ctx, root)
    check(c.start(), "lock during run: start failed")
    c.wait_stats(lambda s: True, 10, "lock during run: stats")
    sender = UdpCounter(c.udp_port, "rel.lockrun")
    stop = threading.Event()

    def pump():
        end = time.monotonic() + hold_s + 30
        while not stop.is_set() and time.monotonic() < end:
            sender.send()
            time.sleep(0.005)

    th = threading.Thread(target=pump, daemon=True)
    th.start()
    try:
        c.wait_stats(lambda s: s["lines_accepted"] > 100, 10, "lock during run: data before the lock")
        con = _hold_lock(c.db, exclusive_mode=False)
        locked_at = time.monotonic()
        try:
            c.wait_stats(lambda s: flat(s, "storage.locked") is True, hold_s + 10, "storage.locked while held")
            seen_locked = time.monotonic() - locked_at
            wait_until(lambda: time.monotonic() - locked_at >= hold_s, hold_s + 1, interval=0.1)
            during = c.stats()
        finally:
            con.rollback()
            con.close()
        released = time.monotonic()
        c.wait_stats(lambda s: flat(s, "storage.locked") is False, 15, "storage.locked cleared after release")
        clear_s = time.monotonic() - released
        wait_until(lambda: time.monotonic() - released >= 2, 3, interval=0.1)
    finally:
        stop.set()
        th.join(timeout=10)
        sender.close()
    sent = len(sender.times)
    final = c.wait_stats(lambda s: s["lines_accepted"] >= sent, 10, "lock during run: all accepted")
    dropped = flat(final, "storage.dropped_values")
    check(c.stop() == 0, "lock during run: exit status %s" % c.rc)
    got = Stored(c.db).total("rel.lockrun")
    check(got == sent, "lock during run: %d sent and accepted, %d stored (storage.dropped_values %s)"
          % (sent, got, dropped))
    notes.append("lock held %d s mid-run: storage.locked seen after %.1f s, cleared %.1f s after release, %d/%d stored"
                 % (hold_s, seen_locked, clear_s, got, sent))
    r.details.update(lock_hold_s=hold_s, lock_seen_s=round(seen_locked, 2), lock_clear_s=round(clear_s, 2),
                     lock_sent=sent, lock_stored=got, lock_queued_during=flat(during, "storage.queued_frames"),
                     start_after_corrupt_s=[round(x, 2) for x in timings])
    r.times = 4
    r.did = "garbage db, damaged db, db locked at start, db locked %d s during a run" % hold_s
    r.lost = "none (%d/%d increments across the mid-run lock)" % (got, sent)
    r.timing = "start on a corrupt file to stats: %s; locked start exits after %.1f s" % (
        ", ".join("%.2f s" % x for x in timings), took)
    r.details["notes"] = notes


# ---------------------------------------------------------------------------------------------------------------------
# 3. Read-only database folder, missing or unwritable runtime folder


def unprivileged_prefix(probe_dir):
    """A command prefix under which a 0555 folder owned by us is really read-only, or None if there is none.
    Root ignores permissions (CAP_DAC_OVERRIDE); setpriv drops that capability from the bounding set."""
    prefixes = [[]]
    if os.geteuid() == 0 and shutil.which("setpriv"):
        prefixes = [["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]]
    for prefix in prefixes:
        # The prefix itself must work (setpriv needs CAP_SETPCAP, which a container may not give).
        if prefix and subprocess.run(prefix + ["/bin/true"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL).returncode != 0:
            continue
        probe = os.path.join(probe_dir, "probe")
        rc = subprocess.run(prefix + ["/bin/sh", "-c", "touch '%s'" % probe], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
        if rc != 0 and not os.path.exists(probe):
            return prefix
        if os.path.exists(probe):
            os.unlink(probe)
    return None


def scenario_permissions(ctx, r):
    root = ctx.tmpdir("perms")
    ro = os.path.join(root, "ro")
    os.makedirs(ro)
    os.chmod(ro, 0o555)
    prefix = unprivileged_prefix(ro)
    cases = []

    def expect_error(label, c, must_name):
        started = time.monotonic()
        ok = c.start(timeout=20)
        took = time.monotonic() - started
        if ok:
            c.wait_stats(lambda s: True, 10, label + ": stats")
            rc = c.stop()
            cases.append("%s: runs (stats answer), clean stop %s" % (label, rc))
            return "ran", took
        err = c.stderr().strip()
        check(exited_cleanly_or_with_error(c.rc), "%s: perfdashd died by signal %s: %s" % (label, -c.rc, err[-500:]))
        check(c.rc != 0, "%s: exit status 0 without a ready line" % label)
        check(must_name in err, "%s: the message does not name %s: %r" % (label, must_name, err[-400:]))
        cases.append("%s: exit %d in %.2f s, %r" % (label, c.rc, took, err.splitlines()[-1][:300]))
        return "error", took

    def expect_run(label, c, created):
        started = time.monotonic()
        ok = c.start(timeout=20)
        check(ok, "%s: perfdashd did not start (exit %s): %s" % (label, c.rc, c.stderr()[-500:]))
        c.wait_stats(lambda s: True, 10, label + ": stats")
        took = time.monotonic() - started
        check(os.path.exists(created), "%s: %s was not created" % (label, created))
        mode = oct(os.stat(created).st_mode & 0o777)
        rc = c.stop()
        check(rc == 0, "%s: exit status %s" % (label, rc))
        cases.append("%s: created (%s), runs, stats in %.2f s" % (label, mode, took))

    # Missing parents: created.
    deep_run = os.path.join(root, "a", "b", "c", "run")
    expect_run("runtime dir with missing parents", Collector(ctx, root, runtime=deep_run, db=os.path.join(root, "d1.db")),
               deep_run)
    deep_db = os.path.join(root, "x", "y", "z", "perfdash.db")
    expect_run("db in a folder with missing parents", Collector(ctx, root, db=deep_db, runtime=os.path.join(root, "r2")),
               deep_db)
    skipped = []
    if prefix is None:
        skipped.append("read-only folders: cannot make a folder unwritable for this user (root without setpriv)")
    else:
        # A read-only folder for the database, empty and holding a database.
        expect_error("db in a read-only empty folder",
                     Collector(ctx, root, db=os.path.join(ro, "perfdash.db"), runtime=os.path.join(root, "r3"),
                               prefix=prefix), os.path.join(ro, "perfdash.db"))
        rodb = os.path.join(root, "rodb")
        os.makedirs(rodb)
        seed = Collector(ctx, root, db=os.path.join(rodb, "perfdash.db"), runtime=os.path.join(root, "r4"))
        check(seed.start(), "seeding the read-only db failed")
        check(seed.stop() == 0, "seeding stop")
        os.chmod(rodb, 0o555)
        outcome, _ = expect_error("existing db in a read-only folder",
                                  Collector(ctx, root, db=os.path.join(rodb, "perfdash.db"),
                                            runtime=os.path.join(root, "r5"), prefix=prefix),
                                  os.path.join(rodb, "perfdash.db"))
        os.chmod(rodb, 0o755)
        check(not [n for n in os.listdir(rodb) if ".corrupt-" in n], "read-only db folder: file moved aside")
        # A runtime folder that exists but is not writable, and one under an unwritable parent.
        norun = os.path.join(root, "norun")
        os.makedirs(norun)
        os.chmod(norun, 0o555)
        expect_error("runtime dir exists, ours, mode 0555",
                     Collector(ctx, root, runtime=norun, db=os.path.join(root, "d6.db"), prefix=prefix), norun)
        if os.geteuid() == 0:
            # perfdashd makes its own runtime folder 0700, so an unwritable one needs another owner.
            other = os.path.join(root, "otherrun")
            os.makedirs(other)
            os.chmod(other, 0o755)
            os.chown(other, 65534, 65534)
            expect_error("runtime dir owned by another user (0755)",
                         Collector(ctx, root, runtime=other, db=os.path.join(root, "d8.db"), prefix=prefix), other)
        expect_error("runtime dir under a read-only parent",
                     Collector(ctx, root, runtime=os.path.join(ro, "missing", "run"), db=os.path.join(root, "d7.db"),
                               prefix=prefix), os.path.join(ro, "missing", "run"))
        os.chmod(norun, 0o755)
    os.chmod(ro, 0o755)
    r.times = len(cases)
    r.did = "runtime dir and db folder missing (parents too), read-only db folder (empty, with a db), " \
            "runtime dir not writable, under a read-only parent"
    r.lost = "n/a"
    r.timing = "; ".join(cases)
    r.details = {"cases": cases, "unprivileged_prefix": prefix, "skipped": skipped}
    if skipped:
        r.reason = "; ".join(skipped)


# ---------------------------------------------------------------------------------------------------------------------
# 4. Disk full


def scenario_disk_full(ctx, r):
    root = ctx.tmpdir("diskfull")
    mnt = os.path.join(root, "mnt")
    os.makedirs(mnt)
    if os.geteuid() != 0:
        raise Skip("needs root to mount a small tmpfs (not root here)")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mnt], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise Skip("cannot mount a tmpfs here (%s)" % p.stdout.decode(errors="replace").strip()[:120])
    _mounts.append(mnt)
    full_s = ctx.pick(4, 15)
    c = None
    try:
        c = Collector(ctx, root, db=os.path.join(mnt, "perfdash.db"))
        check(c.start(), "perfdashd did not start on the tmpfs: " + c.stderr()[-500:])
        c.wait_stats(lambda s: True, 10, "stats")
        load = NdjsonLoad(lambda: c.ingest, series=200, per_second=2000, name="rel.fill")
        load.start()
        sender = UdpCounter(c.udp_port, "rel.full")
        stop = threading.Event()

        def pump():
            end = time.monotonic() + 120
            while not stop.is_set() and time.monotonic() < end:
                sender.send()
                time.sleep(0.005)

        th = threading.Thread(target=pump, daemon=True)
        th.start()
        filler = os.path.join(mnt, "filler")
        try:
            c.wait_stats(lambda s: s["lines_accepted"] > 100, 10, "data before filling")
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            block = b"\0" * 65536
            try:
                for _ in range(10000):  # 625 MiB at most; the tmpfs holds 8
                    os.write(fd, block)
            except OSError:
                pass
            # The last few bytes too, so that no page is left for SQLite.
            try:
                for _ in range(100000):
                    os.write(fd, b"\0" * 512)
            except OSError:
                pass
            os.close(fd)
            filled_at = time.monotonic()
            # The writer is stuck once its queue stops draining (a flush takes it every second); storage.full is
            # what docs/storage.md says it then reports.
            s = c.wait_stats(lambda s: flat(s, "storage.full") is True or flat(s, "storage.queued_frames", 0) >= 5,
                             60, "the writer held up by the full disk (storage.full or a queue that stops draining)")
            seen_stuck = time.monotonic() - filled_at
            accepted_at_full = s["lines_accepted"]
            full_reported = flat(s, "storage.full") is True
            max_queued = flat(s, "storage.queued_frames", 0)
            # While full: stats answer and ingest goes on.
            latencies = []
            end = time.monotonic() + full_s
            while time.monotonic() < end:
                t = time.monotonic()
                s = c.stats()
                latencies.append(time.monotonic() - t)
                full_reported = full_reported or flat(s, "storage.full") is True
                max_queued = max(max_queued, flat(s, "storage.queued_frames", 0))
                time.sleep(0.25)
            sent_now = len(sender.times)
            s = c.wait_stats(lambda s: s["lines_accepted"] >= sent_now, 10, "ingest while full")
            accepted_while_full = s["lines_accepted"] - accepted_at_full
            check(accepted_while_full > 0, "nothing accepted while the disk was full")
            os.unlink(filler)
            freed_at = time.monotonic()
            c.wait_stats(lambda s: flat(s, "storage.full") is False and flat(s, "storage.queued_frames", 0) <= 2, 30,
                         "writing resumed after freeing space (queue drained, storage.full false)")
            cleared = time.monotonic() - freed_at
            wait_until(lambda: time.monotonic() - freed_at >= 2, 3, interval=0.1)
        finally:
            stop.set()
            th.join(timeout=10)
            sender.close()
            load.finish()
        sent = len(sender.times)
        final = c.wait_stats(lambda s: s["lines_accepted"] >= sent, 10, "all accepted")
        dropped = flat(final, "storage.dropped_values")
        check(c.stop() == 0, "exit status %s" % c.rc)
        ic = integrity_check(c.db)
        check(ic == "ok", "integrity_check says %r" % ic)
        stored = stored_after_clean_stop(c.db)
        got = stored.total("rel.full")
        check(not stored.duplicates, "buckets stored twice: %s" % stored.duplicates[:5])
        r.times = 1
        r.did = "db on an 8 MiB tmpfs filled to ENOSPC for %d s under load, then freed" % full_s
        r.lost = "%s: %d/%d increments stored; storage.dropped_values %s" % (
            "none" if got == sent else "LOST %d" % (sent - got), got, sent, dropped)
        r.timing = "writer held up %.1f s after filling (storage.full %s, queue up to %d frames), resumed %.1f s " \
                   "after freeing; %d lines accepted while full; stats while full %s" % (
                       seen_stuck, "reported" if full_reported else "NEVER reported", max_queued, cleared,
                       accepted_while_full, percentile_text([x * 1000 for x in latencies], unit_ms=True))
        r.details = {"sent": sent, "stored": got, "dropped_values": dropped, "stuck_after_s": round(seen_stuck, 2),
                     "full_reported": full_reported, "max_queued_frames": max_queued,
                     "resumed_after_s": round(cleared, 2), "accepted_while_full": accepted_while_full,
                     "load_records": load.sent, "stderr": c.stderr()[-600:]}
        check(got == sent, "%d increments accepted, %d stored (storage.dropped_values %s)" % (sent, got, dropped))
        check(full_reported, "a real ENOSPC never set storage.full (docs/storage.md: the writer reports \"storage "
                             "full\"); no \"storage full\" warning on stderr either" if "storage full" not in c.stderr()
              else "storage.full never true in stats, though stderr warned")
    finally:
        if c is not None and c.alive():
            c.stop()
        subprocess.run(["umount", "-l", mnt], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if mnt in _mounts:
            _mounts.remove(mnt)


# ---------------------------------------------------------------------------------------------------------------------
# 5. SIGSTOP under load


def scenario_sigstop(ctx, r):
    stop_s = ctx.pick(5, 30)
    root = ctx.tmpdir("sigstop")
    c = Collector(ctx, root)
    check(c.start(), "perfdashd did not start: " + c.stderr()[-500:])
    c.wait_stats(lambda s: True, 10, "stats")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    addr = ("127.0.0.1", c.udp_port)
    # One datagram: one counter increment (what we count) and 9 timer lines over 100 series.
    rng = random.Random(5)
    payloads = [("rel.stop:1|c\n" + "".join("rel.stopload:%d|ms|#s:%d\n" % (rng.randint(1, 999), rng.randint(0, 99))
                                            for _ in range(9))).encode() for _ in range(64)]
    sent = 0
    errors = 0

    def blast(seconds, per_second):
        nonlocal sent, errors
        end = time.monotonic() + seconds
        nxt = time.monotonic()
        step = 1.0 / per_second
        while time.monotonic() < end and not _stop_threads.is_set():
            for _ in range(10):
                try:
                    sock.sendto(payloads[sent % 64], addr)
                    sent += 1
                except OSError:
                    errors += 1
            nxt += 10 * step
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)

    sub = LiveSubscriber(c.live)
    sub.start()
    blast(2.0, 1000)
    before = c.stats()
    sent_before = sent
    os.kill(c.pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        # While stopped, send more than the socket's 16 MiB buffer can hold, so the kernel must drop.
        blast(stop_s, ctx.pick(8000, 3000))
    finally:
        os.kill(c.pid, signal.SIGCONT)
    resumed = time.monotonic()
    sent_stopped = sent - sent_before
    _, recovered = wait_until(lambda: c.stats(timeout=2), 30, interval=0.05)
    blast(2.0, 1000)
    sock.close()
    s = c.wait_stats(lambda s: s["datagrams"] + flat(s, "kernel_drops.udp", 0) + flat(s, "oversize_datagrams.udp", 0)
                     >= sent, 30, "every datagram accounted for (received or counted as a kernel drop)")
    drops = flat(s, "kernel_drops.udp", 0)
    received = s["datagrams"]
    late = s["late_samples"]
    frames_after = [sec for t, sec in sub.frames if t >= resumed]
    sub.finish()
    check(c.stop() == 0, "exit status %s" % c.rc)
    stored = stored_after_clean_stop(c.db)
    got = stored.total("rel.stop")
    check(errors == 0, "%d sends failed" % errors)
    check(received + drops == sent, "%d sent, %d received + %d kernel drops" % (sent, received, drops))
    check(not stored.duplicates, "buckets stored twice: %s" % stored.duplicates[:5])
    check(got == received, "%d increments received, %d stored" % (received, got))
    check(frames_after, "the live subscriber got no frame after SIGCONT")
    r.times = 1
    r.did = "SIGSTOP %d s under UDP load (1000 datagrams/s of 10 lines; %d datagrams sent while stopped), SIGCONT" % (
        stop_s, sent_stopped)
    r.lost = "%d datagrams dropped by the kernel, all counted (sent %d = received %d + kernel_drops %d); late_samples " \
             "%d; %d/%d received increments stored; no bucket twice" % (drops, sent, received, drops, late, got,
                                                                      received)
    r.timing = "stats answered %.2f s after SIGCONT; live frames resumed" % recovered
    r.details = {"stop_s": stop_s, "sent": sent, "received": received, "kernel_drops": drops, "late_samples": late,
                 "stored": got, "recover_s": round(recovered, 3), "sent_while_stopped": sent_stopped, "stopped_for_s": round(resumed - stopped_at, 2),
                 "datagrams_before_stop": before["datagrams"], "buckets_checked": stored.buckets}


# ---------------------------------------------------------------------------------------------------------------------
# 6. Clock steps (libfaketime)


def scenario_clock_steps(ctx, r):
    lib = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)
    if lib is None:
        raise Skip("libfaketime not installed (Debian package faketime; tools/dev/install-deps.sh installs it)")
    root = ctx.tmpdir("clock")
    control = os.path.join(root, "faketime")
    with open(control, "w") as f:
        f.write("+0\n")
    # The wall clock (CLOCK_REALTIME) steps as an NTP step would; the monotonic clock Qt's timers use does not.
    env = {"LD_PRELOAD": lib, "FAKETIME_TIMESTAMP_FILE": control, "FAKETIME_NO_CACHE": "1",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_DONT_RESET": "1"}
    c = Collector(ctx, root, env=env, extra=["--no-sampling"])
    check(c.start(timeout=30), "perfdashd under libfaketime did not start: " + c.stderr()[-500:])
    c.wait_stats(lambda s: True, 10, "stats")
    sub = LiveSubscriber(c.live, marker=b'"key":"rel.clock"')
    sub.start()
    sender = UdpCounter(c.udp_port, "rel.clock")
    stop = threading.Event()

    def pump():
        end = time.monotonic() + 600
        while not stop.is_set() and time.monotonic() < end:
            sender.send()
            time.sleep(0.01)

    th = threading.Thread(target=pump, daemon=True)
    th.start()
    hold = ctx.pick(3, 10)
    big = ctx.pick(10, 30)
    # (faked offset, step in seconds); a step back is held until the counter shows in frames again.
    steps = [(0, 0), (big, big), (0, -big), (-big // 2, -big // 2), (0, big // 2)]
    observed = []
    try:
        for offset, step in steps:
            with open(control, "w") as f:
                f.write("%+d\n" % offset)
            changed = time.monotonic()

            def seen():  # a frame whose second is near real time + offset
                return any(t >= changed and abs(sec - (time.time() + offset)) <= 3 for t, sec in sub.frames[-5:])

            _, took = wait_until(seen, 10, interval=0.1)
            ok = seen()
            late0 = c.stats()["late_samples"]
            recovered = None
            if step < 0:
                # Seconds before the newest one aggregated are late: the counter is dropped (and counted) until the
                # faked clock passes where it was. Wait for a frame holding the counter again.
                got, recovered = wait_until(lambda: any(t >= changed + 1.5 for t, _ in sub.marked[-3:]),
                                            -step + 15, interval=0.1)
                recovered = recovered if got else None
            wait_until(lambda: time.monotonic() - changed >= hold, hold + 1, interval=0.1)
            s = c.stats()
            observed.append({"offset": offset, "step_s": step, "frames_follow": ok, "seen_after_s": round(took, 2),
                             "counter_back_after_s": None if recovered is None else round(recovered, 1),
                             "late_samples_during": s["late_samples"] - late0, "late_samples": s["late_samples"],
                             "lines_accepted": s["lines_accepted"]})
            check(c.alive(), "perfdashd died after the clock step to %+d s" % offset)
    finally:
        stop.set()
        th.join(timeout=10)
        sender.close()
    sent = len(sender.times)
    s = c.wait_stats(lambda s: s["lines_accepted"] >= sent, 10, "all accepted")
    gap = sub.max_gap()
    sub.finish()
    check(c.stop() == 0, "exit status %s" % c.rc)
    stored = stored_after_clean_stop(c.db)
    got = stored.total("rel.clock")
    late = s["late_samples"]
    r.times = len(steps) - 1
    r.did = "wall clock stepped +%d s, back %d s, back %d s more, forward %d s (libfaketime; monotonic clock not " \
            "faked) under a UDP counter at 100/s" % (big, big, big // 2, big // 2)
    r.lost = "%d of %d increments not stored; late_samples %d (the counter's and the collector's own series); " \
             "no bucket twice in %d stored buckets" % (sent - got, sent, late, stored.buckets)
    r.timing = "frames followed each step within %s s; after a step back the counter was aggregated again after " \
               "%s s; largest gap between live frames %.1f s" % (
                   "/".join("%.1f" % o["seen_after_s"] for o in observed),
                   "/".join("%s" % o["counter_back_after_s"] for o in observed if o["step_s"] < 0), gap or 0)
    r.details = {"steps": observed, "sent": sent, "stored": got, "late_samples": late,
                 "max_frame_gap_s": round(gap or 0, 2)}
    check(not stored.duplicates, "buckets stored twice: %s" % stored.duplicates[:5])
    check(all(o["frames_follow"] for o in observed),
          "the collector's frames did not follow the faked clock: %s" % observed)
    check(got <= sent, "%d stored > %d sent" % (got, sent))
    check(sent - got <= late, "%d increments lost but only %d late samples counted" % (sent - got, late))
    check(all(o["counter_back_after_s"] is not None for o in observed if o["step_s"] < 0),
          "after a step back the counter never came back in frames: %s" % observed)


# ---------------------------------------------------------------------------------------------------------------------
# 7. live.sock churn and a stuck subscriber


def scenario_live_churn(ctx, r):
    n = ctx.pick(200, 1000)
    root = ctx.tmpdir("livechurn")
    c = Collector(ctx, root)
    check(c.start(), "perfdashd did not start: " + c.stderr()[-500:])
    c.wait_stats(lambda s: True, 10, "stats")
    # Baseline once the sampler's first rounds are done: the least of a few readings (a /proc read may be open).
    wait_until(lambda: c.stats()["uptime_s"] >= 2, 10, interval=0.2)
    baseline = min(c.fd_count() for _ in range(5))
    started = time.monotonic()
    kinds = {"close at once": 0, "read hello, close": 0, "request, close before answer": 0, "half-read frame": 0,
             "held open in a batch": 0}
    peak = baseline
    held = []
    batch = ctx.pick(50, 200)
    for i in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        k = i % 5
        try:
            s.connect(c.live)
            if k == 1:
                s.recv(4096)
            elif k == 2:
                s.sendall(b'{"type":"request","id":1,"method":"stats"}\n')
            elif k == 3:
                s.recv(16)
            elif k == 4:
                held.append(s)
            kinds[list(kinds)[k]] += 1
        finally:
            if k != 4:
                s.close()
        if len(held) >= batch // 5 or (i == n - 1 and held):
            # Each held connection read its hello: the collector accepted it.
            for h in held:
                h.recv(4096)
            peak = max(peak, c.fd_count())
            for h in held:
                h.close()
            held = []
    # The accept queue is in order: once a last connection gets its hello, every one before it was accepted.
    hello, _ = live_request(c.live, "stats")
    churn_s = time.monotonic() - started
    s = c.stats()
    fds, settle = wait_until(lambda: c.fd_count() if c.fd_count() <= baseline else None, 15, interval=0.1)
    after = c.fd_count()
    check(fds is not None, "fd count %d did not return to its baseline %d within 15 s" % (after, baseline))

    # A stuck subscriber: connects, never reads, while many series fill every frame.
    series = 10000
    stuck_s = ctx.pick(15, 40)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    addr = ("127.0.0.1", c.udp_port)
    lines = ["rel.fan.%d:%d|ms" % (i, i % 97 + 1) for i in range(series)]
    datagrams = ["\n".join(lines[i:i + 40]).encode() for i in range(0, series, 40)]
    rounds = 0

    def fan_out():
        nonlocal rounds
        for d in datagrams:
            udp.sendto(d, addr)
        rounds += 1

    fan_out()
    c.wait_stats(lambda s: s["series"] >= series, 15, "%d series" % series)
    good = LiveSubscriber(c.live)
    good.start()
    wait_until(lambda: len(good.frames) >= 2, 10, interval=0.1)
    rss_base = c.rss_kb()
    stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.connect(c.live)
    stuck_at = time.monotonic()
    rss_max = rss_base
    subs_seen = []
    disconnected_after = None
    good_bytes_at = good.bytes
    try:
        end = stuck_at + stuck_s
        nxt = time.monotonic()
        while time.monotonic() < end:
            fan_out()
            rss_max = max(rss_max, c.rss_kb())
            st = c.stats()
            subs_seen.append(st["subscribers"])
            # The stats connection, the good subscriber and (while it lasts) the stuck one.
            if disconnected_after is None and st["subscribers"] <= 2:
                disconnected_after = time.monotonic() - stuck_at
            nxt += 1.0
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)
        stuck_frames = len([1 for t, _ in good.frames if t >= stuck_at])
        gap = good.max_gap(since=stuck_at)
        final = c.wait_stats(lambda s: s["lines_accepted"] >= rounds * series, 15, "every fan-out line accepted")
    finally:
        stuck.close()
        good.finish()
        udp.close()
    backlog_bytes = good.bytes - good_bytes_at  # what the stuck subscriber was sent too (same frames)
    check(c.stop() == 0, "exit status %s" % c.rc)
    growth_mb = (rss_max - rss_base) / 1024.0
    check(stuck_frames >= stuck_s - 3, "the other subscriber got %d frames in %d s" % (stuck_frames, stuck_s))
    check(gap is not None and gap <= 3.0, "the other subscriber waited %.1f s for a frame" % (gap or -1))
    check(growth_mb <= 16 + 48, "RSS grew %.1f MiB with a stuck subscriber (bound: 16 MiB backlog + 48)" % growth_mb)
    expect_cut = backlog_bytes > (16 + 4) * 1024 * 1024
    if expect_cut:
        check(disconnected_after is not None,
              "the stuck subscriber was sent %.1f MiB but not disconnected (16 MiB bound)" % (backlog_bytes / 2**20))
    r.times = n
    r.did = "%d live.sock connect/disconnect (5 kinds), then a subscriber that never reads for %d s beside a " \
            "reading one, %d series a frame" % (n, stuck_s, series)
    r.lost = "none: fds back to baseline %d (peak %d during churn, %d after, settled in %.1f s); other subscriber %d frames in %d s, " \
             "max gap %.1f s; RSS +%.1f MiB; stuck one %s" % (
                 baseline, peak, after, settle, stuck_frames, stuck_s, gap, growth_mb,
                 ("disconnected after %.0f s (%.1f MiB of frames)" % (disconnected_after, backlog_bytes / 2**20))
                 if disconnected_after is not None else
                 "still connected (%.1f MiB of frames sent, under the 16 MiB bound + buffers)" % (backlog_bytes / 2**20))
    r.timing = "churn %.2f s (%.0f connections/s), stats answered right after it" % (churn_s, n / churn_s)
    r.details = {"connections": kinds, "fd_baseline": baseline, "fd_peak": peak, "fd_after": after, "fd_settle_s": round(settle, 2),
                 "rss_base_kb": rss_base, "rss_max_kb": rss_max, "stuck_s": stuck_s, "frames_other": stuck_frames,
                 "max_gap_s": round(gap or 0, 2), "frame_bytes_sent_s": backlog_bytes,
                 "stuck_disconnected_after_s": disconnected_after, "subscribers_seen": subs_seen[:80],
                 "lines_accepted": final["lines_accepted"], "stats_during": s["uptime_s"]}


# ---------------------------------------------------------------------------------------------------------------------
# 8. Concurrent producers on ingest.sock


def scenario_producers(ctx, r):
    producers = ctx.pick(20, 100)
    per = ctx.pick(5000, 10000)
    root = ctx.tmpdir("producers")
    c = Collector(ctx, root)
    check(c.start(), "perfdashd did not start: " + c.stderr()[-500:])
    before = c.wait_stats(lambda s: True, 10, "stats")
    barrier = threading.Barrier(producers, timeout=30)
    errors = []
    done = [0] * producers

    retried = [0] * producers

    def produce(i):
        try:
            # A full listen backlog answers EAGAIN to a non-blocking connect: retry, as the SDKs do, and count it.
            end = time.monotonic() + 20
            while True:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(60)
                try:
                    s.connect(c.ingest)
                    break
                except BlockingIOError:
                    s.close()
                    retried[i] += 1
                    if time.monotonic() > end:
                        raise
                    time.sleep(0.01)
            barrier.wait()
            record = b'{"type":"metric","name":"rel.prod","kind":"counter","value":1,"tags":{"p":"%d"}}\n' % i
            for chunk in range(0, per, 50):
                s.sendall(record * min(50, per - chunk))
                done[i] += min(50, per - chunk)
            s.close()
        except (OSError, threading.BrokenBarrierError) as e:
            errors.append("producer %d: %s" % (i, e))

    started = time.monotonic()
    threads = [threading.Thread(target=produce, args=(i,), daemon=True) for i in range(producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    sent_s = time.monotonic() - started
    total = sum(done)
    base_acc = before["records_accepted"]
    base_rej = before["records_rejected"]
    s = c.wait_stats(lambda s: s["records_accepted"] + s["records_rejected"] >= base_acc + base_rej + total, 60,
                     "every record accepted or rejected")
    took = time.monotonic() - started
    accepted = s["records_accepted"] - base_acc
    rejected = s["records_rejected"] - base_rej
    check(c.stop() == 0, "exit status %s" % c.rc)
    stored = stored_after_clean_stop(c.db)
    per_producer = [stored.total("rel.prod|p:%d" % i) for i in range(producers)]
    short = [(i, n) for i, n in enumerate(per_producer) if n != done[i]]
    check(not errors, "; ".join(errors[:5]))
    check(total == producers * per, "%d of %d records sent" % (total, producers * per))
    check(accepted == total and rejected == 0, "%d sent, %d accepted, %d rejected" % (total, accepted, rejected))
    check(not short, "producers whose stored count differs from what they sent: %s" % short[:10])
    check(not stored.duplicates, "buckets stored twice: %s" % stored.duplicates[:5])
    r.times = producers
    r.did = "%d concurrent producers on ingest.sock, %d records each" % (producers, per)
    r.lost = "none: %d sent, %d accepted, %d rejected, %d stored" % (total, accepted, rejected, sum(per_producer))
    r.timing = "sent in %.2f s, all accepted after %.2f s (%.0f records/s); %d producers found the listen " \
               "backlog full and retried their connect (%d retries)" % (sent_s, took, total / took,
                                                                     sum(1 for x in retried if x), sum(retried))
    r.details = {"producers": producers, "per_producer": per, "accepted": accepted, "rejected": rejected,
                 "stored": sum(per_producer), "send_s": round(sent_s, 2), "accept_s": round(took, 2),
                 "connect_retries": sum(retried), "producers_retrying": sum(1 for x in retried if x)}


# ---------------------------------------------------------------------------------------------------------------------
# 9. Oversized and malformed input everywhere


VALID_RULES = {"model_id": "m1", "alert_rules": [
    {"metric": "latency_p95", "condition": "above", "threshold": 100, "window": "15m", "severity": "warning"}]}


def _http(addr, raw, timeout=5.0):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        if raw:
            s.sendall(raw)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and b"Content-Length" not in data.split(b"\r\n\r\n", 1)[0]:
                break
            head, _, body = data.partition(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:") and len(body) >= int(line.split(b":")[1]):
                    return data
        return data
    finally:
        s.close()


def _status(response):
    first = response.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) > 1 and first[1].isdigit() else None


def scenario_malformed(ctx, r):
    root = ctx.tmpdir("malformed")
    rules = os.path.join(root, "rules.json")
    with open(rules, "w") as f:
        json.dump(VALID_RULES, f)
    c = Collector(ctx, root, extra=["--http", "127.0.0.1:0", "--rules", rules])
    check(c.start(), "perfdashd did not start: " + c.stderr()[-500:])
    s0 = c.wait_stats(lambda s: True, 10, "stats")
    rng = random.Random(9)
    found = []
    ok_expected = 0  # valid increments of rel.mal.ok sent after garbage

    # UDP: garbage, huge datagrams, hostile lines; then one valid line.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    addr = ("127.0.0.1", c.udp_port)
    udp_bad = [os.urandom(rng.randint(1, 1400)) for _ in range(50)]
    udp_bad += [b"a" * 65000, b"x:" + b"9" * 60000 + b"|c", b"", b"\n\n\n", b"\xff\xfe\xfd:1|c", b"a:1|c|#" + b"t:v," * 5000,
                b"a:nan|ms", b"a:1e999|c", b"a:-5|ms", b"a:1|c|@0", b"a:1|c|@-1", b"_e{999999,1}:x|y",
                b"_sc|x|9", b"a:1|zz", b"a\x00b:1|c", b"a:1|c|T-1", b"a:1|c|T99999999999", b":1|c", b"a:|c",
                b"a:1:2:3:" + b"4:" * 20000 + b"5|ms"]
    for d in udp_bad:
        udp.sendto(d, addr)
    udp.sendto(b"rel.mal.ok:1|c", addr)
    ok_expected += 1
    s = c.wait_stats(lambda s: s["datagrams"] >= s0["datagrams"] + len(udp_bad) + 1, 10, "every UDP datagram seen")
    udp_rejected = s["lines_rejected"] - s0["lines_rejected"]
    check(udp_rejected > 0, "no UDP line counted as rejected")
    found.append("UDP: %d datagrams, %d lines rejected" % (len(udp_bad), udp_rejected))
    udp.close()

    # dsd.socket: the same over the Unix datagram socket, plus one larger than the 64 KiB read.
    s1 = s
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    dsd_sent = 0
    dsd_refused = 0
    for d in udp_bad + [b"b" * 100000]:
        try:
            u.sendto(d, c.dsd)
            dsd_sent += 1
        except OSError:
            dsd_refused += 1
    u.sendto(b"rel.mal.ok:1|c", c.dsd)
    dsd_sent += 1
    ok_expected += 1
    s = c.wait_stats(lambda s: s["datagrams"] + flat(s, "oversize_datagrams.unix", 0)
                     >= s1["datagrams"] + flat(s1, "oversize_datagrams.unix", 0) + dsd_sent, 10,
                     "every dsd.socket datagram seen")
    u.close()
    found.append("dsd.socket: %d datagrams, %d oversize counted, %d lines rejected%s" % (
        dsd_sent, flat(s, "oversize_datagrams.unix", 0), s["lines_rejected"] - s1["lines_rejected"],
        (", %d refused by the kernel at send" % dsd_refused) if dsd_refused else ""))

    # ingest.sock: hostile NDJSON, a line over 1 MiB, a connection that sends 3 MiB without a newline.
    s2 = s
    bad_records = [
        b"x" * (2 * 1024 * 1024), b"\xff\xfe garbage", b"{", b"[1,2,3]", b'{"type":"metric"}', b"[" * 100 + b"]" * 100,
        b'{"type":"metric","name":"a","kind":"timer","value":NaN}', b'{"type":"metric","type":"metric"}',
        b'{"type":"nope"}', b'{"type":"metric","name":"a","kind":"timer","value":1e999}',
        b'{"type":"metric","name":"a|b","kind":"counter","value":1}', b'{"type":"metric","name":"a","kind":"gauge",'
        b'"value":1,"tags":{"' + b"k" * 300 + b'":"v"}}', b'{"type":"metric","name":"\xc0\xaf","kind":"gauge","value":1}',
        b'{"type":"run","workflow":"w","start":1,"end":0,"success":true}', b'{"type":"metric","v":2}', b"\x00" * 100,
        b'{"type":"metric","name":"a","kind":"timer","value":1,"ts":99999999999}',
    ] + [os.urandom(500).replace(b"\n", b" ") for _ in range(20)]
    ing = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ing.settimeout(10)
    ing.connect(c.ingest)
    for rec in bad_records:
        ing.sendall(rec + b"\n")
    ing.sendall(b'{"type":"metric","name":"rel.mal.ok","kind":"counter","value":1}\n')
    ok_expected += 1
    ing.close()
    nl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    nl.settimeout(10)
    nl.connect(c.ingest)
    try:
        nl.sendall(b"y" * (3 * 1024 * 1024))
    except OSError:
        pass
    nl.close()
    s = c.wait_stats(lambda s: s["records_rejected"] >= s2["records_rejected"] + len(bad_records) + 1
                     and s["records_accepted"] >= s2["records_accepted"] + 1, 15, "every NDJSON line counted")
    reasons = flat(s, "records_rejected_by_reason", {})
    check(reasons.get("line_too_long", 0) >= 2, "line_too_long not counted: %s" % reasons)
    found.append("ingest.sock: %d bad lines + 3 MiB without newline -> %d rejected (%s)" % (
        len(bad_records), s["records_rejected"] - s2["records_rejected"],
        ", ".join("%s %d" % kv for kv in sorted(reasons.items()))))

    # live.sock: garbage requests, unknown methods, a 2 MiB line without a newline (the connection is closed).
    lv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lv.settimeout(1)
    lv.connect(c.live)
    for junk in [b"garbage\n", os.urandom(300).replace(b"\n", b" ") + b"\n", b'{"type":"request","id":1}\n',
                 b'{"type":"request","id":2,"method":"nope"}\n', b'{"type":"request","id":3,"method":"follow",'
                 b'"keys":[' + b",".join(b'"k%d"' % i for i in range(300)) + b"]}\n",
                 b'{"type":"request","id":4,"method":"subscribe","version":9}\n', b"[" * 1000 + b"\n"]:
        lv.sendall(junk)
    answers = b""
    end = time.monotonic() + 3
    while time.monotonic() < end and answers.count(b'"type":"response"') < 7:
        try:
            chunk = lv.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        answers += chunk
    lv.close()
    errors_answered = answers.count(b'"error"')
    # At least the four well-formed JSON requests (no method, unknown method, 300 follow keys, version 9) get one.
    check(errors_answered >= 4, "live.sock: %d error answers to 7 bad requests" % errors_answered)
    big = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    big.settimeout(10)
    big.connect(c.live)
    closed = False
    try:
        big.sendall(b"z" * (2 * 1024 * 1024))
        end = time.monotonic() + 5
        while time.monotonic() < end:
            chunk = big.recv(65536)
            if not chunk:
                closed = True
                break
    except OSError:
        closed = True
    big.close()
    check(c.stats() is not None, "live.sock: stats after garbage")
    check(closed, "live.sock: a 2 MiB request line did not close the connection")
    found.append("live.sock: 7 bad requests -> %d error answers; 2 MiB line -> connection closed" % errors_answered)

    # HTTP: garbage, a 100 KiB header, bad parameters, 20 connections at once; /metrics still answers.
    check(c.http, "no http= in the ready line")
    g = _http(c.http, os.urandom(2000))
    big_header = _http(c.http, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (100 * 1024) + b"\r\n\r\n")
    bad_window = _status(_http(c.http, b"GET /api/v1/monitoring/performance/m1?window=5x HTTP/1.1\r\nHost: x\r\n"
                                       b"Connection: close\r\n\r\n"))
    bad_path = _status(_http(c.http, b"GET /%00%ff/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    idle = []
    for _ in range(20):
        host, port = c.http.rsplit(":", 1)
        idle.append(socket.create_connection((host, int(port)), timeout=5))
    over = _http(c.http, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for sk in idle:
        sk.close()
    ok_metrics = None

    def metrics_ok():
        return _status(_http(c.http, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200

    ok_metrics, _ = wait_until(metrics_ok, 15, interval=0.2)
    check(ok_metrics, "/metrics does not answer 200 after the hostile requests")
    check(bad_window == 400, "a bad window answered %s, not 400" % bad_window)
    found.append("HTTP: garbage -> %r, 100 KiB header -> %r, bad window -> %s, bad path -> %s, 21st connection -> %s, "
                 "/metrics 200 after" % (g.split(b"\r\n", 1)[0][:40].decode(errors="replace") or "closed",
                                         big_header.split(b"\r\n", 1)[0][:40].decode(errors="replace") or "closed",
                                         bad_window, bad_path, _status(over) or "closed"))

    # Rules file: replaced by garbage while running (refused, the running rules keep running).
    refused0 = flat(c.stats(), "alerts.rules_refused", 0)
    tmp = rules + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b'{"model_id": "m1", "alert_rules": [{"metric": "latency_p95", "condition": "sideways"}]}')
    os.replace(tmp, rules)
    s = c.wait_stats(lambda s: flat(s, "alerts.rules_refused", 0) > refused0, 15, "the broken rules file refused")
    rules_error = flat(s, "alerts.rules_error", "")
    check(flat(s, "alerts.rules", 0) == 1, "the running rule stopped: alerts.rules = %s" % flat(s, "alerts.rules"))
    with open(tmp, "wb") as f:
        f.write(os.urandom(4096))
    os.replace(tmp, rules)
    s = c.wait_stats(lambda s: flat(s, "alerts.rules_refused", 0) > refused0 + 1, 15, "binary rules file refused")
    found.append("rules file: two broken versions refused (%r), the running rule kept" % rules_error[:100])

    # Import files: garbage into the running collector's database (nothing written, the collector unaffected).
    import_cases = {
        "binary.csv": os.urandom(20000),
        "badline.csv": b"time,series,count\n2026-12-06T00:00:00Z,a,1\n2026-12-06T00:00:01Z,a,notanumber\n",
        "huge-line.csv": b"time,series,count\n" + b"9" * (5 * 1024 * 1024) + b"\n",
        "bad.prom": b"# TYPE x counter\nx{a=\"1\" 1 1700000000\nx 1 notatime\n",
    }
    import_results = []
    for name, data in import_cases.items():
        path = os.path.join(root, name)
        with open(path, "wb") as f:
            f.write(data)
        rc, out, err = run_perfdashd(ctx, ["import", "--db", c.db, path], env=c.env())
        check(exited_cleanly_or_with_error(rc), "import %s: killed by signal %d" % (name, -rc))
        check(rc != 0, "import %s: exit status 0 for a bad file" % name)
        import_results.append("%s exit %d" % (name, rc))
    rc, out, err = run_perfdashd(ctx, ["rules", "check", rules])
    check(rc == 1, "rules check of a binary file: exit %d" % rc)
    found.append("import: %s; rules check binary -> exit %d" % (", ".join(import_results), rc))

    # After everything: alive, still counting; one more valid increment on each socket.
    check(c.alive(), "perfdashd died")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"rel.mal.ok:1|c", addr)
    udp.close()
    ok_expected += 1
    s = c.wait_stats(lambda s: True, 5, "final stats")
    check(c.stop() == 0, "exit status %s" % c.rc)
    stored = stored_after_clean_stop(c.db)
    got = stored.total("rel.mal.ok")
    check(got == ok_expected, "%d valid increments sent between the garbage, %d stored" % (ok_expected, got))
    # A collector started on a broken rules file: a clear error, not a crash.
    with open(rules, "wb") as f:
        f.write(b"{not json")
    c2 = Collector(ctx, ctx.tmpdir("malformed-rules"), extra=["--rules", rules])
    ok = c2.start()
    if ok:
        c2.stop()
        raise Failed("perfdashd started on a broken --rules file")
    err = c2.stderr().strip()
    check(c2.rc == 1 and os.path.basename(rules) in err, "broken --rules at start: exit %s, %r" % (c2.rc, err[-300:]))
    found.append("--rules broken at start: exit 1, %r" % err.splitlines()[-1][:120])
    r.times = len(udp_bad) + dsd_sent + len(bad_records) + 7 + 5 + 2 + len(import_cases)
    r.did = "garbage, oversize and hostile input on UDP, dsd.socket, ingest.sock, live.sock, HTTP, the rules file " \
            "and import files"
    r.lost = "none: %d/%d valid increments sent between the garbage stored" % (got, ok_expected)
    r.timing = "collector alive and answering throughout"
    r.details = {"findings": found, "http_garbage": g[:80].decode(errors="replace")}


# ---------------------------------------------------------------------------------------------------------------------

SCENARIOS = [
    ("kill9", scenario_kill9),
    ("corrupt-locked", scenario_corrupt_and_locked),
    ("permissions", scenario_permissions),
    ("disk-full", scenario_disk_full),
    ("sigstop", scenario_sigstop),
    ("clock-steps", scenario_clock_steps),
    ("live-churn", scenario_live_churn),
    ("producers", scenario_producers),
    ("malformed", scenario_malformed),
]


def machine():
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "?"
    return {"cpus": os.cpu_count(), "loadavg": load, "kernel": os.uname().release, "euid": os.geteuid()}


def main():
    parser = argparse.ArgumentParser(description="perfdash reliability suite (issue 18)")
    parser.add_argument("--short", action="store_true", help="the CI version: fewer repetitions, under ~3 minutes")
    parser.add_argument("--bin", required=True, help="folder with perfdashd")
    parser.add_argument("--report", help="write a JSON summary here")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable): " +
                        ", ".join(n for n, _ in SCENARIOS))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    ctx = Context(args)
    if not os.access(ctx.perfdashd, os.X_OK):
        print("FAIL setup: no perfdashd in %s" % ctx.bin)
        return 2
    wanted = [(n, f) for n, f in SCENARIOS if not args.only or n in args.only]
    results = []
    started = time.monotonic()
    print("perfdash reliability suite, %s, %s in %s" % ("short" if args.short else "long", ctx.perfdashd, ctx.base),
          flush=True)
    try:
        for name, fn in wanted:
            r = Result(name)
            t = time.monotonic()
            try:
                fn(ctx, r)
            except Skip as e:
                r.status = "SKIP"
                r.reason = str(e)
            except Failed as e:
                r.status = "FAIL"
                r.reason = str(e)
            except Exception as e:  # a bug in the driver or an unexpected answer: a failure, with its cause
                r.status = "FAIL"
                r.reason = "%s: %s" % (type(e).__name__, e)
            finally:
                # Nothing a scenario started outlives it.
                for p in list(_children):
                    if p.poll() is None:
                        p.kill()
                        p.wait(timeout=5)
                    _children.remove(p)
            r.wall_s = time.monotonic() - t
            results.append(r)
            print(r.line(), flush=True)
    finally:
        cleanup()
    wall = time.monotonic() - started
    failed = [r for r in results if r.status == "FAIL"]
    print("%d passed, %d failed, %d skipped in %.1f s" % (
        sum(r.status == "PASS" for r in results), len(failed), sum(r.status == "SKIP" for r in results), wall))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"mode": "short" if args.short else "long", "wall_s": round(wall, 1), "machine": machine(),
                       "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "bin": ctx.bin,
                       "results": [r.as_json() for r in results]}, f, indent=1)
    if args.keep or failed:
        print("temporary folders kept in %s" % ctx.base)
    else:
        shutil.rmtree(ctx.base, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
