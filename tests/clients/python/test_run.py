# SPDX-License-Identifier: GPL-3.0-or-later
"""Run: timing on an injected clock, the performance record, the log lines and the `run` record it sends, with its
workflow fields (tenant, retries, execution mode, error, memory, failed steps) and its guid."""
import os
import re
import unittest

import perfdash
from sink import SinkTestCase


class RunTest(SinkTestCase):
    def setUp(self):
        super().setUp()
        self.log = []
        perfdash.set_log_hook(lambda level, message: self.log.append(message))

    def tearDown(self):
        perfdash.reset_log_hook()
        super().tearDown()

    def run_options(self, **extra):
        return dict(records=self.records, clock=self.fake.clock, **extra)

    def test_times_steps_and_sends_the_record(self):
        with perfdash.Run("inference", tags={"model": "m1"}, **self.run_options()) as run:
            self.assertEqual(self.log, ["Inference workflow started at: 2022-07-06T09:33:20.000Z"])
            for name, seconds in (("load_data", 0.25), ("load_model", 1.0), ("preprocess", 0.09), ("predict", 0.75),
                                  ("postprocess", 0.25)):
                with run.step(name):
                    self.fake.advance(seconds)
        r = run.record
        self.assertAlmostEqual(r.execution_time, 2.34)
        self.assertEqual(r.execution_time_formatted, "2.34 seconds")
        self.assertEqual(r.start_time, 1657100000.0)
        self.assertAlmostEqual(r.end_time, 1657100002.34)
        self.assertEqual(r.start_datetime, "2022-07-06T09:33:20.000Z")
        self.assertEqual(r.end_datetime, "2022-07-06T09:33:22.340Z")
        self.assertTrue(r.success)
        self.assertEqual([s.name for s in r.steps], ["load_data", "load_model", "preprocess", "predict", "postprocess"])
        self.assertAlmostEqual(r.steps[3].start_time, 1657100001.34)
        self.assertEqual(self.log[1], "Inference execution time: 2.34 seconds")
        self.assertIs(run.finish(), r)  # finishing twice returns the same record

        sent = self.sink.wait_for(1)[0]
        self.assertEqual(sent["type"], "run")
        self.assertEqual(sent["workflow"], "inference")
        self.assertAlmostEqual(sent["execution_s"], 2.34)
        self.assertAlmostEqual(sent["end"] - sent["start"], 2.34, places=6)  # Unix seconds keep ~7 digits after the point
        self.assertEqual(sent["success"], True)
        self.assertEqual(sent["tags"], {"model": "m1"})
        self.assertEqual(len(sent["steps"]), 5)
        self.assertAlmostEqual(sent["steps"][1]["elapsed_s"], 1.0)
        self.assertEqual(r.as_dict()["execution_time_formatted"], "2.34 seconds")

    def test_an_exception_marks_the_run_failed(self):
        with self.assertRaises(RuntimeError):
            with perfdash.Run("nightly", **self.run_options(log=False)) as run:
                with run.step("fit"):
                    self.fake.advance(3)
                    raise RuntimeError("diverged")
        sent = self.sink.wait_for(1)[0]
        self.assertFalse(sent["success"])
        self.assertEqual(sent["execution_s"], 3.0)
        self.assertEqual(sent["steps"][0]["elapsed_s"], 3.0)
        self.assertEqual(self.log, [])

    def test_decorator_and_module_level_steps(self):
        @perfdash.timed_run("wf", **self.run_options())
        def pipeline(x):
            with perfdash.step("a"):
                self.fake.advance(0.5)
            inner()
            return x * 2

        @perfdash.step("b")
        def inner():
            self.fake.advance(0.25)

        self.assertEqual(pipeline(21), 42)
        self.assertEqual(pipeline.last_record.execution_time_formatted, "0.75 seconds")
        self.assertEqual([s.name for s in pipeline.last_record.steps], ["a", "b"])
        self.assertIsNone(perfdash.current_run())
        inner()  # outside a run a step only runs

    def test_disabled_sends_and_logs_nothing_but_still_times(self):
        run = perfdash.Run("inference", **self.run_options(enabled=False))
        self.fake.advance(1.25)
        self.assertEqual(run.finish().execution_time_formatted, "1.25 seconds")
        self.assertEqual(self.log, [])
        self.assertEqual(self.records.sent_records, 0)

    def test_config_reads_the_environment_and_the_file(self):
        path = os.path.join(self.dir.name, "client.conf")
        with open(path, "w") as f:
            f.write("# perfdash client\nenabled = false   # off here\ningest_socket = /tmp/x/ingest.sock\nother = 1\n")
        saved = {k: os.environ.get(k) for k in ("PERFDASH_CONFIG", "PERFDASH_ENABLED", "PERFDASH_INGEST_SOCKET",
                                                "XDG_CONFIG_HOME")}
        try:
            os.environ["PERFDASH_CONFIG"] = path
            os.environ.pop("PERFDASH_ENABLED", None)
            os.environ.pop("PERFDASH_INGEST_SOCKET", None)
            c = perfdash.Config.load()
            self.assertEqual((c.enabled, c.ingest_socket, c.config_file), (False, "/tmp/x/ingest.sock", path))
            os.environ["PERFDASH_ENABLED"] = "1"
            self.assertTrue(perfdash.Config.load().enabled)
            os.environ["PERFDASH_ENABLED"] = "off"
            del os.environ["PERFDASH_CONFIG"]
            os.environ["XDG_CONFIG_HOME"] = os.path.join(self.dir.name, "nowhere")
            c = perfdash.Config.load()
            self.assertEqual((c.enabled, c.config_file), (False, ""))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_steps_beyond_the_limit_are_counted(self):
        run = perfdash.Run("many", **self.run_options(log=False))
        for _ in range(1030):
            run.add_step("s", 1657100000.0, 0.001)
        self.assertEqual(len(run.record.steps), 1024)
        self.assertEqual(run.dropped_steps, 6)

    def test_a_raising_log_hook_costs_only_its_line(self):
        def hook(level, message):
            raise RuntimeError("hook")

        perfdash.set_log_hook(hook)
        with perfdash.Run("inference", **self.run_options()):
            self.fake.advance(1)
        self.assertEqual(len(self.sink.wait_for(1)), 1)

    def test_workflow_fields_and_a_failed_step(self):
        with self.assertRaises(MemoryError):
            with perfdash.Run("nightly-train", tenant="ml", execution_mode="sequential",
                              **self.run_options(log=False, measure_memory=False)) as run:
                run.retries += 2
                with run.step("load"):
                    self.fake.advance(20.5)
                with run.step("fit"):
                    self.fake.advance(280)
                    raise MemoryError("fit: out of memory")
        sent = self.sink.wait_for(1)[0]
        self.assertEqual(sent, {
            "type": "run", "v": 1, "guid": run.record.guid, "workflow": "nightly-train", "tenant": "ml",
            "start": 1657100000.0, "end": 1657100300.5, "execution_s": 300.5, "success": False, "steps_failed": 1,
            "retries": 2, "execution_mode": "sequential", "error": "MemoryError: fit: out of memory",
            "error_category": "memory",
            "steps": [{"name": "load", "start": 1657100000.0, "elapsed_s": 20.5},
                      {"name": "fit", "start": 1657100020.5, "elapsed_s": 280.0, "success": False}]})
        r = run.record
        self.assertEqual((r.tenant, r.retries, r.execution_mode, r.steps_failed), ("ml", 2, "sequential", 1))
        self.assertEqual([s.success for s in r.steps], [True, False])
        self.assertIsNone(r.memory_mb)

    def test_a_step_that_raises_inside_a_run_that_goes_on(self):
        @perfdash.step("parse")
        def parse():
            raise ValueError("bad row")

        with perfdash.Run("import", **self.run_options(log=False)) as run:
            for _ in range(2):
                try:
                    parse()
                except ValueError:
                    run.retries += 1
            with perfdash.step("write"):
                self.fake.advance(1)
        sent = self.sink.wait_for(1)[0]
        self.assertIs(sent["success"], True)
        self.assertNotIn("error", sent)
        self.assertEqual(sent["steps_failed"], 2)
        self.assertEqual(sent["retries"], 2)
        self.assertEqual([s.get("success", True) for s in sent["steps"]], [False, False, True])

    def test_fail_with_a_message_and_category(self):
        run = perfdash.Run("sync", **self.run_options(log=False, measure_memory=False))
        run.fail("e" * 12000, "network")
        run.finish()
        sent = self.sink.wait_for(1)[0]
        self.assertIs(sent["success"], False)
        self.assertEqual(len(sent["error"]), 5000)
        self.assertTrue(sent["error"].endswith("\u2026[truncated]"))
        self.assertEqual(sent["error_category"], "network")
        self.assertNotIn("steps_failed", sent)  # no steps
        self.assertNotIn("retries", sent)

    def test_retries_that_are_not_a_count_lose_the_field_not_the_run(self):
        cases = (("twice", None), (2.9, 2), (10 ** 20, 2 ** 53), (-1, None))
        for retries, _ in cases:
            perfdash.Run("sync", **self.run_options(log=False, measure_memory=False), retries=retries).finish()
        sent = self.sink.wait_for(len(cases))
        self.assertEqual([r.get("retries") for r in sent], [expected for _, expected in cases])

    def test_an_exception_keeps_a_category_given_before(self):
        with self.assertRaises(KeyError):
            with perfdash.Run("x", **self.run_options(log=False)) as run:
                run.fail(category="lookup")
                raise KeyError("id")
        self.assertEqual((run.record.error, run.record.error_category), ("KeyError: 'id'", "lookup"))

    def test_steps_failed_counts_steps_beyond_the_limit(self):
        run = perfdash.Run("many", **self.run_options(log=False))
        for i in range(1030):
            run.add_step("s", 1657100000.0, 0.001, success=i < 1025)
        self.assertEqual((len(run.record.steps), run.dropped_steps, run.record.steps_failed), (1024, 6, 5))

    def test_memory_when_the_run_ends(self):
        with perfdash.Run("inference", **self.run_options(log=False)):
            pass
        sent = self.sink.wait_for(1)[0]
        self.assertGreater(sent["memory_mb"], 1)
        self.assertLess(abs(sent["memory_mb"] - perfdash.resident_memory_mb()), 64)

    def test_every_run_gets_its_own_guid_and_keeps_it(self):
        canonical = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        runs = [perfdash.Run("wf", **self.run_options(log=False)) for _ in range(3)]
        guids = [run.record.guid for run in runs]
        self.assertTrue(all(canonical.match(g) for g in guids), guids)
        self.assertEqual(len(set(guids)), 3)
        record = runs[0].finish()
        self.assertEqual(record.to_record()["guid"], guids[0])
        self.assertEqual(record.to_record()["guid"], guids[0])  # made once, not per record sent
        self.assertEqual(record.as_dict()["guid"], guids[0])
        self.assertEqual(self.sink.wait_for(1)[0]["guid"], guids[0])


if __name__ == "__main__":
    unittest.main()
