# SPDX-License-Identifier: GPL-3.0-or-later
"""ModuleMetrics: `op`, `api_call` and `notification` records, guids, errors cut at 5000 characters, session
statistics, metrics never fail the work."""
import os
import re
import unittest

import perfdash
from sink import SinkTestCase


class MetricsTest(SinkTestCase):
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

    def test_api_call_record(self):
        m = self.metrics()
        with m.api_call("post", "/v1/charge") as call:
            call.tenant = "billing"
            call.status = 502
            call.request_kb = 1.5
            call.response_kb = 0.25
            call.cache_hit = False
            self.fake.advance(0.75)
        self.assertEqual(self.sink.wait_for(1)[0], {
            "type": "api_call", "v": 1, "ts": 1657100000.75, "guid": call.guid, "op_code": "importer",
            "tenant": "billing", "method": "POST", "endpoint": "/v1/charge", "status": 502, "request_kb": 1.5,
            "response_kb": 0.25, "cache_hit": False, "elapsed_s": 0.75, "success": False,
            "tags": {"model": "m1", "module": "importer"}})

    def test_api_call_success_follows_the_status_unless_told(self):
        m = self.metrics()
        for status in (200, 399, 404, 0, None):
            with m.api_call("GET", "/v1/items") as call:
                call.status = status
            self.assertEqual(call.success, status is None or 0 < status < 400, status)
        with m.api_call("GET", "/v1/items") as call:
            call.status = 500
            call.success = True  # the caller knows better
        with m.api_call("GET", "/v1/items") as call:
            call.status = 200
            call.fail("empty body", "validation")
        got = self.sink.wait_for(7)
        self.assertEqual([r["success"] for r in got], [True, True, False, False, True, True, False])
        self.assertEqual((got[6]["error"], got[6]["error_category"]), ("empty body", "validation"))
        self.assertNotIn("status", got[4])
        self.assertEqual(got[3]["status"], 0)

    def test_an_exception_fails_the_api_call_and_goes_on(self):
        m = self.metrics()
        with self.assertRaises(TimeoutError):
            with m.api_call("GET", "/v1/rates") as call:
                call.status = 200
                self.fake.advance(2)
                raise TimeoutError("read timed out")
        self.assertEqual(self.sink.wait_for(1)[0], {
            "type": "api_call", "v": 1, "ts": 1657100002.0, "guid": call.guid, "op_code": "importer", "method": "GET",
            "endpoint": "/v1/rates", "status": 200, "elapsed_s": 2.0, "success": False,
            "error": "TimeoutError: read timed out", "error_category": "timeout",
            "tags": {"model": "m1", "module": "importer"}})

    def test_notification_record(self):
        m = self.metrics()
        with m.notification("email") as note:
            note.op_code = "NTF01"
            note.recipients = 120
            note.delivered = 118
            note.failed = 2
            note.queue_depth = 35
            self.fake.advance(1.5)
        self.assertEqual(self.sink.wait_for(1)[0], {
            "type": "notification", "v": 1, "ts": 1657100001.5, "guid": note.guid, "op_code": "NTF01",
            "channel": "email", "recipients": 120, "delivered": 118, "failed": 2, "queue_depth": 35, "elapsed_s": 1.5,
            "success": True, "tags": {"model": "m1", "module": "importer"}})

    def test_an_exception_fails_the_notification_and_goes_on(self):
        with self.assertRaises(ConnectionRefusedError):
            with self.metrics().notification("sms") as note:
                note.recipients = 3
                raise ConnectionRefusedError("gateway down")
        self.assertEqual(self.sink.wait_for(1)[0], {
            "type": "notification", "v": 1, "ts": 1657100000.0, "guid": note.guid, "op_code": "importer",
            "channel": "sms", "recipients": 3, "elapsed_s": 0.0, "success": False,
            "error": "ConnectionRefusedError: gateway down", "error_category": "network",
            "tags": {"model": "m1", "module": "importer"}})

    def test_values_that_are_not_numbers_lose_their_field_not_the_record(self):
        m = self.metrics()
        with m.api_call("GET", "/v1/rates") as timed_out:
            timed_out.status = "timeout"
            timed_out.request_kb = "big"
            timed_out.response_kb = float("nan")
        with m.api_call("GET", "/v1/rates") as as_text:
            as_text.status = 404.0
            as_text.request_kb = "1.5"
            as_text.response_kb = 10 ** 400
        with m.notification("email") as note:
            note.recipients = "many"
            note.delivered = 2.7  # a count is whole
            note.failed = -3
            note.queue_depth = 10 ** 20  # the protocol's integers end at 2^53
        with m.operation("import") as op:
            op.items = "lots"
            op.cache_hits = 10 ** 400
            op.api_calls = float("inf")
            op.file_size_mb = "big"
            self.fake.advance(1)
        got = self.sink.wait_for(4)
        self.assertEqual(len(got), 4)
        head = {"v": 1, "ts": 1657100000.0, "op_code": "importer", "tags": {"model": "m1", "module": "importer"}}
        self.assertEqual(got[0], {**head, "type": "api_call", "guid": timed_out.guid, "method": "GET",
                                  "endpoint": "/v1/rates", "elapsed_s": 0.0, "success": False})
        self.assertEqual(got[1], {**head, "type": "api_call", "guid": as_text.guid, "method": "GET",
                                  "endpoint": "/v1/rates", "status": 404, "request_kb": 1.5, "elapsed_s": 0.0,
                                  "success": False})
        self.assertEqual(got[2], {**head, "type": "notification", "guid": note.guid, "channel": "email",
                                  "delivered": 2, "failed": 0, "queue_depth": 2 ** 53, "elapsed_s": 0.0,
                                  "success": True})
        op_record = dict(got[3])
        self.assertGreater(op_record.pop("memory_mb"), 0)
        self.assertEqual(op_record, {**head, "ts": 1657100001.0, "type": "op", "guid": op.guid, "name": "import",
                                     "cache_hits": 2 ** 53, "elapsed_s": 1.0, "success": True})
        self.assertEqual(m.stats().items, 0)

    def test_api_calls_and_notifications_are_not_operations(self):
        m = self.metrics()
        with m.api_call("GET", "/x"):
            pass
        with m.notification("push"):
            pass
        self.assertEqual(m.stats().operations, 0)
        self.assertEqual(len(self.sink.wait_for(2)), 2)

    def test_every_record_gets_its_own_guid(self):
        canonical = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        m = self.metrics()
        made = []
        for _ in range(2):
            with m.operation("import") as op:
                made.append(op)
            with m.api_call("GET", "/x") as call:
                made.append(call)
            with m.notification("email") as note:
                made.append(note)
        got = self.sink.wait_for(6)
        self.assertEqual([r["guid"] for r in got], [w.guid for w in made])
        self.assertTrue(all(canonical.match(w.guid) for w in made))
        self.assertEqual(len({w.guid for w in made}), 6)
        self.assertEqual(made[0].to_record(1.0, -1)["guid"], made[0].guid)  # the same in a resend

    def test_disabled_sends_no_api_calls_or_notifications(self):
        m = self.metrics(enabled=False)
        with m.api_call("GET", "/x") as call:
            call.status = 500
        with m.notification("email"):
            pass
        self.assertIs(call.success, False)
        self.assertEqual(self.records.sent_records, 0)


if __name__ == "__main__":
    unittest.main()
