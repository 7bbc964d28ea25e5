# SPDX-License-Identifier: GPL-3.0-or-later
"""Run: timing on an injected clock, the performance record, the log lines and the `run` record it sends."""
import os
import tempfile
import unittest

import perfdash
from fakeclock import FakeClock
from sink import RecordSink


class RunTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.sink = RecordSink(os.path.join(self.dir.name, "ingest.sock"))
        self.records = perfdash.RecordsClient(self.sink.path)
        self.fake = FakeClock()
        self.log = []
        perfdash.set_log_hook(lambda level, message: self.log.append(message))

    def tearDown(self):
        perfdash.reset_log_hook()
        self.records.close()
        self.sink.close()
        self.dir.cleanup()

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


if __name__ == "__main__":
    unittest.main()
