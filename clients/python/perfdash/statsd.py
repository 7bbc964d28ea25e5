# SPDX-License-Identifier: GPL-3.0-or-later
"""StatsdClient: StatsD/DogStatsD lines over UDP or a Unix datagram socket (the collector's dsd.socket).

Lines are batched into datagrams of at most 1432 bytes; sends never block, and a datagram the kernel will not take
is counted as dropped. Never raises into the caller. Thread-safe (one lock around the batch).

    c = StatsdClient("127.0.0.1", 8125)          # or StatsdClient(unix_path=".../dsd.socket")
    c.timing("api.latency", 12.5, tags={"model": "m1"})
    c.flush()                                     # or: with c.batch(): ...
"""
from __future__ import annotations

import contextlib
import math
import socket
import threading
from typing import Dict, Optional

from . import _fork
from ._format import sanitize_tags

MAX_DATAGRAM_BYTES = 1432


class StatsdClient:
    def __init__(self, host: str = "127.0.0.1", port: int = 8125, *, unix_path: Optional[str] = None,
                 prefix: str = "", auto_flush: bool = True):
        """auto_flush: each line goes out at once (one datagram each) unless inside batch(); False: lines wait
        until flush() or a full datagram."""
        self.prefix = prefix
        self.auto_flush = auto_flush
        self.sent_lines = 0
        self.dropped_lines = 0
        self._lock = threading.Lock()
        _fork.register(self)
        self._buffer: list = []
        self._size = 0
        self._batching = 0
        try:
            if unix_path:
                self._addr = unix_path
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            else:
                self._addr = (host, int(port))
                self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._sock.setblocking(False)
        except OSError:
            self._sock = None

    def timing(self, name: str, ms: float, tags: Optional[Dict[str, str]] = None) -> None:
        self._metric(name, ms, "ms", tags)

    def count(self, name: str, value: float = 1, tags: Optional[Dict[str, str]] = None) -> None:
        self._metric(name, value, "c", tags)

    incr = count

    def gauge(self, name: str, value: float, tags: Optional[Dict[str, str]] = None) -> None:
        self._metric(name, value, "g", tags)

    def distribution(self, name: str, value: float, tags: Optional[Dict[str, str]] = None) -> None:
        self._metric(name, value, "d", tags)

    @contextlib.contextmanager
    def batch(self):
        """Lines given inside go out together, in as few datagrams as fit, when the block ends."""
        with self._lock:
            self._batching += 1
        try:
            yield self
        finally:
            with self._lock:
                self._batching -= 1
            self.flush()

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def close(self) -> None:
        self.flush()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # another thread of the parent may have held it

    def _metric(self, name: str, value: float, kind: str, tags) -> None:
        try:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                self.dropped_lines += 1
                return
            text = repr(float(value)) if isinstance(value, float) else str(value)
            if text.endswith(".0"):
                text = text[:-2]
            line = f"{self.prefix}{name}:{text}|{kind}"
            if tags:
                line += "|#" + ",".join(k + ":" + v if v else k for k, v in sanitize_tags(tags).items())
            data = line.encode("utf-8", "replace")
            if len(data) + 1 > MAX_DATAGRAM_BYTES:
                self.dropped_lines += 1
                return
            with self._lock:
                if self._size + len(data) + 1 > MAX_DATAGRAM_BYTES:
                    self._flush()
                self._buffer.append(data)
                self._size += len(data) + 1
                if self.auto_flush and not self._batching:
                    self._flush()
        except Exception:
            self.dropped_lines += 1

    # With _lock held.
    def _flush(self) -> None:
        if not self._buffer:
            return
        lines = len(self._buffer)
        datagram = b"\n".join(self._buffer)
        self._buffer.clear()
        self._size = 0
        if self._sock is None:
            self.dropped_lines += lines
            return
        try:
            self._sock.sendto(datagram, self._addr)
            self.sent_lines += lines
        except OSError:
            self.dropped_lines += lines
