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

    with perfdash.Sampler(read_gpu):                                 # a sampler running when the run starts
        with perfdash.Run("train", tenant="ml", execution_mode="sequential") as run:
            run.retries += 1                                         # tenant, retries, execution_mode: settable
    run.record.telemetry                                             # [{"timestamp": …, "ts": …, **sample}, …]

Durations come from the monotonic clock; the end time is the start time plus the duration. An exception leaving the
run marks it failed, with the exception's text and category as an operation's (metrics.note_exception), and goes on
to the caller; so does one leaving a step, which marks the step failed. When the run ends it reads the process's
resident memory once (memory_mb). Nothing here raises into the caller otherwise.

Telemetry: a run carries the samples taken while it runs by the Sampler running in its context when it starts (or
started in its context while it runs), at most 1024 spread evenly over the run (docs/protocol.md), with the count of
those left out in telemetry_dropped. A record whose line would pass the protocol's 1 MiB sends fewer of them, thinned
evenly (every second one left out, again until it fits) and counted in telemetry_dropped, rather than being refused
whole by the collector; the performance record keeps them all. Each run record gets a random guid when the run
starts; a resend carries it.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from . import _config
from ._clock import Clock
from ._format import as_count, format_seconds, iso_utc, sanitize_name, sanitize_tags
from ._telemetry import TelemetryBuffer, sampler_var, thin_to_fit
from .metrics import new_guid, note_exception, outcome_fields, resident_memory_mb
from .records import MAX_LINE_BYTES, RecordsClient, default_records, encode, encode_json

MAX_STEPS = 1024
_FIT_MARGIN = 64  # bytes a thinned record keeps below the limit: room for a longer telemetry_dropped


@dataclass
class StepRecord:
    name: str
    start_time: float  # Unix seconds
    elapsed: float  # s
    success: bool = True  # False when its block raised


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
    guid: str = field(default_factory=new_guid)  # the run record's identity, the same in a resend
    tenant: str = ""
    retries: int = 0  # attempts after the first
    execution_mode: str = ""  # e.g. "parallel", "sequential"
    error: str = ""  # for a failed run
    error_category: str = ""
    memory_mb: Optional[float] = None  # resident memory when the run ended
    steps_failed: int = 0  # steps whose block raised, those beyond the 1024 kept included
    telemetry: List[Dict[str, Any]] = field(default_factory=list)  # {"timestamp", "ts", **sample}, oldest first
    telemetry_dropped: int = 0  # samples taken during the run but not in telemetry

    def as_dict(self) -> dict:
        return asdict(self)

    def to_record(self, tags: Optional[Dict[str, str]] = None) -> dict:
        """The `run` record (docs/protocol.md), its telemetry thinned if its line would pass 1 MiB."""
        return self._fitted(tags)[0]

    def to_line(self, tags: Optional[Dict[str, str]] = None) -> bytes:
        """The `run` record as the line to send, '\\n' included: at most 1 MiB before the '\\n' (telemetry thinned)."""
        return self._fitted(tags)[1]

    def _fitted(self, tags: Optional[Dict[str, str]]):
        record = self._record(tags, self.telemetry, self.telemetry_dropped)
        line = encode(record)
        excess = len(line) - 1 - MAX_LINE_BYTES
        if excess <= 0 or not self.telemetry:
            return record, line
        # Each entry is measured as it is written in the line, so one pass finds how many to leave out.
        sizes = [len(encode_json(entry)) for entry in self.telemetry]
        array_bytes = 2 + len(sizes) - 1 + sum(sizes)
        budget = array_bytes - excess - _FIT_MARGIN
        while True:
            kept = thin_to_fit(sizes, budget)
            telemetry = [self.telemetry[i] for i in kept]
            dropped = self.telemetry_dropped + len(self.telemetry) - len(kept)
            record = self._record(tags, telemetry, dropped)
            line = encode(record)
            if len(line) - 1 <= MAX_LINE_BYTES or not kept:
                return record, line
            budget -= len(line) - 1 - MAX_LINE_BYTES  # not expected: the margin covers what else grows

    def _record(self, tags: Optional[Dict[str, str]], telemetry: List[Dict[str, Any]], dropped: int) -> dict:
        record = {"type": "run", "v": 1, "guid": self.guid, "workflow": sanitize_name(self.workflow),
                  "start": self.start_time, "end": self.end_time, "execution_s": self.execution_time}
        record.update(outcome_fields(self))
        self._put_workflow_fields(record)
        if self.steps:
            record["steps"] = [_step_record(s) for s in self.steps]
        if telemetry:
            record["telemetry"] = list(telemetry)
        if self.telemetry:
            record["telemetry_dropped"] = dropped
        if tags:
            record["tags"] = sanitize_tags(tags)
        return record

    def _put_workflow_fields(self, record: Dict[str, Any]) -> None:
        if self.tenant:
            record["tenant"] = sanitize_name(self.tenant)
        if self.execution_mode:
            record["execution_mode"] = sanitize_name(self.execution_mode)
        retries = as_count(self.retries)
        if retries:
            record["retries"] = retries
        if self.memory_mb is not None and self.memory_mb >= 0:
            record["memory_mb"] = self.memory_mb
        if self.steps or self.steps_failed:
            record["steps_failed"] = self.steps_failed


def _step_record(s: StepRecord) -> Dict[str, Any]:
    r = {"name": sanitize_name(s.name), "start": s.start_time, "elapsed_s": max(0.0, s.elapsed)}
    if not s.success:
        r["success"] = False
    return r


class _OnRecord:
    """A Run attribute kept on its performance record, so that `run.retries += 1` lands in what is sent."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, run, owner=None):
        return self if run is None else getattr(run.record, self.name)

    def __set__(self, run, value) -> None:
        setattr(run.record, self.name, value)


_current: contextvars.ContextVar = contextvars.ContextVar("perfdash_run", default=None)


def current_run() -> Optional["Run"]:
    """The Run in progress in this context (thread or task), if any."""
    return _current.get()


class Run:
    tenant = _OnRecord()
    retries = _OnRecord()
    execution_mode = _OnRecord()

    def __init__(self, workflow: str, *, tags: Optional[Dict[str, str]] = None, label: str = "Inference",
                 records: Optional[RecordsClient] = None, clock: Optional[Clock] = None, log: bool = True,
                 enabled: bool = True, tenant: str = "", execution_mode: str = "", retries: int = 0,
                 measure_memory: bool = True):
        self.tags = dict(tags or {})
        self.label = label
        self.dropped_steps = 0
        self.measure_memory = measure_memory
        self._records = records
        self._clock = clock or Clock()
        self._log = log
        self.enabled = enabled and _config.config().enabled
        self.record = PerformanceRecord(workflow=workflow, tenant=tenant, execution_mode=execution_mode,
                                        retries=retries)
        self._finished = False
        self._token = None
        self._telemetry = TelemetryBuffer()
        self._samplers: list = []
        self._steady_start = self._clock.monotonic()
        self.record.start_time = self._clock.wall()
        self.record.start_datetime = iso_utc(self.record.start_time)
        self.watch(sampler_var.get())
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
        if exc is not None:
            note_exception(self.record, exc)
        self.finish()
        return False

    @contextlib.contextmanager
    def step(self, name: str):
        """A step of this run, for the duration of the with block (also when it raises, which fails the step)."""
        start = self._clock.monotonic()
        ok = False
        try:
            yield
            ok = True
        finally:
            self._add_step_at(name, start, self._clock.monotonic() - start, ok)

    def add_step(self, name: str, start_unix: float, elapsed: float, success: bool = True) -> None:
        """A step timed elsewhere."""
        if self._finished:
            return
        if not success:
            self.record.steps_failed += 1
        if len(self.record.steps) >= MAX_STEPS:
            self.dropped_steps += 1
            return
        self.record.steps.append(StepRecord(name, start_unix, elapsed, bool(success)))

    def fail(self, message: str = "", category: str = "") -> None:
        """Marks the run failed, with an error text and category when given."""
        self.record.success = False
        self.record.error = str(message)
        self.record.error_category = category

    def watch(self, sampler) -> None:
        """Carries the samples that sampler takes from now until the run finishes. Done by itself for the Sampler
        running in this context when the run starts, and by a Sampler started in this context while it runs."""
        if sampler is not None and not self._finished and sampler.attach(self._telemetry):
            self._samplers.append(sampler)

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
        self._take_telemetry()
        if self.measure_memory:
            memory = resident_memory_mb()
            r.memory_mb = memory if memory >= 0 else None
        if self.enabled:
            if self._log:
                _config.log(logging.INFO, f"{self.label} execution time: {r.execution_time_formatted}")
            try:
                records = self._records or default_records()
                try:
                    line = r.to_line(self.tags)  # encoded once: it was measured against the line limit
                except (TypeError, ValueError):
                    records.dropped_records += 1  # as send() counts a record it cannot encode
                else:
                    records.send_line(line)
            except Exception:
                pass
        return r

    def _add_step_at(self, name: str, steady_start: float, elapsed: float, success: bool = True) -> None:
        self.add_step(name, self.record.start_time + (steady_start - self._steady_start), elapsed, success)

    def _take_telemetry(self) -> None:
        for sampler in self._samplers:
            sampler.detach(self._telemetry)  # no sample arrives after this
        self._samplers.clear()
        self.record.telemetry, self.record.telemetry_dropped = self._telemetry.snapshot()


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

    def __exit__(self, exc_type, exc, tb):
        run, start = self._stack.pop()
        if run is not None:
            run._add_step_at(self.name, start, run._clock.monotonic() - start, exc_type is None)
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
