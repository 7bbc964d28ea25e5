# SPDX-License-Identifier: GPL-3.0-or-later
"""Sampler: first sample at once, the interval, the stop timeout, samples kept when the work raises, SIGINT and
SIGTERM (also while the sampler's lock is held), off the main thread; ProcessReader against /proc; timestamps, the
seed's option names, custom samples as series, the current sampler of a context; samples handed on before they are
kept, wait_for(); a forked child."""
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import warnings

import perfdash
from fakeclock import FakeClock, local_time
from gate import TIMEOUT, GatedSample
from perfdash._telemetry import TelemetryBuffer
from sink import SinkTestCase

PYTHONPATH = os.environ.get("PYTHONPATH", "")


def run_script(code, timeout=30):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=PYTHONPATH))


class SamplerTest(unittest.TestCase):
    def test_first_sample_at_once(self):
        calls = []
        s = perfdash.Sampler(lambda: calls.append(1) or len(calls), interval=10, handle_signals=False)
        start = time.monotonic()
        self.assertTrue(s.start())
        self.addCleanup(s.stop)  # a failing test leaves no sampler running
        self.assertFalse(s.start())
        self.assertTrue(s.wait_for(1, timeout=2))
        self.assertTrue(s.stop())  # wakes the 10 s wait at once
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(s.samples, [1])
        self.assertFalse(s.running)

    def test_samples_every_interval(self):
        counter = iter(range(1000))
        start = time.monotonic()
        with perfdash.Sampler(lambda: next(counter), interval=0.02, handle_signals=False) as s:
            time.sleep(0.3)
        elapsed = time.monotonic() - start  # a loaded machine sleeps longer: the bound follows what passed
        self.assertTrue(3 <= len(s.samples) <= elapsed / 0.02 + 2, (len(s.samples), elapsed))
        self.assertEqual(s.samples, list(range(len(s.samples))))

    def test_samples_are_kept_when_the_work_raises(self):
        s = perfdash.Sampler(lambda: 1, interval=0.01, handle_signals=False)

        @s
        def work():
            time.sleep(0.06)
            raise RuntimeError("the workload failed")

        with self.assertRaises(RuntimeError):
            work()
        self.assertFalse(s.running)
        self.assertGreaterEqual(len(s.samples), 1)
        self.assertEqual(s.measure(lambda x: x + 1, 4), 5)

    def test_a_raising_sample_function_costs_one_sample(self):
        n = iter(range(1000))

        def flaky():
            v = next(n)
            if v % 2:
                raise OSError("flaky")
            return v

        s = perfdash.Sampler(flaky, interval=0.005, handle_signals=False)
        s.start()
        deadline = time.monotonic() + 5
        while s.sample_errors < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        s.stop()
        self.assertGreaterEqual(s.sample_errors, 2)
        self.assertTrue(all(v % 2 == 0 for v in s.samples))

    def test_stop_timeout_leaves_a_hanging_sample_behind(self):
        release = threading.Event()
        before = threading.active_count()
        s = perfdash.Sampler(lambda: release.wait(), interval=0.01, stop_timeout=0.1, handle_signals=False)
        perfdash.set_log_hook(lambda level, message: None)
        try:
            s.start()
            time.sleep(0.02)
            start = time.monotonic()
            self.assertFalse(s.stop())
            self.assertTrue(0.09 <= time.monotonic() - start < 2)
            # A new start() gets its own thread and stop event; the one left behind never resumes.
            self.assertTrue(s.start())
            self.assertFalse(s.stop())
            release.set()
            time.sleep(0.1)
            self.assertEqual(threading.active_count(), before)
        finally:
            perfdash.reset_log_hook()
            release.set()

    def test_off_the_main_thread_it_warns_and_leaves_signals_alone(self):
        before = signal.getsignal(signal.SIGTERM)
        caught = []

        def starter():
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                s = perfdash.Sampler(lambda: 1, interval=0.01)
                s.start()
                s.stop()
                caught.extend(w)

        t = threading.Thread(target=starter)
        t.start()
        t.join()
        self.assertEqual(len(caught), 1)
        self.assertIs(caught[0].category, RuntimeWarning)
        self.assertIn("main thread", str(caught[0].message))
        self.assertEqual(signal.getsignal(signal.SIGTERM), before)

    def test_sigint_stops_the_sampler_then_raises_keyboard_interrupt(self):
        # Python leaves SIGINT ignored when it starts ignored (a background job); an interactive program has this.
        out = run_script("""
            import os, signal, time, perfdash
            signal.signal(signal.SIGINT, signal.default_int_handler)
            s = perfdash.Sampler(lambda: 1, interval=0.01)
            s.start()
            assert signal.getsignal(signal.SIGINT) != signal.default_int_handler
            try:
                time.sleep(0.1)
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
                print("not interrupted")
            except KeyboardInterrupt:
                print("interrupted", s.running, s.stopped_by_signal == signal.SIGINT,
                      signal.getsignal(signal.SIGINT) is signal.default_int_handler, len(s.samples) > 0)
        """)
        self.assertEqual(out.stdout.strip(), "interrupted False True True True", out.stderr)

    def test_an_ignored_signal_stops_the_sampler_and_stays_ignored(self):
        out = run_script("""
            import os, signal, time, perfdash
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            s = perfdash.Sampler(lambda: 1, interval=0.01)
            s.start()
            time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
            print("still here", s.running, s.stopped_by_signal == signal.SIGINT,
                  signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
        """)
        self.assertEqual(out.stdout.strip(), "still here False True True", out.stderr)

    def test_sigterm_stops_the_sampler_then_calls_the_previous_handler(self):
        out = run_script("""
            import os, signal, sys, time, perfdash
            def previous(signum, frame):
                print("previous", signum, s.running, s.stopped_by_signal == signal.SIGTERM,
                      signal.getsignal(signal.SIGTERM) is previous, flush=True)
                sys.exit(3)
            signal.signal(signal.SIGTERM, previous)
            s = perfdash.Sampler(lambda: 1, interval=0.01)
            s.start()
            time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
            print("not reached")
        """)
        self.assertEqual(out.stdout.strip(), f"previous {int(signal.SIGTERM)} False True True", out.stderr)
        self.assertEqual(out.returncode, 3)

    def test_sigterm_with_the_default_action_still_terminates(self):
        start = time.monotonic()
        out = run_script("""
            import os, signal, time, perfdash
            s = perfdash.Sampler(lambda: 1, interval=0.01)
            s.start()
            time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
            print("not reached")
        """)
        self.assertEqual(out.returncode, -signal.SIGTERM, out.stderr)
        self.assertNotIn("not reached", out.stdout)
        self.assertLess(time.monotonic() - start, 4)

    def test_a_signal_while_the_lock_is_held_does_not_deadlock(self):
        # In a child process, so that a handler that blocks fails this test by its timeout instead of hanging the suite.
        # The handler runs inside raise_signal(), on the thread that holds the lock, as when Ctrl-C hits attach().
        out = run_script("""
            import os, signal, tempfile, perfdash
            os.environ["PERFDASH_INGEST_SOCKET"] = os.path.join(tempfile.mkdtemp(), "nobody.sock")
            got = []
            def previous(signum, frame):
                got.append(signum)
            signal.signal(signal.SIGINT, previous)
            s = perfdash.Sampler(lambda: 1, interval=0.001)
            s.start()
            with s._lock:  # as attach() and detach() hold it
                signal.raise_signal(signal.SIGINT)
                print("returned", got == [signal.SIGINT], s.running, s.stopped_by_signal == signal.SIGINT,
                      signal.getsignal(signal.SIGINT) is previous, flush=True)
            print("stopped", s.stop(), flush=True)
            s.start()
            perfdash.default_records().send({"type": "metric"})  # waits: nobody listens
            with perfdash.default_records()._lock:  # as send() holds it; the handler flushes this client
                signal.raise_signal(signal.SIGINT)
                print("returned", got == [signal.SIGINT] * 2, s.running, flush=True)
            print("stopped", s.stop(), flush=True)
        """, timeout=20)
        self.assertEqual(out.stdout.splitlines(), ["returned True False True True", "stopped True",
                                                  "returned True False", "stopped True"], out.stderr)

    def test_process_reader_matches_proc(self):
        def proc_status():
            status = {}
            with open("/proc/self/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    status[key] = value.split()
            return status

        reader = perfdash.ProcessReader()
        threads_before = int(proc_status()["Threads"][0])
        first = reader.read()
        status = proc_status()
        self.assertEqual(first.pid, os.getpid())
        # A thread an earlier test joined may still be leaving the kernel: the count only falls meanwhile.
        self.assertTrue(int(status["Threads"][0]) <= first.threads <= threads_before,
                        (threads_before, first.threads, status["Threads"]))
        self.assertLess(abs(first.rss_mb - int(status["VmRSS"][0]) / 1024), 4)
        self.assertLess(abs(first.vms_mb - int(status["VmSize"][0]) / 1024), 16)
        self.assertGreaterEqual(first.cpu_percent, 0)
        # Busy until this process used 200 ms of CPU; compared with the CPU clock over the same wall time, since a
        # loaded machine gives us less than a core. /proc counts in 10 ms ticks, hence the tolerance.
        cpu0, wall0 = time.process_time(), time.monotonic()
        while time.process_time() - cpu0 < 0.2:
            pass
        second = reader.read()
        expected = 100 * (time.process_time() - cpu0) / (time.monotonic() - wall0)
        self.assertLess(abs(second.cpu_percent - expected), 20, (second.cpu_percent, expected))
        self.assertGreater(second.cpu_percent, 0)

    def test_process_sampler_sends_sample_records(self):
        import tempfile
        from sink import RecordSink
        with tempfile.TemporaryDirectory() as d:
            sink = RecordSink(os.path.join(d, "ingest.sock"))
            records = perfdash.RecordsClient(sink.path)
            with perfdash.Sampler(interval=0.001, records=records, tags={"service": "api"},
                                  handle_signals=False) as s:
                self.assertTrue(s.wait_for(2, timeout=TIMEOUT))
            got = sink.wait_for(2)
            records.close()
            sink.close()
        self.assertGreaterEqual(len(got), 2)
        self.assertEqual(got[0]["type"], "sample")
        self.assertEqual(got[0]["pid"], os.getpid())
        self.assertEqual(got[0]["tags"], {"service": "api"})
        self.assertGreater(got[0]["rss_mb"], 1)


class CountingRecords(perfdash.RecordsClient):
    """Counts the writes of batches."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def send_many(self, records):
        records = list(records)
        self.batches.append(len(records))
        return super().send_many(records)


class SampleTimeTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeClock(wall=1796547600.25)  # 2026-12-06T09:00:00.250Z

    def gated(self, gate, **extra):
        return perfdash.Sampler(gate, interval=0.001, clock=self.fake.clock, handle_signals=False, **extra)

    def test_each_sample_gets_ts_and_a_local_timestamp(self):
        gate = GatedSample(["a", {"b": 1}])
        s = self.gated(gate)
        with local_time():
            s.start()
            gate.wait_parked()
            gate.take()
            self.fake.advance(1.5)
            gate.take()
            gate.open()
            s.stop()
        self.assertEqual(s.samples, ["a", {"b": 1}])  # the values as returned, as before
        self.assertEqual(s.entries, [perfdash.TimedSample(1796547600.25, "2026-12-06T10:00:00.250+01:00", "a"),
                                     perfdash.TimedSample(1796547601.75, "2026-12-06T10:00:01.750+01:00", {"b": 1})])

    def test_process_samples_carry_their_time(self):
        with local_time():
            sample = perfdash.ProcessReader(wall=self.fake.clock.wall).read()
        self.assertEqual(sample.ts, 1796547600.25)
        self.assertEqual(sample.time, sample.ts)
        self.assertEqual(sample.timestamp, "2026-12-06T10:00:00.250+01:00")
        self.assertEqual(sample._asdict(), {"pid": os.getpid(), "cpu_percent": max(0.0, sample.cpu_percent),
                                            "rss_mb": sample.rss_mb, "vms_mb": sample.vms_mb,
                                            "threads": sample.threads})

    def test_max_samples_bounds_entries_too(self):
        gate = GatedSample()
        s = self.gated(gate, max_samples=2)
        s.start()
        gate.wait_parked()
        gate.take(3)
        gate.open()
        s.stop()
        self.assertEqual(s.samples, [0, 1])
        self.assertEqual([e.value for e in s.entries], [0, 1])
        self.assertGreaterEqual(s.dropped_samples, 1)


class Listener:
    """A run's TelemetryBuffer as the sampler sees it; notes how many samples the sampler had kept at each one."""

    def __init__(self, sampler):
        self.sampler = sampler
        self.kept_when_given = []

    def add(self, entry):
        self.kept_when_given.append(len(self.sampler.entries))


class HandOnTest(unittest.TestCase):
    def gated(self, gate):
        s = perfdash.Sampler(gate, interval=0.001, handle_signals=False)
        s.start()
        self.addCleanup(s.stop)  # also when the test fails: no sampler left running for the next tests
        self.addCleanup(gate.open)
        return s

    def test_a_sample_reaches_the_runs_before_it_is_kept(self):
        gate = GatedSample()
        s = self.gated(gate)
        listener = Listener(s)
        self.assertTrue(s.attach(listener))
        gate.wait_parked()
        gate.take(3)
        gate.open()
        s.stop()
        # Not yet in entries when handed on: whoever sees N entries knows each run got those N.
        self.assertEqual(listener.kept_when_given, [0, 1, 2])

    def test_wait_for_returns_once_entries_holds_that_many(self):
        with perfdash.Sampler(lambda: 1, interval=0.001, handle_signals=False) as s:
            self.assertTrue(s.wait_for(5, timeout=TIMEOUT))
            self.assertGreaterEqual(len(s.entries), 5)
            self.assertTrue(s.wait_for(1, timeout=0))
        self.assertFalse(perfdash.Sampler(lambda: 1).wait_for(1))  # not running: returns at once

    def test_wait_for_times_out_and_ends_with_the_sampler(self):
        gate = GatedSample()
        s = self.gated(gate)
        gate.wait_parked()
        gate.take(2)
        self.assertFalse(s.wait_for(3, timeout=0.01))  # the third is held back
        answers = []
        waiter = threading.Thread(target=lambda: answers.append(s.wait_for(100)))  # no timeout
        waiter.start()
        gate.open()
        s.stop()
        waiter.join(TIMEOUT)
        self.assertFalse(waiter.is_alive())  # stop() woke it
        self.assertEqual(answers, [len(s.entries) >= 100])


@unittest.skipUnless(hasattr(os, "fork"), "needs fork()")
class ForkTest(SinkTestCase):
    def fork(self, child):
        """Runs child() in a forked child; returns what it returns (JSON), or fails when it does not answer."""
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12 warns about fork() with threads
            pid = os.fork()
        if pid == 0:
            answer = {"error": "raised"}
            try:
                os.close(read_end)
                answer = child()
            except BaseException as e:
                answer = {"error": repr(e)}
            finally:
                os.write(write_end, json.dumps(answer).encode())
                os._exit(0)
        os.close(write_end)
        data = b""
        try:
            while True:
                ready, _, _ = select.select([read_end], [], [], 2 * TIMEOUT)
                if not ready:
                    os.kill(pid, signal.SIGKILL)
                    self.fail("the forked child did not answer: it hangs")
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
        return json.loads(data)

    def test_a_forked_child_has_no_running_sampler_and_no_held_locks(self):
        gate = GatedSample()
        s = perfdash.Sampler(gate, interval=0.001, handle_signals=False, records=self.records)
        s.start()
        self.addCleanup(s.stop)
        self.addCleanup(gate.open)
        gate.wait_parked()  # the thread waits in the sample function: it does not exist in the child
        parent_run = perfdash.Run("parent", records=self.records, log=False, measure_memory=False)
        # Another thread holds the locks when the child is forked, as the sampler's thread does while it hands a
        # sample on and sends it: in the child nobody would ever release them.
        holding, release = threading.Event(), threading.Event()

        def hold():
            with s._lock, self.records._lock, parent_run._telemetry._lock:
                holding.set()
                release.wait()

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait()

        def child():
            answer = {"running": s.running, "current": perfdash.current_sampler() is s,
                      "attached": s.attach(TelemetryBuffer()), "parent_run": parent_run._telemetry.snapshot()[1]}
            gate.open()
            answer["started"] = s.start()
            with perfdash.Run("child", records=self.records, log=False, measure_memory=False) as run:
                answer["sampled"] = s.wait_for(len(s.entries) + 2, timeout=TIMEOUT)
            answer["stopped"] = s.stop()
            answer["telemetry"] = len(run.record.telemetry) >= 1
            answer["flushed"] = self.records.flush_for(TIMEOUT)
            return answer

        try:
            answer = self.fork(child)
        finally:
            release.set()
            holder.join()
        self.assertEqual(answer, {"running": False, "current": False, "attached": False, "parent_run": 0,
                                  "started": True, "sampled": True, "stopped": True, "telemetry": True,
                                  "flushed": True})
        sent = self.sink.wait_for(1)
        self.assertEqual([(r["type"], r["workflow"]) for r in sent], [("run", "child")])  # on its own connection
        self.assertTrue(s.running)  # the parent's sampler goes on
        gate.open()
        parent_run.finish()
        self.assertTrue(s.stop())
        self.assertEqual([r["workflow"] for r in self.sink.wait_for(2)], ["child", "parent"])


class SamplerOptionsTest(unittest.TestCase):
    def test_defaults_and_the_seeds_names(self):
        s = perfdash.Sampler(lambda: 1)
        self.assertEqual((s.interval, s.stop_timeout), (1.0, 2.0))
        s = perfdash.Sampler(lambda: 1, telemetry_interval=60, telemetry_timeout=30)
        self.assertEqual((s.interval, s.stop_timeout), (60.0, 30))
        s = perfdash.Sampler(lambda: 1, interval=0.5, telemetry_timeout=3)
        self.assertEqual((s.interval, s.stop_timeout), (0.5, 3))

    def test_an_option_and_its_alias_together_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, "interval= and its alias telemetry_interval="):
            perfdash.Sampler(lambda: 1, interval=1, telemetry_interval=2)
        with self.assertRaisesRegex(TypeError, "stop_timeout= and its alias telemetry_timeout="):
            perfdash.Sampler(lambda: 1, stop_timeout=1, telemetry_timeout=1)

    def test_series_is_for_a_sample_function(self):
        with self.assertRaises(TypeError):
            perfdash.Sampler(series="proc")

    def test_the_running_sampler_is_the_contexts_current_one(self):
        s = perfdash.Sampler(lambda: 1, interval=10, handle_signals=False)
        self.assertIsNone(perfdash.current_sampler())
        with s:
            self.assertIs(perfdash.current_sampler(), s)
            elsewhere = []
            t = threading.Thread(target=lambda: elsewhere.append(perfdash.current_sampler()))
            t.start()
            t.join()
            self.assertEqual(elsewhere, [None])  # a thread has its own context
        self.assertIsNone(perfdash.current_sampler())
        self.assertIs(s.measure(perfdash.current_sampler), s)
        self.assertIs(s(perfdash.current_sampler)(), s)
        self.assertIsNone(perfdash.current_sampler())


class SeriesTest(SinkTestCase):
    records_client = CountingRecords

    def sample(self, gate, n, **extra):
        s = perfdash.Sampler(gate, interval=0.001, clock=self.fake.clock, handle_signals=False, records=self.records,
                             **extra)
        s.start()
        gate.wait_parked()
        for _ in range(n):
            gate.take()
            self.fake.advance(1)
        gate.open()
        s.stop()
        return s

    def test_numeric_and_boolean_members_become_gauges(self):
        gate = GatedSample([{"loss": 0.25, "epoch": 3, "done": False, "phase": "fit", "gpu": {"util": 71},
                             "bad": float("nan"), "none": None}, 7])
        self.sample(gate, 2, series="train", tags={"model": "m1"})
        got = self.sink.wait_for(5)

        def gauge(name, value, ts):
            return {"type": "metric", "v": 1, "ts": ts, "name": name, "kind": "gauge", "value": value,
                    "tags": {"model": "m1"}}

        self.assertEqual(got, [gauge("train.loss", 0.25, 1657100000.0), gauge("train.epoch", 3, 1657100000.0),
                               gauge("train.done", 0, 1657100000.0), gauge("train.gpu.util", 71, 1657100000.0),
                               gauge("train.value", 7, 1657100001.0)])
        self.assertEqual(self.records.batches, [4, 1])  # one write a sample

    def test_numbers_a_double_cannot_hold_are_not_gauges(self):
        gate = GatedSample([{"big": 10 ** 400, "neg": -10 ** 5000, "inf": float("inf"), "wide": 2 ** 60, "ok": 1}])
        self.sample(gate, 1, series="train")
        got = self.sink.wait_for(2)
        self.assertEqual([(r["name"], r["value"]) for r in got], [("train.wide", 2 ** 60), ("train.ok", 1)])

    def test_without_series_custom_samples_are_not_sent(self):
        self.sample(GatedSample([{"loss": 0.25}, 2]), 2)
        self.assertEqual((self.records.sent_records, self.records.buffered_bytes, self.records.batches), (0, 0, []))


if __name__ == "__main__":
    unittest.main()
