# SPDX-License-Identifier: GPL-3.0-or-later
"""RecordsClient: waits for the collector, reconnects, bounded buffer with counted drops; StatsdClient over UDP and a
Unix datagram socket."""
import os
import socket
import tempfile
import time
import unittest

import perfdash
from sink import RecordSink

MAX_LINE_BYTES = 1 << 20  # docs/protocol.md, Framing: a line, its '\n' excluded


class RecordsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "ingest.sock")

    def tearDown(self):
        self.dir.cleanup()

    def test_sends_one_line_per_record(self):
        sink = RecordSink(self.path)
        with perfdash.RecordsClient(self.path) as c:
            self.assertTrue(c.send({"type": "quality", "model": "m", "metric": "f1", "value": 0.9}))
            self.assertTrue(c.send({"type": "quality", "model": "m", "metric": "f1", "value": 0.8}))
            got = sink.wait_for(2)
            self.assertEqual(got[1]["value"], 0.8)
            self.assertEqual((c.sent_records, c.dropped_records, c.connects), (2, 0, 1))
        sink.close()

    def test_records_wait_for_the_collector(self):
        c = perfdash.RecordsClient(self.path, reconnect_interval=0)
        c.send({"n": 1})
        c.send({"n": 2})
        self.assertFalse(c.connected)
        sink = RecordSink(self.path)
        self.assertTrue(c.flush())
        self.assertEqual(sink.wait_for(2), [{"n": 1}, {"n": 2}])
        self.assertEqual(c.dropped_records, 0)
        c.close()
        sink.close()

    def test_reconnects_after_the_collector_goes_away(self):
        c = perfdash.RecordsClient(self.path, reconnect_interval=0)
        first = RecordSink(self.path)
        c.send({"n": 1})
        self.assertEqual(len(first.wait_for(1)), 1)
        first.close()
        second = RecordSink(self.path)
        for _ in range(50):
            c.send({"n": 2})
            if second.lines:
                break
            time.sleep(0.02)
        self.assertTrue(second.wait_for(1))
        self.assertEqual(c.connects, 2)
        c.close()
        second.close()

    def test_a_full_buffer_drops_and_counts(self):
        c = perfdash.RecordsClient(self.path, max_buffer_bytes=100)  # nobody listens
        accepted = sum(c.send({"type": "x", "pad": "0123456789"}) for _ in range(20))  # 31 bytes each
        self.assertEqual(accepted, 3)
        self.assertEqual(c.dropped_records, 17)

    def test_the_buffer_takes_lines_of_the_protocols_longest(self):
        line = b'{"type":"metric","pad":"' + b"p" * (MAX_LINE_BYTES - 26) + b'"}\n'
        self.assertEqual(len(line), MAX_LINE_BYTES + 1)
        nowhere = perfdash.RecordsClient(self.path)  # nobody listens yet: the lines wait
        self.assertTrue(nowhere.send_line(line))
        self.assertTrue(nowhere.send_line(line))
        self.assertEqual((nowhere.buffered_bytes, nowhere.dropped_records), (2 * len(line), 0))
        sink = RecordSink(self.path)
        self.assertTrue(nowhere.flush_for(10))
        self.assertEqual(len(sink.wait_for(2)), 2)
        self.assertEqual([len(got) for got in sink.lines], [MAX_LINE_BYTES] * 2)  # whole, without their '\n'
        nowhere.close()
        sink.close()

    def test_a_collector_that_does_not_read_never_blocks_the_sender(self):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(self.path)
        server.listen(4)  # never accepts
        c = perfdash.RecordsClient(self.path, max_buffer_bytes=64 * 1024)
        line = (b'{"type":"metric","pad":"' + b"p" * 900 + b'"}\n')
        start = time.monotonic()
        for _ in range(5000):
            c.send_line(line)
        self.assertLess(time.monotonic() - start, 10)
        self.assertGreater(c.dropped_records, 0)
        self.assertEqual(c.sent_records + c.dropped_records + c.buffered_bytes // len(line), 5000)
        c.close()
        server.close()

    def test_send_many_queues_a_batch_whole_or_not_at_all(self):
        sink = RecordSink(self.path)
        with perfdash.RecordsClient(self.path) as c:
            self.assertTrue(c.send_many([{"n": 1}, {"n": 2}, {"bad": object()}]))  # the unencodable one alone is lost
            self.assertEqual(sink.wait_for(2), [{"n": 1}, {"n": 2}])
            self.assertEqual((c.sent_records, c.dropped_records), (2, 1))
        sink.close()
        nowhere = perfdash.RecordsClient(os.path.join(self.dir.name, "nobody.sock"), max_buffer_bytes=20)
        self.assertTrue(nowhere.send_many([{"n": 1}, {"n": 2}]))  # 8 bytes each
        self.assertFalse(nowhere.send_many([{"n": 3}, {"n": 4}]))
        self.assertEqual((nowhere.dropped_records, nowhere.buffered_bytes), (2, 16))

    def test_a_record_sent_after_a_reconnect_keeps_its_guid(self):
        c = perfdash.RecordsClient(self.path, reconnect_interval=0)
        first = RecordSink(self.path)
        perfdash.Run("wf", records=c, log=False).finish()
        self.assertEqual(len(first.wait_for(1)), 1)
        first.close()
        run = perfdash.Run("wf", records=c, log=False)
        run.finish()  # the collector is gone: the record waits in the buffer
        self.assertEqual(c.sent_records, 1)
        second = RecordSink(self.path)
        self.assertTrue(c.flush_for(5))
        self.assertEqual([r["guid"] for r in second.wait_for(1)], [run.record.guid])
        c.close()
        second.close()

    def test_disabled_drops_everything(self):
        c = perfdash.RecordsClient(self.path, enabled=False)
        self.assertFalse(c.send({"n": 1}))
        self.assertEqual(c.dropped_records, 1)

    def test_statsd_over_udp_and_unix_datagram(self):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        c = perfdash.StatsdClient("127.0.0.1", udp.getsockname()[1], prefix="py.")
        c.timing("latency", 12.5, tags={"model": "m1"})
        self.assertEqual(udp.recv(2048), b"py.latency:12.5|ms|#model:m1")
        with c.batch():
            c.count("requests")
            c.gauge("queue", 4.0)
        self.assertEqual(udp.recv(2048), b"py.requests:1|c\npy.queue:4|g")
        c.count("nan", float("nan"))
        self.assertEqual((c.sent_lines, c.dropped_lines), (3, 1))
        c.close()
        udp.close()

        path = os.path.join(self.dir.name, "dsd.socket")
        dsd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        dsd.bind(path)
        c = perfdash.StatsdClient(unix_path=path)
        c.distribution("payload", -1.5)
        self.assertEqual(dsd.recv(2048), b"payload:-1.5|d")
        dsd.close()
        os.unlink(path)
        c.gauge("g", 1)  # nobody there any more: counted, not raised
        self.assertEqual(c.dropped_lines, 1)
        c.close()


if __name__ == "__main__":
    unittest.main()
