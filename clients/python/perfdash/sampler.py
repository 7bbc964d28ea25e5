# SPDX-License-Identifier: GPL-3.0-or-later
"""Sampler: calls a sample function on a background thread, the first time at once and then every interval.

    with perfdash.Sampler(interval=1.0) as sampler:     # default: samples this process, sends `sample` records
        run_pipeline()
    sampler.samples                                     # kept, also when the block raised
    sampler.entries                                     # the same samples with their time: .ts, .timestamp, .value

    @perfdash.Sampler(interval=0.5)                     # as a decorator: samples while the function runs
    def train(): ...

    with perfdash.Sampler(read_gpu, series="gpu"):      # your samples' numbers as gauges gpu.MEMBER
        with perfdash.Run("train"):                     # the run record carries the samples as `telemetry`
            ...

Each sample is stamped when the sample function returns: `ts` (Unix seconds, from the clock) and `timestamp` (ISO 8601
with the local UTC offset, '2026-12-06T10:00:00.250+01:00'). `samples` keeps the values as the function returned
them, as before; `entries` holds a TimedSample per sample (ts, timestamp, value), in the same order and under the same
max_samples bound. A ProcessSample also carries its own `ts` and `timestamp`.

While it runs, the sampler is this context's current sampler (current_sampler()): a Run started in the same context
(thread or task) carries the samples taken from its start to its end, flattened (docs/protocol.md, `run`); so does a
Run in progress when the sampler starts. With `series=PREFIX`, each numeric or boolean member of a sample of your
function is sent as a `metric` gauge PREFIX.MEMBER with the sample's ts and the sampler's tags, in one write per
sample; without it your samples are not sent.

Defaults: interval 1 s and stop_timeout 2 s, where the seed's sampler has 60 s and 30 s: a live dashboard wants a
point a second, and a stop that holds up the program's exit for 30 s is too long. The seed's names
telemetry_interval= and telemetry_timeout= are accepted as aliases (giving both names of one option is a TypeError),
so Sampler(telemetry_interval=60, telemetry_timeout=30) is the seed's behaviour.

Each sample is handed to the runs that carry it (and sent as series) before it is kept in `entries`: once
`entries` holds N samples, every run that was listening has them. wait_for(n, timeout) waits for that without polling.

stop() waits at most stop_timeout; a sample function that hangs past it is left to finish on its daemon thread.
On the main thread, start() installs SIGINT and SIGTERM handlers that stop the sampler and then hand the signal on to
the handler that was there before (KeyboardInterrupt, or the default action); stop() puts the previous handlers back.
The handler itself neither waits nor locks (the code it interrupted may hold the sampler's lock): it tells the thread
to end after the sample in hand, and the next stop() waits for that. Off the main thread start() warns and leaves the
signal handlers alone. In a forked child a sampler is not running (its thread stayed in the parent); it can be
started there afresh.
"""
from __future__ import annotations

import functools
import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from . import _config, _fork
from ._clock import Clock
from ._format import finite, iso_local, sanitize_name, sanitize_tags
from ._telemetry import TelemetryBuffer, sample_fields, sampler_var, telemetry_entry
from .records import RecordsClient, default_records, flush_default_nowait
from .run import current_run

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
DEFAULT_INTERVAL = 1.0  # s
DEFAULT_STOP_TIMEOUT = 2.0  # s
_UNSET: Any = object()


@dataclass
class ProcessSample:
    """One resource sample of a process, as in the `sample` record."""
    time: float  # Unix seconds
    pid: int
    cpu_percent: float  # % of one core since the previous sample (the first: since the process started)
    rss_mb: float
    vms_mb: float
    threads: int
    timestamp: str = ""  # `time` in ISO 8601 with the local UTC offset

    @property
    def ts(self) -> float:
        return self.time

    def _asdict(self) -> Dict[str, Any]:
        """The measurements, without the time: a run's telemetry entry carries that as ts and timestamp."""
        return {"pid": self.pid, "cpu_percent": max(0.0, self.cpu_percent), "rss_mb": self.rss_mb,
                "vms_mb": self.vms_mb, "threads": self.threads}

    def to_record(self, tags: Optional[Dict[str, str]] = None) -> dict:
        r = {"type": "sample", "v": 1, "ts": self.time, **self._asdict()}
        if tags:
            r["tags"] = sanitize_tags(tags)
        return r


class ProcessReader:
    """Reads /proc/<pid>/stat; keeps the previous CPU time to turn it into a percentage. One per sampler."""

    def __init__(self, pid: Optional[int] = None, wall: Callable[[], float] = time.time):
        self.pid = pid or os.getpid()
        self._wall = wall
        self._hz = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._previous: Optional[tuple] = None

    def read(self) -> ProcessSample:
        with open(f"/proc/{self.pid}/stat", "rb") as f:
            stat = f.read()
        # Fields after "(comm) ", from field 3: utime 14, stime 15, threads 20, starttime 22, vsize 23, rss 24.
        fields = stat[stat.rindex(b")") + 2:].split()
        cpu = (int(fields[11]) + int(fields[12])) / self._hz
        now = time.monotonic()
        if self._previous and now > self._previous[1]:
            percent = 100.0 * (cpu - self._previous[0]) / (now - self._previous[1])
        else:
            with open("/proc/uptime", "rb") as f:
                uptime = float(f.read().split()[0])
            age = uptime - int(fields[19]) / self._hz
            percent = 100.0 * cpu / age if age > 0 else 0.0
        self._previous = (cpu, now)
        wall = self._wall()
        return ProcessSample(time=wall, pid=self.pid, cpu_percent=percent,
                             rss_mb=int(fields[21]) * self._page / (1024.0 * 1024.0),
                             vms_mb=int(fields[20]) / (1024.0 * 1024.0), threads=int(fields[17]),
                             timestamp=iso_local(wall))


@dataclass
class TimedSample:
    """One sample with the time it was taken."""
    ts: float  # Unix seconds
    timestamp: str  # ISO 8601 with the local UTC offset
    value: Any  # what the sample function returned


def current_sampler() -> Optional["Sampler"]:
    """The Sampler running in this context (thread or task), if any: the one a Run started here takes samples from."""
    return sampler_var.get()


def series_records(prefix: str, ts: float, fields: Dict[str, Any], tags: Dict[str, str]) -> List[dict]:
    """A sample's numeric and boolean (as 1/0) members as `metric` gauges PREFIX.MEMBER; tags already sanitized."""
    out = []
    for member, value in fields.items():
        if isinstance(value, bool):
            value = int(value)
        elif not finite(value):
            continue
        r = {"type": "metric", "v": 1, "ts": ts, "name": sanitize_name(f"{prefix}.{member}"), "kind": "gauge",
             "value": value}
        if tags:
            r["tags"] = tags
        out.append(r)
    return out


def _either(name: str, value: Any, alias: str, alias_value: Any, default: Any) -> Any:
    """An option given by our name or by the seed's, not both."""
    if value is not _UNSET and alias_value is not _UNSET:
        raise TypeError(f"Sampler() got both {name}= and its alias {alias}=")
    if value is not _UNSET:
        return value
    return default if alias_value is _UNSET else alias_value


class Sampler:
    def __init__(self, sample: Optional[Callable[[], Any]] = None, *, interval: float = _UNSET,
                 stop_timeout: float = _UNSET, max_samples: int = 100000,
                 on_sample: Optional[Callable[[Any], None]] = None, records: Optional[RecordsClient] = None,
                 tags: Optional[Dict[str, str]] = None, handle_signals: bool = True, series: Optional[str] = None,
                 clock: Optional[Clock] = None, telemetry_interval: float = _UNSET, telemetry_timeout: float = _UNSET):
        """sample: a function returning one sample. Without one, this process is sampled from /proc and each sample
        is sent as a `sample` record (to records, else the default client) unless the SDK is off. series: send your
        function's samples as gauges under this prefix. clock: where the samples' ts come from. interval and
        stop_timeout (seconds) may also be given as telemetry_interval and telemetry_timeout."""
        interval = _either("interval", interval, "telemetry_interval", telemetry_interval, DEFAULT_INTERVAL)
        stop_timeout = _either("stop_timeout", stop_timeout, "telemetry_timeout", telemetry_timeout,
                               DEFAULT_STOP_TIMEOUT)
        self._clock = clock or Clock()
        if sample is None:
            if series is not None:
                raise TypeError("Sampler(series=...) names your sample function's series; the process sampler sends "
                                "`sample` records")
            sample, on_sample = self._process_sampling(on_sample, records, tags)
        self.interval = max(0.001, float(interval))
        self.stop_timeout = stop_timeout
        self.max_samples = max_samples
        self.handle_signals = handle_signals
        self.series = series
        self.samples: List[Any] = []
        self.entries: List[TimedSample] = []
        self.sample_errors = 0
        self.dropped_samples = 0
        self.stopped_by_signal: Optional[int] = None
        self._sample = sample
        self._on_sample = on_sample
        self._send_series = self._series_sender(series, records, tags) if series is not None else None
        # Reentrant: stop() may be called from a signal handler (a user's) that interrupted attach() on this thread.
        self._lock = threading.RLock()
        self._taken = threading.Condition(self._lock)  # notified when a sample is kept and when the thread ends
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._ending: Optional[threading.Thread] = None  # told to end by a signal; the next stop() waits for it
        self._previous_handlers: Dict[int, Any] = {}
        self._listeners: set = set()  # the TelemetryBuffers of the runs that take this sampler's samples
        self._context_token = None
        _fork.register(self)

    def _process_sampling(self, on_sample, records, tags):
        reader = ProcessReader(wall=self._clock.wall)
        if on_sample is None and _config.config().enabled:
            record_tags = dict(tags or {})

            def on_sample(s: ProcessSample) -> None:
                (records or default_records()).send(s.to_record(record_tags))
        return reader.read, on_sample

    @staticmethod
    def _series_sender(prefix: str, records: Optional[RecordsClient], tags: Optional[Dict[str, str]]):
        if not _config.config().enabled:
            return None
        clean_tags = sanitize_tags(tags)

        def send(ts: float, fields: Dict[str, Any]) -> None:
            batch = series_records(prefix, ts, fields, clean_tags)
            if batch:
                (records or default_records()).send_many(batch)
        return send

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Starts the thread, which samples at once, and makes this the context's current sampler; a Run in progress
        in this context takes its samples. False if it runs already."""
        if self._thread is not None:
            return False
        self._ending = None  # one a signal told to end, not stopped since: it ends on its own
        # A fresh event each time: a thread left behind by stop() keeps its own, set, and never resumes.
        self._stop = threading.Event()
        self.stopped_by_signal = None
        thread = threading.Thread(target=self._loop, args=(self._stop,), name="perfdash-sampler", daemon=True)
        self._thread = thread
        self._context_token = sampler_var.set(self)
        run = current_run()
        if run is not None:
            run.watch(self)  # before the thread starts, so the run gets the first sample too
        thread.start()
        if self.handle_signals:
            self._install_signal_handlers()
        return True

    def stop(self) -> bool:
        """Stops the thread, waiting at most stop_timeout. True when it ended in time (or was not running). After a
        signal stopped the sampler, waits for the thread the signal told to end."""
        self._restore_signal_handlers()
        self._tell_to_end()
        with self._lock:
            self._listeners.clear()
            self._taken.notify_all()
        return self._join_ending()

    def wait_for(self, count: int, timeout: Optional[float] = None) -> bool:
        """Waits until `entries` holds at least count samples, at most timeout seconds (None: no limit), and returns
        whether it does. Returns at once when the sampler is not running: no more samples will come."""
        with self._taken:
            self._taken.wait_for(lambda: len(self.entries) >= count or self._thread is None, timeout)
            return len(self.entries) >= count

    def attach(self, listener: TelemetryBuffer) -> bool:
        """listener.add(entry) gets each sample's telemetry entry from now until detach() or stop(). False (and
        nothing attached) when the sampler is not running."""
        with self._lock:
            if self._thread is None:
                return False
            self._listeners.add(listener)
            return True

    def detach(self, listener: TelemetryBuffer) -> None:
        """No entry reaches listener once this returns."""
        with self._lock:
            self._listeners.discard(listener)

    def measure(self, fn: Callable, *args, **kwargs):
        """Runs fn(*args, **kwargs) while sampling and returns its result; stops when fn returns or raises."""
        self.start()
        try:
            return fn(*args, **kwargs)
        finally:
            self.stop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return self.measure(fn, *args, **kwargs)

        return wrapper

    def __enter__(self) -> "Sampler":
        self.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.stop()
        return False

    def _loop(self, stop: threading.Event) -> None:
        next_time = time.monotonic()
        try:
            while True:
                try:
                    self._take()
                except Exception:
                    with self._lock:
                        self.sample_errors += 1
                next_time += self.interval
                now = time.monotonic()
                if next_time < now:
                    next_time = now  # a slow sample shifts the schedule instead of bursting to catch up
                if stop.wait(next_time - now):
                    return
        finally:
            with self._taken:
                self._taken.notify_all()  # wait_for() after a signal's stop: no more samples will come

    def _take(self) -> None:
        value = self._sample()
        entry = self._stamp(value)
        if self._on_sample is not None:
            self._on_sample(value)
        with self._lock:
            wanted = bool(self._listeners)
        if wanted or self._send_series is not None:
            self._publish(entry, sample_fields(value))
        with self._taken:  # kept after it was handed on: whoever sees it in entries knows the runs have it
            if len(self.samples) < self.max_samples:
                self.samples.append(value)
                self.entries.append(entry)
            else:
                self.dropped_samples += 1
            self._taken.notify_all()

    def _stamp(self, value: Any) -> TimedSample:
        if isinstance(value, ProcessSample):  # stamped by its reader when read: the sample record has the same ts
            return TimedSample(value.time, value.timestamp, value)
        ts = self._clock.wall()
        return TimedSample(ts, iso_local(ts), value)

    def _publish(self, entry: TimedSample, fields: Dict[str, Any]) -> None:
        with self._lock:
            for listener in self._listeners:
                listener.add(telemetry_entry(entry.ts, entry.timestamp, fields))  # each run its own dict
        if self._send_series is not None:
            self._send_series(entry.ts, fields)

    def _tell_to_end(self) -> None:
        """Tells the thread to end after the sample in hand, without locking or waiting, so a signal handler may call
        it; the sampler is stopped from then on, and _join_ending() waits for the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._ending = thread
        self._leave_context()
        self._stop.set()

    def _join_ending(self) -> bool:
        thread, self._ending = self._ending, None
        if thread is None:
            return True
        if thread is not threading.current_thread():
            thread.join(self.stop_timeout)
        if thread.is_alive():
            _config.log(30, "sampler: the sample function did not return within the stop timeout; its thread is "
                            "left to finish on its own")
            return False
        return True

    def _after_fork_in_child(self) -> None:
        # The thread stayed in the parent, and a lock it held stays held here: the child starts with neither.
        for listener in self._listeners:
            reset = getattr(listener, "_after_fork_in_child", None)
            if reset is not None:
                reset()  # its lock, which the parent's sampler thread may have held
        self._listeners = set()
        self._lock = threading.RLock()
        self._taken = threading.Condition(self._lock)
        self._thread = None
        self._ending = None
        self._stop = threading.Event()
        if self._context_token is not None and sampler_var.get() is self:
            sampler_var.set(None)  # the forking thread's context: no sampler runs here
        self._context_token = None

    def _leave_context(self) -> None:
        token, self._context_token = self._context_token, None
        if token is not None and sampler_var.get() is self:
            try:
                sampler_var.reset(token)
            except ValueError:
                pass  # stopped from another context: the value set in the starting one goes with that context

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            warnings.warn("perfdash.Sampler started off the main thread: SIGINT/SIGTERM handlers are not installed; "
                          "stop the sampler yourself", RuntimeWarning, stacklevel=3)
            return
        for signum in _SIGNALS:
            try:
                self._previous_handlers[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                pass

    def _restore_signal_handlers(self) -> None:
        if not self._previous_handlers or threading.current_thread() is not threading.main_thread():
            return
        for signum, previous in self._previous_handlers.items():
            try:
                if signal.getsignal(signum) == self._on_signal:  # someone else's handler since: leave it
                    signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
            except (ValueError, OSError):
                pass
        self._previous_handlers.clear()

    def _on_signal(self, signum, frame) -> None:
        # Runs on the main thread between two bytecodes of whatever it interrupted, which may hold self._lock or a
        # records client's lock (attach(), send()): nothing here waits for a lock or for the thread.
        previous = self._previous_handlers.get(signum, signal.SIG_DFL)
        self.stopped_by_signal = signum
        self._restore_signal_handlers()
        self._tell_to_end()
        try:
            flush_default_nowait()
        except Exception:
            pass
        if callable(previous):
            previous(signum, frame)  # e.g. KeyboardInterrupt for SIGINT
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signum)  # the default action (terminate) with the original signal
