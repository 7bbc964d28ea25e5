# SPDX-License-Identifier: GPL-3.0-or-later
"""ModuleMetrics: operations as `op` records, and the session's statistics in memory.

    metrics = perfdash.ModuleMetrics("importer")
    with metrics.operation("import") as op:        # an exception marks it failed (text, category), then goes on
        op.items = len(rows)
    @metrics.track("predict", items=len)           # items from the result (a number or a function of it)
    def predict(batch): ...
    metrics.print_stats()

Each operation reads the process's resident memory once when it ends (/proc/self/statm). Its op_code is the module's
name unless op.op_code is set to another, so the operations table tells modules apart; the name is also sent as tag
"module". A failure in metrics never fails the operation. Thread-safe.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Union

from . import _config
from ._format import format_seconds, sanitize_name, sanitize_tags, sanitize_text, truncate_error
from .records import RecordsClient, default_records
from .run import Clock

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


_statm_lock = threading.Lock()
_statm = [-1, 0]  # fd, the pid that opened it


def resident_memory_mb() -> float:
    """Resident memory of this process in MB (MiB), from /proc/self/statm; -1 when it cannot be read. The file stays
    open (one pread a reading); it is reopened after a fork, since the open file would describe the parent."""
    try:
        with _statm_lock:
            pid = os.getpid()
            if _statm[0] < 0 or _statm[1] != pid:
                if _statm[0] >= 0:
                    os.close(_statm[0])
                    _statm[0] = -1
                _statm[0] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
                _statm[1] = pid
            data = os.pread(_statm[0], 128, 0)
        return int(data.split()[1]) * _PAGE / (1024.0 * 1024.0)
    except (OSError, ValueError, IndexError):
        return -1.0


_CATEGORIES = (
    (MemoryError, "memory"),
    (TimeoutError, "timeout"),
    (ConnectionError, "network"),
    (OSError, "io"),
    ((ValueError, TypeError, KeyError, IndexError, AssertionError), "validation"),
)


def error_category(exc: BaseException) -> str:
    """The category of an exception, for `error_category`: a few families, else the exception's class name."""
    for types, name in _CATEGORIES:
        if isinstance(exc, types):
            return name
    return sanitize_name(type(exc).__name__)


@dataclass
class SessionStats:
    operations: int = 0
    items: int = 0
    total_time: float = 0.0  # s, summed over operations
    errors: int = 0
    uptime: float = 0.0  # s since the ModuleMetrics was made

    @property
    def average_rate(self) -> float:  # items/s
        return self.items / self.total_time if self.total_time > 0 else 0.0

    @property
    def error_rate(self) -> float:  # 0..1
        return self.errors / self.operations if self.operations else 0.0


class Operation:
    """One operation: a with block. Set items, target, op_code, tenant, file_size_mb, cache_hits, api_calls;
    fail(message, category) marks it failed without an exception. op_code starts as the module's name."""

    def __init__(self, metrics: "ModuleMetrics", name: str):
        self.name = name
        self.items: Optional[int] = None
        self.target = ""
        self.op_code = metrics.module
        self.tenant = ""
        self.file_size_mb: Optional[float] = None
        self.cache_hits: Optional[int] = None
        self.api_calls: Optional[int] = None
        self.success = True
        self.error = ""
        self.error_category = ""
        self.elapsed = 0.0
        self._metrics = metrics
        self._start = 0.0
        self._ended = False

    def fail(self, message: str = "", category: str = "") -> None:
        self.success = False
        self.error = str(message)
        self.error_category = category

    def __enter__(self) -> "Operation":
        self._start = self._metrics._clock.monotonic()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None and self.success:
            self.success = False
            self.error = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
            self.error_category = error_category(exc)
        self.end()
        return False

    def end(self) -> float:
        """Ends the operation and sends its record; later calls do nothing. Returns the elapsed seconds."""
        if self._ended:
            return self.elapsed
        self._ended = True
        self.elapsed = max(0.0, self._metrics._clock.monotonic() - self._start)
        self._metrics._finished(self)
        return self.elapsed

    def to_record(self, end_unix: float, memory_mb: float, tags: Optional[Dict[str, str]] = None) -> dict:
        r = {"type": "op", "v": 1, "ts": end_unix, "name": sanitize_name(self.name)}
        if self.op_code:
            r["op_code"] = sanitize_name(self.op_code)
        if self.tenant:
            r["tenant"] = sanitize_name(self.tenant)
        if self.target:
            r["target"] = sanitize_text(self.target)
        if self.items is not None:
            r["items"] = max(0, int(self.items))
        r["elapsed_s"] = self.elapsed
        if self.items is not None and self.elapsed > 0:
            r["items_per_s"] = max(0, int(self.items)) / self.elapsed
        if memory_mb >= 0:
            r["memory_mb"] = memory_mb
        if self.file_size_mb is not None and self.file_size_mb >= 0:
            r["file_size_mb"] = float(self.file_size_mb)
        if self.cache_hits is not None:
            r["cache_hits"] = max(0, int(self.cache_hits))
        if self.api_calls is not None:
            r["api_calls"] = max(0, int(self.api_calls))
        r["success"] = bool(self.success)
        if not self.success and self.error:
            r["error"] = truncate_error(self.error)
        if not self.success and self.error_category:
            r["error_category"] = sanitize_name(self.error_category)
        if tags:
            r["tags"] = sanitize_tags(tags)
        return r


class ModuleMetrics:
    def __init__(self, module: str, *, tags: Optional[Dict[str, str]] = None, records: Optional[RecordsClient] = None,
                 clock: Optional[Clock] = None, measure_memory: bool = True, enabled: bool = True):
        self.module = module
        self.tags = dict(tags or {})
        self.tags.setdefault("module", module)
        self.measure_memory = measure_memory
        self.enabled = enabled and _config.config().enabled
        self._records = records
        self._clock = clock or Clock()
        self._lock = threading.Lock()
        self._stats = SessionStats()
        self._start = self._clock.monotonic()

    def operation(self, name: str) -> Operation:
        return Operation(self, name)

    def track(self, name: Optional[str] = None, *, items: Union[None, int, Callable] = None):
        """Decorator: each call is one operation (named after the function unless name is given). items is a count,
        or a function of the result that gives it (len, for example)."""

        def decorate(fn):
            op_name = name or fn.__name__

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                with self.operation(op_name) as op:
                    result = fn(*args, **kwargs)
                    try:
                        op.items = items(result) if callable(items) else items
                    except Exception:
                        pass  # metrics never fail the operation
                    return result

            return wrapper

        return decorate

    def stats(self) -> SessionStats:
        with self._lock:
            s = SessionStats(self._stats.operations, self._stats.items, self._stats.total_time, self._stats.errors)
        s.uptime = self._clock.monotonic() - self._start
        return s

    def format_stats(self) -> str:
        s = self.stats()
        return (f"Session statistics ({self.module})\n"
                f"  operations:   {s.operations}\n"
                f"  items:        {s.items}\n"
                f"  total time:   {format_seconds(s.total_time)}\n"
                f"  average rate: {s.average_rate:.2f} items/s\n"
                f"  errors:       {s.errors} ({s.error_rate * 100:.1f}%)\n"
                f"  uptime:       {format_seconds(s.uptime)}\n")

    def print_stats(self, file=None) -> None:
        print(self.format_stats(), end="", file=file or sys.stdout, flush=True)

    def _finished(self, op: Operation) -> None:
        try:
            with self._lock:
                self._stats.operations += 1
                self._stats.items += max(0, int(op.items or 0))
                self._stats.total_time += op.elapsed
                self._stats.errors += 0 if op.success else 1
            if not self.enabled:
                return
            memory = resident_memory_mb() if self.measure_memory else -1.0
            (self._records or default_records()).send(op.to_record(self._clock.wall(), memory, self.tags))
        except Exception:
            pass  # metrics never fail the operation
