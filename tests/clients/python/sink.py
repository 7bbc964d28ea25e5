# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a stand-in for the collector's ingest.sock that keeps every line it is sent (on its own thread)."""
import json
import os
import socket
import threading
import time


class RecordSink:
    def __init__(self, path):
        self.path = path
        self.lines = []
        self.connections = 0
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen(8)
        self._server.settimeout(0.05)
        self._stop = threading.Event()
        self._clients = []
        self._lock = threading.RLock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            self._clients.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        pending = b""
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                with self._lock:
                    self.lines.append(line)

    def records(self):
        with self._lock:
            return [json.loads(line) for line in self.lines]

    def wait_for(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.lines) >= n:
                    return self.records()
            time.sleep(0.01)
        return self.records()

    def close(self):
        self._stop.set()
        self._server.close()
        for c in self._clients:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._thread.join(2)
        try:
            os.unlink(self.path)
        except OSError:
            pass
