# SPDX-License-Identifier: GPL-3.0-or-later
"""Sampler: calls a sample function on a background thread, the first time at once and then every interval.

    with perfdash.Sampler(interval=1.0) as sampler:     # default: samples this process, sends `sample` records
        run_pipeline()
    sampler.samples                                     # kept, also when the block raised

    @perfdash.Sampler(interval=0.5)                     # as a decorator: samples while the function runs
    def train(): ...

stop() waits at most stop_timeout; a sample function that hangs past it is left to finish on its daemon thread.
On the main thread, start() installs SIGINT and SIGTERM handlers that stop the sampler cleanly and then hand the
signal on to the handler that was there before (KeyboardInterrupt, or the default action); stop() puts the previous
handlers back. Off the main thread it warns and leaves the signal handlers alone.
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

from . import _config
from ._format import sanitize_tags
from .records import RecordsClient, default_records

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class ProcessSample:
    """One resource sample of a process, as in the `sample` record."""
    time: float  # Unix seconds
    pid: int
    cpu_percent: float  # % of one core since the previous sample (the first: since the process started)
    rss_mb: float
    vms_mb: float
    threads: int

    def to_record(self, tags: Optional[Dict[str, str]] = None) -> dict:
        r = {"type": "sample", "v": 1, "ts": self.time, "pid": self.pid, "cpu_percent": max(0.0, self.cpu_percent),
             "rss_mb": self.rss_mb, "vms_mb": self.vms_mb, "threads": self.threads}
        if tags:
            r["tags"] = sanitize_tags(tags)
        return r


class ProcessReader:
    """Reads /proc/<pid>/stat; keeps the previous CPU time to turn it into a percentage. One per sampler."""

    def __init__(self, pid: Optional[int] = None):
        self.pid = pid or os.getpid()
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
        return ProcessSample(time=time.time(), pid=self.pid, cpu_percent=percent,
                             rss_mb=int(fields[21]) * self._page / (1024.0 * 1024.0),
                             vms_mb=int(fields[20]) / (1024.0 * 1024.0), threads=int(fields[17]))


class Sampler:
    def __init__(self, sample: Optional[Callable[[], Any]] = None, *, interval: float = 1.0, stop_timeout: float = 2.0,
                 max_samples: int = 100000, on_sample: Optional[Callable[[Any], None]] = None,
                 records: Optional[RecordsClient] = None, tags: Optional[Dict[str, str]] = None,
                 handle_signals: bool = True):
        """sample: a function returning one sample. Without one, this process is sampled from /proc and each sample
        is sent as a `sample` record (to records, else the default client) unless the SDK is off."""
        if sample is None:
            reader = ProcessReader()
            sample = reader.read
            if on_sample is None and _config.config().enabled:
                client = records
                record_tags = dict(tags or {})

                def on_sample(s: ProcessSample) -> None:
                    (client or default_records()).send(s.to_record(record_tags))
        self.interval = max(0.001, float(interval))
        self.stop_timeout = stop_timeout
        self.max_samples = max_samples
        self.handle_signals = handle_signals
        self.samples: List[Any] = []
        self.sample_errors = 0
        self.dropped_samples = 0
        self.stopped_by_signal: Optional[int] = None
        self._sample = sample
        self._on_sample = on_sample
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._previous_handlers: Dict[int, Any] = {}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Starts the thread, which samples at once. False if it runs already."""
        if self._thread is not None:
            return False
        # A fresh event each time: a thread left behind by stop() keeps its own, set, and never resumes.
        self._stop = threading.Event()
        self.stopped_by_signal = None
        self._thread = threading.Thread(target=self._loop, args=(self._stop,), name="perfdash-sampler", daemon=True)
        self._thread.start()
        if self.handle_signals:
            self._install_signal_handlers()
        return True

    def stop(self) -> bool:
        """Stops the thread, waiting at most stop_timeout. True when it ended in time (or was not running)."""
        self._restore_signal_handlers()
        thread = self._thread
        if thread is None:
            return True
        self._stop.set()
        if thread is not threading.current_thread():
            thread.join(self.stop_timeout)
        self._thread = None
        if thread.is_alive():
            _config.log(30, "sampler: the sample function did not return within the stop timeout; its thread is "
                            "left to finish on its own")
            return False
        return True

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
        while True:
            try:
                value = self._sample()
                if self._on_sample is not None:
                    self._on_sample(value)
                with self._lock:
                    if len(self.samples) < self.max_samples:
                        self.samples.append(value)
                    else:
                        self.dropped_samples += 1
            except Exception:
                with self._lock:
                    self.sample_errors += 1
            next_time += self.interval
            now = time.monotonic()
            if next_time < now:
                next_time = now  # a slow sample shifts the schedule instead of bursting to catch up
            if stop.wait(next_time - now):
                return

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
        previous = self._previous_handlers.get(signum, signal.SIG_DFL)
        self.stopped_by_signal = signum
        self.stop()  # puts the previous handlers back, too
        try:
            default_records().flush()
        except Exception:
            pass
        if callable(previous):
            previous(signum, frame)  # e.g. KeyboardInterrupt for SIGINT
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signum)  # the default action (terminate) with the original signal
