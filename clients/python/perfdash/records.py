# SPDX-License-Identifier: GPL-3.0-or-later
"""RecordsClient: native NDJSON records to the collector's ingest.sock (docs/protocol.md).

Never blocks and never raises into the caller. Each record is written at once with a non-blocking send; what the
socket does not take waits in a bounded buffer (2 MiB by default, room for two lines of the protocol's longest) and
goes out with the next send or flush().
Records that do not fit, or that are given while the SDK is off, are dropped and counted. When the collector is not
there or goes away, the client reconnects at most once per reconnect interval; records given meanwhile wait in the
same buffer. A record cut short by a broken connection is counted as dropped, never sent half. Thread-safe. In a
forked child a client starts afresh: the parent's connection and the records waiting in its buffer stay the parent's.
"""
from __future__ import annotations

import json
import math
import socket
import threading
import time
from typing import Any, Dict, Iterable, Optional

from . import _config, _fork

MAX_LINE_BYTES = 1 << 20  # the protocol's longest line, its '\n' excluded
DEFAULT_BUFFER_BYTES = 2 * (MAX_LINE_BYTES + 1)


def _clean(value: Any) -> Any:
    # JSON has no NaN or Infinity: such a field is left out rather than losing the whole record.
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def encode_json(value: Any) -> bytes:
    """A value as UTF-8 JSON, as it is written inside a record's line."""
    return json.dumps(_clean(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8", "replace")


def encode(record: Dict[str, Any]) -> bytes:
    """One record as one line of UTF-8 JSON, '\\n' included."""
    return encode_json(record) + b"\n"


class RecordsClient:
    def __init__(self, socket_path: Optional[str] = None, *, max_buffer_bytes: int = DEFAULT_BUFFER_BYTES,
                 reconnect_interval: float = 1.0, enabled: bool = True):
        cfg = _config.config()
        self.socket_path = socket_path or cfg.ingest_socket
        self.max_buffer_bytes = max_buffer_bytes
        self.reconnect_interval = reconnect_interval
        self.enabled = enabled and cfg.enabled
        self._lock = threading.Lock()
        self._sock: Optional[socket.socket] = None
        self._buffer = bytearray()
        self._offset = 0  # bytes of _buffer already sent
        self._next_connect = 0.0
        self.sent_records = 0
        self.dropped_records = 0
        self.connects = 0
        _fork.register(self)

    def send(self, record: Dict[str, Any]) -> bool:
        """Queues one record (a dict) and tries to send it. Returns False when it was dropped."""
        if not self.enabled:
            self.dropped_records += 1
            return False
        try:
            line = encode(record)
        except (TypeError, ValueError):
            self.dropped_records += 1
            return False
        return self.send_line(line)

    def send_many(self, records: Iterable[Dict[str, Any]]) -> bool:
        """Queues several records as one write: all of them or, when they do not fit, none (each counted as dropped).
        A record that cannot be encoded is dropped alone."""
        lines = []
        for record in records:
            try:
                lines.append(encode(record))
            except (TypeError, ValueError):
                self.dropped_records += 1
        return self._queue(b"".join(lines), len(lines)) if lines else False

    def send_line(self, line: bytes) -> bool:
        """Queues one ready-made line (ending in '\\n')."""
        return self._queue(line, 1)

    def _queue(self, data: bytes, count: int) -> bool:
        if not self.enabled:
            self.dropped_records += count
            return False
        try:
            with self._lock:
                if len(self._buffer) + len(data) > self.max_buffer_bytes:
                    self._try_send()
                    if len(self._buffer) + len(data) > self.max_buffer_bytes:
                        self.dropped_records += count
                        return False
                self._buffer += data
                self._try_send()
                return True
        except Exception:
            self.dropped_records += count
            return False

    def flush(self) -> bool:
        """Sends what waits, as far as the socket takes it. True when nothing waits any more."""
        try:
            with self._lock:
                self._try_send()
                return not self._buffer
        except Exception:
            return False

    def flush_nowait(self) -> bool:
        """flush(), unless another caller holds the client: then nothing. For a signal handler, which may have
        interrupted this very thread inside send()."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._try_send()
            return not self._buffer
        except Exception:
            return False
        finally:
            self._lock.release()

    def flush_for(self, timeout: float) -> bool:
        """Keeps trying (and reconnecting) until the buffer is empty or timeout seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._sock is None:
                    self._next_connect = 0.0
                self._try_send()
                if not self._buffer:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._close_socket()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    @property
    def buffered_bytes(self) -> int:
        with self._lock:
            return len(self._buffer) - self._offset

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # With _lock held.
    def _try_send(self) -> None:
        if not self._buffer:
            return
        if self._sock is None and not self._connect():
            return
        view = memoryview(self._buffer)
        try:
            while self._offset < len(self._buffer):
                try:
                    n = self._sock.send(view[self._offset:])
                except (BlockingIOError, InterruptedError):
                    break  # the collector is busy: the rest waits
                except OSError:
                    view.release()
                    self._connection_lost()
                    return
                self.sent_records += view[self._offset:self._offset + n].tobytes().count(b"\n")
                self._offset += n
        finally:
            view.release()
        if self._offset == len(self._buffer):
            self._buffer.clear()
            self._offset = 0
        elif self._offset > len(self._buffer) // 2:
            del self._buffer[: self._offset]
            self._offset = 0

    def _connection_lost(self) -> None:
        self._close_socket()
        # A record half written is lost with the connection; the next connection starts on a record boundary.
        if self._offset > 0 and self._buffer[self._offset - 1:self._offset] != b"\n":
            nl = self._buffer.find(b"\n", self._offset)
            del self._buffer[: len(self._buffer) if nl < 0 else nl + 1]
            self.dropped_records += 1
        else:
            del self._buffer[: self._offset]
        self._offset = 0

    def _connect(self) -> bool:
        now = time.monotonic()
        if now < self._next_connect:
            return False
        self._next_connect = now + self.reconnect_interval
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.setblocking(False)
            s.connect(self.socket_path)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            except OSError:
                pass
        except OSError:
            s.close()
            return False
        self._sock = s
        self.connects += 1
        return True

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # another thread of the parent may have held it
        self._close_socket()  # our copy of the parent's connection: records of two processes would interleave on it
        self._buffer = bytearray()  # the parent's records: the parent sends them
        self._offset = 0
        self._next_connect = 0.0

    def _close_socket(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None


_default: Optional[RecordsClient] = None
_default_lock = threading.Lock()


def default_records() -> RecordsClient:
    """The process-wide client that Run, ModuleMetrics and the process sampler use unless given another."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RecordsClient()
            import atexit
            atexit.register(_default.flush_for, 1.0)
        return _default


def flush_default_nowait() -> None:
    """Flushes the process-wide client if there is one and nobody holds it: safe in a signal handler."""
    client = _default  # no _default_lock: the interrupted code may hold it
    if client is not None:
        client.flush_nowait()


def reset_default_records() -> None:
    """Forgets the process-wide client (after reload_config(), or in tests)."""
    global _default
    with _default_lock:
        if _default is not None:
            _default.close()
        _default = None


def _after_fork_in_child() -> None:
    global _default_lock
    _default_lock = threading.Lock()  # another thread of the parent may have held it


_fork.at_fork_in_child(_after_fork_in_child)
