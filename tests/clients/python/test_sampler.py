# SPDX-License-Identifier: GPL-3.0-or-later
"""Sampler: first sample at once, the interval, the stop timeout, samples kept when the work raises, SIGINT and
SIGTERM, off the main thread; ProcessReader against /proc."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import warnings

import perfdash

PYTHONPATH = os.environ.get("PYTHONPATH", "")


def run_script(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=PYTHONPATH))


class SamplerTest(unittest.TestCase):
    def test_first_sample_at_once(self):
        calls = []
        s = perfdash.Sampler(lambda: calls.append(1) or len(calls), interval=10, handle_signals=False)
        start = time.monotonic()
        self.assertTrue(s.start())
        self.assertFalse(s.start())
        deadline = time.monotonic() + 2
        while not calls and time.monotonic() < deadline:
            time.sleep(0.005)
        self.assertTrue(s.stop())  # wakes the 10 s wait at once
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(s.samples, [1])
        self.assertFalse(s.running)

    def test_samples_every_interval(self):
        counter = iter(range(1000))
        with perfdash.Sampler(lambda: next(counter), interval=0.02, handle_signals=False) as s:
            time.sleep(0.3)
        self.assertTrue(3 <= len(s.samples) <= 17, len(s.samples))
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

    def test_process_reader_matches_proc(self):
        reader = perfdash.ProcessReader()
        first = reader.read()
        self.assertEqual(first.pid, os.getpid())
        status = {}
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                status[key] = value.split()
        self.assertEqual(first.threads, int(status["Threads"][0]))
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
            with perfdash.Sampler(interval=0.05, records=records, tags={"service": "api"}, handle_signals=False):
                time.sleep(0.12)
            got = sink.wait_for(2)
            records.close()
            sink.close()
        self.assertGreaterEqual(len(got), 2)
        self.assertEqual(got[0]["type"], "sample")
        self.assertEqual(got[0]["pid"], os.getpid())
        self.assertEqual(got[0]["tags"], {"service": "api"})
        self.assertGreater(got[0]["rss_mb"], 1)


if __name__ == "__main__":
    unittest.main()
