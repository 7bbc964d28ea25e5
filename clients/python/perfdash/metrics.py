# SPDX-License-Identifier: GPL-3.0-or-later
"""ModuleMetrics: operations as `op` records, calls to external APIs as `api_call` and notifications as `notification`
records, and the session's statistics (of the operations) in memory.

    metrics = perfdash.ModuleMetrics("importer")
    with metrics.operation("import") as op:        # an exception marks it failed (text, category), then goes on
        op.items = len(rows)
    @metrics.track("predict", items=len)           # items from the result (a number or a function of it)
    def predict(batch): ...
    with metrics.api_call("POST", "/v1/charge") as call:
        call.status = post(...).status             # success: a status below 400, unless the block raised
    with metrics.notification("email") as note:
        note.recipients, note.delivered = 120, 118
    metrics.print_stats()

Each operation reads the process's resident memory once when it ends (/proc/self/statm). The op_code of all three is
the module's name unless .op_code is set to another, so the tables tell modules apart; the name is also sent as tag
"module". Each record gets a random guid when its object is made, so a resend of it carries the same one. A failure
in metrics never fails the work. Thread-safe.
"""
from __future__ import annotations

import functools
import numbers
import os
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from . import _config, _fork
from ._clock import Clock
from ._format import as_count, as_float, format_seconds, sanitize_name, sanitize_tags, sanitize_text, truncate_error
from .records import RecordsClient, default_records

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


_statm_lock = threading.Lock()
_statm = [-1, 0]  # fd, the pid that opened it


def _after_fork_in_child() -> None:
    global _statm_lock
    _statm_lock = threading.Lock()  # another thread of the parent may have held it


_fork.at_fork_in_child(_after_fork_in_child)


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


def error_text(exc: BaseException) -> str:
    """'ValueError: row 7 is bad', or the class name alone when the message is empty (or cannot be had)."""
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:
        message = ""  # a broken __str__ must not replace the caller's exception
    return f"{name}: {message}" if message else name


def note_exception(work: Any, exc: BaseException) -> None:
    """Marks work failed by exc: anything with success, error and error_category (an operation, an API call, a
    notification, a run's record). A message or category it already has stays."""
    work.success = False
    work.error = work.error or error_text(exc)
    work.error_category = work.error_category or error_category(exc)


def outcome_fields(work: Any) -> Dict[str, Any]:
    """success, and for a failure its error (cut at 5000 characters) and error_category, as the records want them."""
    r: Dict[str, Any] = {"success": bool(work.success)}
    if not work.success and work.error:
        r["error"] = truncate_error(work.error)
    if not work.success and work.error_category:
        r["error_category"] = sanitize_name(work.error_category)
    return r


def new_guid() -> str:
    """A record's identity: random (version 4), canonical 8-4-4-4-12 lowercase hex."""
    return str(uuid.uuid4())


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


class _Work:
    """What an operation, an API call and a notification share: a with block that times itself; op_code (the
    module's name unless set), tenant and guid; fail(message, category), or an exception leaving the block, marks it
    failed. Subclasses add their fields and their record."""

    def __init__(self, metrics: "ModuleMetrics"):
        self.op_code = metrics.module
        self.tenant = ""
        self.guid = new_guid()
        self.success: Optional[bool] = True
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

    def __enter__(self):
        self._start = self._metrics._clock.monotonic()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            note_exception(self, exc)
        self.end()
        return False

    def end(self) -> float:
        """Ends it and sends its record; later calls do nothing. Returns the elapsed seconds."""
        if self._ended:
            return self.elapsed
        self._ended = True
        self.elapsed = max(0.0, self._metrics._clock.monotonic() - self._start)
        self._metrics._finished(self)
        return self.elapsed

    def _head(self, kind: str, end_unix: float) -> Dict[str, Any]:
        r: Dict[str, Any] = {"type": kind, "v": 1, "ts": end_unix, "guid": self.guid}
        if self.op_code:
            r["op_code"] = sanitize_name(self.op_code)
        if self.tenant:
            r["tenant"] = sanitize_name(self.tenant)
        return r

    def _tail(self, r: Dict[str, Any], tags: Optional[Dict[str, str]]) -> Dict[str, Any]:
        r["elapsed_s"] = self.elapsed
        r.update(outcome_fields(self))
        if tags:
            r["tags"] = sanitize_tags(tags)
        return r

    def _record(self, metrics: "ModuleMetrics") -> Dict[str, Any]:
        raise NotImplementedError


class Operation(_Work):
    """One operation: a with block. Set items, target, op_code, tenant, file_size_mb, cache_hits, api_calls;
    fail(message, category) marks it failed without an exception. op_code starts as the module's name."""

    def __init__(self, metrics: "ModuleMetrics", name: str):
        super().__init__(metrics)
        self.name = name
        self.items: Optional[int] = None
        self.target = ""
        self.file_size_mb: Optional[float] = None
        self.cache_hits: Optional[int] = None
        self.api_calls: Optional[int] = None

    def to_record(self, end_unix: float, memory_mb: float, tags: Optional[Dict[str, str]] = None) -> dict:
        r = self._head("op", end_unix)
        r["name"] = sanitize_name(self.name)
        if self.target:
            r["target"] = sanitize_text(self.target)
        items = as_count(self.items)
        if items is not None:
            r["items"] = items
            if self.elapsed > 0:
                r["items_per_s"] = items / self.elapsed
        if memory_mb >= 0:
            r["memory_mb"] = memory_mb
        _put_sizes(r, file_size_mb=self.file_size_mb)
        _put_counts(r, cache_hits=self.cache_hits, api_calls=self.api_calls)
        return self._tail(r, tags)

    def _record(self, metrics: "ModuleMetrics") -> dict:
        memory = resident_memory_mb() if metrics.measure_memory else -1.0
        return self.to_record(metrics._clock.wall(), memory, metrics.tags)


class ApiCall(_Work):
    """One call to an external API: a with block. Set status (the HTTP status, 0 for no answer), request_kb,
    response_kb, cache_hit, op_code, tenant. Unless fail() or an exception says otherwise, or success is set, it
    succeeded when status is 1 … 399, or when no status was set. The method is sent in upper case ("post" is sent as
    "POST"), so that one method makes one `method:` tag whatever case the caller wrote it in. A status or size that is
    not a number (status "timeout") is left out of the record, and a status that is not a number fails the call."""

    def __init__(self, metrics: "ModuleMetrics", method: str, endpoint: str):
        super().__init__(metrics)
        self.success = None  # decided when it ends
        self.method = method
        self.endpoint = endpoint
        self.status: Optional[int] = None
        self.request_kb: Optional[float] = None
        self.response_kb: Optional[float] = None
        self.cache_hit: Optional[bool] = None

    def end(self) -> float:
        if self.success is None:
            self.success = self._status_ok()
        return super().end()

    def _status_ok(self) -> bool:
        if self.status is None:
            return True
        status = _status(self.status)
        return status is not None and 0 < status < 400  # 0: no answer

    def to_record(self, end_unix: float, tags: Optional[Dict[str, str]] = None) -> dict:
        r = self._head("api_call", end_unix)
        if self.method:
            r["method"] = sanitize_name(str(self.method).upper())
        r["endpoint"] = sanitize_name(self.endpoint)
        status = _status(self.status)
        if status is not None and 0 <= status <= 999:
            r["status"] = status
        _put_sizes(r, request_kb=self.request_kb, response_kb=self.response_kb)
        if self.cache_hit is not None:
            r["cache_hit"] = bool(self.cache_hit)
        return self._tail(r, tags)

    def _record(self, metrics: "ModuleMetrics") -> dict:
        return self.to_record(metrics._clock.wall(), metrics.tags)


class Notification(_Work):
    """One notification sent: a with block. Set recipients, delivered, failed, queue_depth (messages waiting in the
    sender's queue), op_code, tenant. A count is sent as a whole number within 0 … 2^53 (2.7 as 2); one that is not a
    number is left out of the record."""

    def __init__(self, metrics: "ModuleMetrics", channel: str):
        super().__init__(metrics)
        self.channel = channel
        self.recipients: Optional[int] = None
        self.delivered: Optional[int] = None
        self.failed: Optional[int] = None
        self.queue_depth: Optional[int] = None

    def to_record(self, end_unix: float, tags: Optional[Dict[str, str]] = None) -> dict:
        r = self._head("notification", end_unix)
        r["channel"] = sanitize_name(self.channel)
        _put_counts(r, recipients=self.recipients, delivered=self.delivered, failed=self.failed,
                    queue_depth=self.queue_depth)
        return self._tail(r, tags)

    def _record(self, metrics: "ModuleMetrics") -> dict:
        return self.to_record(metrics._clock.wall(), metrics.tags)


def _put_counts(r: Dict[str, Any], **counts: Any) -> None:
    """Integer fields: each count that is a number, as a whole number in [0, 2^53]; the others left out."""
    for key, value in counts.items():
        count = as_count(value)
        if count is not None:
            r[key] = count


def _put_sizes(r: Dict[str, Any], **sizes: Any) -> None:
    """Number fields that must be ≥ 0: each size that is a finite number ≥ 0; the others left out."""
    for key, value in sizes.items():
        size = as_float(value)
        if size is not None and size >= 0:
            r[key] = size


def _status(value: Any) -> Optional[int]:
    """An HTTP status as an int, as int() makes it (200.0 is 200); None when it is not a number ("timeout")."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    number = as_float(value)
    return None if number is None else int(number)


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
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # another thread of the parent may have held it

    def operation(self, name: str) -> Operation:
        return Operation(self, name)

    def api_call(self, method: str, endpoint: str) -> ApiCall:
        """A call to an external API, e.g. api_call("POST", "/v1/charge"): the endpoint as a route without ids."""
        return ApiCall(self, method, endpoint)

    def notification(self, channel: str) -> Notification:
        """A notification sent on channel: "email", "sms", "push", "webhook", …"""
        return Notification(self, channel)

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

    def _finished(self, work: _Work) -> None:
        try:
            if isinstance(work, Operation):  # the session statistics are the operations'
                self._count(work)
            if self.enabled:
                (self._records or default_records()).send(work._record(self))
        except Exception:
            pass  # metrics never fail the work

    def _count(self, op: Operation) -> None:
        with self._lock:
            self._stats.operations += 1
            self._stats.items += as_count(op.items) or 0
            self._stats.total_time += op.elapsed
            self._stats.errors += 0 if op.success else 1
