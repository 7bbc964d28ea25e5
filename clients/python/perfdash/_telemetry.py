# SPDX-License-Identifier: GPL-3.0-or-later
"""A run's telemetry (docs/protocol.md, `run`): samples flattened to JSON scalars, the bounded list one run keeps, and
the sampler running in this context, which a Run started in it takes its samples from."""
from __future__ import annotations

import contextvars
import dataclasses
import math
import numbers
import threading
from typing import Any, Dict, List, Optional, Tuple

from ._format import sanitize_text

MAX_ENTRIES = 1024  # samples a run carries
MAX_MEMBERS = 64  # an entry's, its ts and timestamp included: within the limit however the collector counts them
STAMPS = ("timestamp", "ts")  # an entry's own members; a sample's members of these names give way to them
MAX_FIELDS = MAX_MEMBERS - len(STAMPS)
MAX_STRING_BYTES = 200
_MAX_DEPTH = 8  # a deeper (or cyclic) value becomes text

# The Sampler running in this context (thread or task); Sampler.start sets it, stop resets it.
sampler_var: contextvars.ContextVar = contextvars.ContextVar("perfdash_sampler", default=None)


def sample_fields(value: Any) -> Dict[str, Any]:
    """What a sample function returned, as flat members: a dict, dataclass or namedtuple gives its members, nested ones
    as 'outer.inner'; anything else is {'value': x}. Numbers, strings (cut to 200 bytes), booleans and None stay;
    NaN, infinities and numbers beyond double range become text ('nan', 'inf', '-inf'), since the collector takes
    neither; other values become their str(). At most MAX_FIELDS members; 'ts' and 'timestamp' at the top are left
    out."""
    members = _members(value)
    if members is None:
        return {"value": _scalar(value)}
    out: Dict[str, Any] = {}
    _flatten(members, "", 0, out)
    return out


def telemetry_entry(ts: float, timestamp: str, fields: Dict[str, Any]) -> Dict[str, Any]:
    """One `telemetry` entry: the sample's time, then its members."""
    return {"timestamp": timestamp, "ts": ts, **fields}


def _members(value: Any) -> Optional[Dict[Any, Any]]:
    if isinstance(value, dict):
        return value
    if hasattr(value, "_asdict") and not isinstance(value, type):  # namedtuples, and ProcessSample
        return value._asdict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Shallow, unlike asdict(): nested dataclasses and namedtuples flatten the same way as at the top.
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return None


def _flatten(members: Dict[Any, Any], prefix: str, depth: int, out: Dict[str, Any]) -> None:
    for key, value in members.items():
        if len(out) >= MAX_FIELDS:
            return
        name = prefix + str(key)
        nested = _members(value) if depth < _MAX_DEPTH else None
        if nested is not None:
            _flatten(nested, name + ".", depth + 1, out)
        elif name not in STAMPS:
            out[name] = _scalar(value)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):  # numpy's numbers too
        try:
            number = float(value)
        except OverflowError:  # beyond double range, which the collector refuses: the infinity a double holds
            number = math.inf if value > 0 else -math.inf
        if not math.isfinite(number):
            return str(number)  # NaN and infinities are not JSON numbers: their text
        return int(value) if isinstance(value, numbers.Integral) else number
    return sanitize_text(value, MAX_STRING_BYTES)


def thin_to_fit(sizes: List[int], max_bytes: int) -> List[int]:
    """The positions kept when a JSON array of entries of these encoded sizes must take at most max_bytes: every second
    one goes (the first stays), again until it fits; none when even one entry is too long. As TelemetryList::fitInto
    in the C++ SDK."""
    kept = list(range(len(sizes)))
    while kept and 2 + len(kept) - 1 + sum(sizes[i] for i in kept) > max_bytes:
        kept = kept[::2] if len(kept) > 1 else []
    return kept


class TelemetryBuffer:
    """The samples one run keeps, at most `capacity`, spread evenly over the run: when it is full every second one is
    dropped, and from then on only every second sample offered is kept (then every fourth, …). The first sample
    always stays. Thread-safe: samplers add from their threads."""

    def __init__(self, capacity: int = MAX_ENTRIES):
        self.capacity = max(2, capacity)
        self._entries: List[Dict[str, Any]] = []
        self._offered = 0
        self._stride = 1
        self._lock = threading.Lock()

    def add(self, entry: Dict[str, Any]) -> None:
        with self._lock:
            index = self._offered
            self._offered += 1
            if index % self._stride:
                return
            if len(self._entries) >= self.capacity:
                del self._entries[1::2]  # those kept were the multiples of stride: now those of twice it
                self._stride *= 2
                if index % self._stride:
                    return
            self._entries.append(entry)

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # the parent's sampler thread may have held it when the child was forked

    def snapshot(self) -> Tuple[List[Dict[str, Any]], int]:
        """The entries kept, oldest first, and how many samples were offered but not kept."""
        with self._lock:
            return list(self._entries), self._offered - len(self._entries)
