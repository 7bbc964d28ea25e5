# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a stand-in for the collector's ingest.sock that keeps every line it is sent (on its own thread),
and the test case the SDK's tests that send records share."""
import json
import os
import socket
import tempfile
import threading
import unittest


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
        self._readers = []
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
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
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
            with self._lock:
                self.connections += 1
                self._clients.append(conn)
                self._readers.append(reader)
            reader.start()

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
                with self._arrived:
                    self.lines.append(line)
                    self._arrived.notify_all()

    def records(self):
        with self._lock:
            return [json.loads(line) for line in self.lines]

    def wait_for(self, n, timeout=5.0):
        """The records once at least n lines arrived, or those there are after timeout seconds."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.lines) >= n, timeout)
            return self.records()

    def close(self):
        self._stop.set()
        self._server.close()
        self._thread.join(2)  # before closing the connections: one accepted meanwhile is in the list by then
        with self._lock:
            clients, readers = list(self._clients), list(self._readers)
        for c in clients:
            try:
                c.shutdown(socket.SHUT_RDWR)  # wakes its reader
            except OSError:
                pass
        for r in readers:
            r.join(2)  # no thread of ours outlives close(): tests count the process's threads
        for c in clients:
            c.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


class SinkTestCase(unittest.TestCase):
    """A sink in a temporary folder (self.sink), a records client connected to it (self.records, of the class
    records_client, perfdash.RecordsClient when None) and a fake clock (self.fake); all closed after each test."""
    records_client = None

    def setUp(self):
        import perfdash
        from fakeclock import FakeClock
        self.dir = tempfile.TemporaryDirectory()
        self.sink = RecordSink(os.path.join(self.dir.name, "ingest.sock"))
        self.records = (self.records_client or perfdash.RecordsClient)(self.sink.path)
        self.fake = FakeClock()

    def tearDown(self):
        self.records.close()
        self.sink.close()
        self.dir.cleanup()
