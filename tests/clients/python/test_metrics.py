# SPDX-License-Identifier: GPL-3.0-or-later
"""ModuleMetrics: `op` records, errors cut at 5000 characters, session statistics, metrics never fail the work."""
import os
import tempfile
import unittest

import perfdash
from fakeclock import FakeClock
from sink import RecordSink


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.sink = RecordSink(os.path.join(self.dir.name, "ingest.sock"))
        self.records = perfdash.RecordsClient(self.sink.path)
        self.fake = FakeClock()

    def tearDown(self):
        self.records.close()
        self.sink.close()
        self.dir.cleanup()

    def metrics(self, **extra):
        return perfdash.ModuleMetrics("importer", tags={"model": "m1"}, records=self.records, clock=self.fake.clock,
                                      **extra)

    def test_operation_record(self):
        m = self.metrics()
        with m.operation("import") as op:
            op.items = 1200
            op.target = "orders.csv"
            op.op_code = "IMP01"
            op.tenant = "billing"
            op.cache_hits = 17
            self.fake.advance(2.5)
        r = self.sink.wait_for(1)[0]
        self.assertEqual(r["type"], "op")
        self.assertEqual(r["name"], "import")
        self.assertEqual(r["ts"], 1657100002.5)
        self.assertEqual(r["items"], 1200)
        self.assertEqual(r["elapsed_s"], 2.5)
        self.assertEqual(r["items_per_s"], 480.0)
        self.assertEqual((r["target"], r["op_code"], r["tenant"], r["cache_hits"]), ("orders.csv", "IMP01", "billing", 17))
        self.assertIs(r["success"], True)
        self.assertNotIn("error", r)
        self.assertEqual(r["tags"], {"model": "m1", "module": "importer"})
        self.assertGreater(r["memory_mb"], 1)
        self.assertLess(abs(r["memory_mb"] - perfdash.resident_memory_mb()), 64)

    def test_op_code_is_the_module_unless_given(self):
        m = self.metrics()
        with m.operation("import"):
            pass

        @m.track()
        def parse():
            return None

        parse()
        with m.operation("load") as op:
            op.op_code = "LD01"
        records = self.sink.wait_for(3)
        self.assertEqual([r["op_code"] for r in records], ["importer", "importer", "LD01"])
        self.assertEqual({r["tags"]["module"] for r in records}, {"importer"})  # existing series group by the tag

    def test_errors_are_cut_at_5000_characters(self):
        with self.metrics().operation("import") as op:
            op.fail("e" * 12000, "network")
        r = self.sink.wait_for(1)[0]
        self.assertIs(r["success"], False)
        self.assertEqual(len(r["error"]), 5000)
        self.assertTrue(r["error"].endswith("\u2026[truncated]"))
        self.assertEqual(r["error_category"], "network")

    def test_an_exception_is_recorded_and_goes_on(self):
        m = self.metrics()
        with self.assertRaises(ValueError):
            with m.operation("check") as op:
                op.items = 3
                raise ValueError('row 7: "price" is not a number')

        @m.track(items=len)
        def load():
            self.fake.advance(0.5)
            return [1, 2]

        self.assertEqual(load(), [1, 2])
        failed, ok = self.sink.wait_for(2)
        self.assertIs(failed["success"], False)
        self.assertEqual(failed["error"], 'ValueError: row 7: "price" is not a number')
        self.assertEqual(failed["error_category"], "validation")
        self.assertEqual(ok["name"], "load")
        self.assertEqual(ok["items"], 2)
        self.assertEqual(ok["items_per_s"], 4.0)

    def test_error_categories(self):
        self.assertEqual(perfdash.error_category(MemoryError()), "memory")
        self.assertEqual(perfdash.error_category(TimeoutError()), "timeout")
        self.assertEqual(perfdash.error_category(ConnectionResetError()), "network")
        self.assertEqual(perfdash.error_category(FileNotFoundError()), "io")
        self.assertEqual(perfdash.error_category(KeyError("k")), "validation")
        self.assertEqual(perfdash.error_category(RuntimeError()), "RuntimeError")

    def test_session_statistics(self):
        m = self.metrics()
        for i in range(4):
            with m.operation("import") as op:
                op.items = 100
                if i == 3:
                    op.fail("boom", "runtime")
                self.fake.advance(0.5)
        self.fake.advance(3)
        s = m.stats()
        self.assertEqual((s.operations, s.items, s.total_time, s.errors, s.uptime), (4, 400, 2.0, 1, 5.0))
        self.assertEqual((s.average_rate, s.error_rate), (200.0, 0.25))
        self.assertEqual(m.format_stats(),
                         "Session statistics (importer)\n"
                         "  operations:   4\n"
                         "  items:        400\n"
                         "  total time:   2.00 seconds\n"
                         "  average rate: 200.00 items/s\n"
                         "  errors:       1 (25.0%)\n"
                         "  uptime:       5.00 seconds\n")

    def test_no_collector_does_not_fail_the_operation(self):
        nowhere = perfdash.RecordsClient(os.path.join(self.dir.name, "nobody.sock"), max_buffer_bytes=1024)
        m = perfdash.ModuleMetrics("m", records=nowhere, clock=self.fake.clock)

        @m.track(items=lambda result: 1 / 0)  # a failing items function costs the field, not the call
        def work():
            return 7

        for _ in range(50):
            self.assertEqual(work(), 7)
        self.assertEqual(m.stats().operations, 50)
        self.assertGreater(nowhere.dropped_records, 0)
        self.assertEqual(nowhere.sent_records, 0)

    def test_disabled_keeps_statistics_but_sends_nothing(self):
        m = self.metrics(enabled=False)
        with m.operation("op") as op:
            op.items = 5
        self.assertEqual(m.stats().items, 5)
        self.assertEqual(self.records.sent_records, 0)


if __name__ == "__main__":
    unittest.main()
