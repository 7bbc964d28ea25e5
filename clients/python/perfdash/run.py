# SPDX-License-Identifier: GPL-3.0-or-later
"""Run: times one workflow run and its steps, logs its start and execution time, and sends it as a `run` record.

    with perfdash.Run("inference", tags={"model": "m1"}) as run:   # logs "Inference workflow started at: …"
        with run.step("load_data"):
            ...
    print(run.record.execution_time_formatted)                      # "2.34 seconds"

    @perfdash.timed_run("inference")
    def pipeline():
        with perfdash.step("predict"):                               # a step of the run in progress
            ...

Durations come from the monotonic clock; the end time is the start time plus the duration. An exception leaving the
run marks it failed and goes on to the caller. Nothing here raises into the caller otherwise.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional

from . import _config
from ._format import format_seconds, iso_utc, sanitize_name, sanitize_tags
from .records import RecordsClient, default_records

MAX_STEPS = 1024


@dataclass
class Clock:
    """Where time comes from; tests inject their own."""
    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic


@dataclass
class StepRecord:
    name: str
    start_time: float  # Unix seconds
    elapsed: float  # s


@dataclass
class PerformanceRecord:
    """What a finished run returns, with the field names of the seed's performance record."""
    workflow: str
    execution_time: float = 0.0  # s
    execution_time_formatted: str = ""  # "2.34 seconds"
    start_time: float = 0.0  # Unix seconds
    end_time: float = 0.0
    start_datetime: str = ""  # ISO 8601 UTC
    end_datetime: str = ""
    success: bool = True
    steps: List[StepRecord] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def to_record(self, tags: Optional[Dict[str, str]] = None) -> dict:
        """The `run` record (docs/protocol.md)."""
        record = {"type": "run", "v": 1, "workflow": sanitize_name(self.workflow), "start": self.start_time,
                  "end": self.end_time, "execution_s": self.execution_time, "success": bool(self.success)}
        if self.steps:
            record["steps"] = [{"name": sanitize_name(s.name), "start": s.start_time, "elapsed_s": max(0.0, s.elapsed)}
                               for s in self.steps]
        if tags:
            record["tags"] = sanitize_tags(tags)
        return record


_current: contextvars.ContextVar = contextvars.ContextVar("perfdash_run", default=None)


def current_run() -> Optional["Run"]:
    """The Run in progress in this context (thread or task), if any."""
    return _current.get()


class Run:
    def __init__(self, workflow: str, *, tags: Optional[Dict[str, str]] = None, label: str = "Inference",
                 records: Optional[RecordsClient] = None, clock: Optional[Clock] = None, log: bool = True,
                 enabled: bool = True):
        self.tags = dict(tags or {})
        self.label = label
        self.dropped_steps = 0
        self._records = records
        self._clock = clock or Clock()
        self._log = log
        self.enabled = enabled and _config.config().enabled
        self.record = PerformanceRecord(workflow=workflow)
        self._finished = False
        self._token = None
        self._steady_start = self._clock.monotonic()
        self.record.start_time = self._clock.wall()
        self.record.start_datetime = iso_utc(self.record.start_time)
        if self.enabled and self._log:
            _config.log(logging.INFO, f"{self.label} workflow started at: {self.record.start_datetime}")

    def __enter__(self) -> "Run":
        self._token = _current.set(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._token is not None:
            try:
                _current.reset(self._token)
            except ValueError:
                pass  # left in another context
            self._token = None
        if exc_type is not None:
            self.record.success = False
        self.finish()
        return False

    @contextlib.contextmanager
    def step(self, name: str):
        """A step of this run, for the duration of the with block (also when it raises)."""
        start = self._clock.monotonic()
        try:
            yield
        finally:
            self._add_step_at(name, start, self._clock.monotonic() - start)

    def add_step(self, name: str, start_unix: float, elapsed: float) -> None:
        """A step timed elsewhere."""
        if self._finished:
            return
        if len(self.record.steps) >= MAX_STEPS:
            self.dropped_steps += 1
            return
        self.record.steps.append(StepRecord(name, start_unix, elapsed))

    def fail(self) -> None:
        self.record.success = False

    def elapsed(self) -> float:
        return self._clock.monotonic() - self._steady_start

    @property
    def finished(self) -> bool:
        return self._finished

    def finish(self, success: Optional[bool] = None) -> PerformanceRecord:
        """Ends the run: fills the record, logs the execution time, sends the `run` record. Later calls return the
        same record."""
        if self._finished:
            return self.record
        self._finished = True
        if success is not None:
            self.record.success = bool(success)
        r = self.record
        r.execution_time = max(0.0, self._clock.monotonic() - self._steady_start)
        r.end_time = r.start_time + r.execution_time
        r.execution_time_formatted = format_seconds(r.execution_time)
        r.end_datetime = iso_utc(r.end_time)
        if self.enabled:
            if self._log:
                _config.log(logging.INFO, f"{self.label} execution time: {r.execution_time_formatted}")
            try:
                (self._records or default_records()).send(r.to_record(self.tags))
            except Exception:
                pass
        return r

    def _add_step_at(self, name: str, steady_start: float, elapsed: float) -> None:
        self.add_step(name, self.record.start_time + (steady_start - self._steady_start), elapsed)


class step(contextlib.ContextDecorator):
    """A step of the run in progress (current_run()), as a with block or a decorator. Without a run it only runs."""

    def __init__(self, name: str):
        self.name = name
        self._stack: list = []

    def _recreate_cm(self):
        # As a decorator, each call gets its own instance: calls on several threads never share the stack.
        return step(self.name)

    def __enter__(self):
        run = current_run()
        self._stack.append((run, run._clock.monotonic() if run else 0.0))
        return self

    def __exit__(self, *exc):
        run, start = self._stack.pop()
        if run is not None:
            run._add_step_at(self.name, start, run._clock.monotonic() - start)
        return False


def timed_run(workflow: str, **run_options):
    """Decorator: each call is one Run; the function returns what it returns, and the last performance record is
    kept on the wrapper as `last_record`."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with Run(workflow, **run_options) as run:
                try:
                    return fn(*args, **kwargs)
                finally:
                    wrapper.last_record = run.record
        wrapper.last_record = None
        return wrapper

    return decorate
