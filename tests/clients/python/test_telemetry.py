# SPDX-License-Identifier: GPL-3.0-or-later
"""A run's telemetry: samples flattened to JSON members, the list bounded at 1024 spread over the run, and the samples
a running sampler takes carried in the `run` record (also when the block raised), thinned when the record would pass
the protocol's 1 MiB line."""
import collections
import dataclasses
import decimal
import fractions
import math
import os
import threading
import unittest

import perfdash
from fakeclock import local_time
from gate import GatedSample
from perfdash._telemetry import MAX_ENTRIES, TelemetryBuffer, sample_fields
from perfdash.records import encode
from sink import SinkTestCase

MAX_LINE_BYTES = 1 << 20  # docs/protocol.md, Framing: a line, its '\n' excluded
Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Gpu:
    util: float
    mem: Point


class SampleFieldsTest(unittest.TestCase):
    def test_dicts_dataclasses_and_namedtuples_flatten(self):
        self.assertEqual(sample_fields({"rss": 104857600, "vms": 536870912}), {"rss": 104857600, "vms": 536870912})
        self.assertEqual(sample_fields(Point(1, 2.5)), {"x": 1, "y": 2.5})
        self.assertEqual(sample_fields(Gpu(71.0, Point(5, 6))), {"util": 71.0, "mem.x": 5, "mem.y": 6})
        self.assertEqual(sample_fields({"gpu": {"util": 71, "mem": {"used": 5}}, "p": Point(1, 2), "ok": True}),
                         {"gpu.util": 71, "gpu.mem.used": 5, "p.x": 1, "p.y": 2, "ok": True})

    def test_a_scalar_is_value(self):
        self.assertEqual(sample_fields(3.5), {"value": 3.5})
        self.assertEqual(sample_fields(None), {"value": None})
        self.assertEqual(sample_fields([1, 2]), {"value": "[1, 2]"})

    def test_values_that_are_not_json_scalars_become_text(self):
        fields = sample_fields({"list": [1, 2], "set": {3}, "nan": math.nan, "inf": -math.inf,
                                "dec": decimal.Decimal("1.5"), "frac": fractions.Fraction(1, 4), "flag": False,
                                "none": None, 7: "seven"})
        self.assertEqual(fields, {"list": "[1, 2]", "set": "{3}", "nan": "nan", "inf": "-inf", "dec": "1.5",
                                  "frac": 0.25, "flag": False, "none": None, "7": "seven"})

    def test_numbers_beyond_double_range_become_text_like_infinities(self):
        # The collector refuses a number a double cannot hold (bad_value), and 10**5000 cannot even be printed.
        fields = sample_fields({"big": 10 ** 400, "neg": -10 ** 400, "huge": 10 ** 5000,
                                "frac": fractions.Fraction(10 ** 400, 3), "wide": 2 ** 60, "top": int(1.7e308)})
        self.assertEqual(fields, {"big": "inf", "neg": "-inf", "huge": "inf", "frac": "inf", "wide": 2 ** 60,
                                  "top": int(1.7e308)})
        self.assertIs(type(fields["wide"]), int)  # within double range: the number, exact

    def test_strings_are_cut_to_200_bytes(self):
        fields = sample_fields({"a": "x" * 300, "b": "\u00e9" * 150,
                                "c": b"bad \xff".decode("utf-8", "surrogateescape")})
        self.assertEqual(fields["a"], "x" * 200)
        self.assertEqual(fields["b"], "\u00e9" * 100)
        self.assertEqual(fields["c"], "bad \ufffd")

    def test_at_most_64_members_with_the_stamps(self):
        fields = sample_fields({f"m{i}": i for i in range(100)})
        self.assertEqual(list(fields), [f"m{i}" for i in range(62)])  # plus ts and timestamp: 64

    def test_the_stamps_win_over_members_of_their_names(self):
        self.assertEqual(sample_fields({"ts": 1, "timestamp": "x", "n": {"ts": 2}}), {"n.ts": 2})

    def test_a_cyclic_value_ends_in_text(self):
        cyclic = {}
        cyclic["self"] = cyclic
        fields = sample_fields(cyclic)
        self.assertEqual(list(fields), [".".join(["self"] * 9)])


class TelemetryBufferTest(unittest.TestCase):
    def expected(self, n):
        """The model: the multiples of the smallest power of two that leaves at most 1024 of the n offered."""
        stride = 1
        while -(-n // stride) > MAX_ENTRIES:
            stride *= 2
        return list(range(0, n, stride))

    def test_keeps_every_sample_up_to_1024(self):
        b = TelemetryBuffer()
        for i in range(1024):
            b.add(i)
        self.assertEqual(b.snapshot(), (list(range(1024)), 0))

    def test_then_drops_every_second_and_keeps_every_second_one_taken(self):
        b = TelemetryBuffer()
        for i in range(1025):
            b.add(i)
        entries, dropped = b.snapshot()
        self.assertEqual(entries, list(range(0, 1025, 2)))
        self.assertEqual(dropped, 512)

    def test_the_list_spans_the_whole_run_evenly(self):
        b = TelemetryBuffer()
        for n in range(1, 10001):
            b.add(n - 1)
            if n in (1, 2047, 2048, 2049, 4097, 5000, 10000):
                entries, dropped = b.snapshot()
                self.assertEqual(entries, self.expected(n), n)
                self.assertEqual(dropped, n - len(entries))
                self.assertLessEqual(len(entries), MAX_ENTRIES)


class _HandFedSampler:
    """Stands in for a running Sampler: the test hands its samples to the runs attached."""

    def __init__(self):
        self.listeners = []

    def attach(self, listener):
        self.listeners.append(listener)
        return True

    def detach(self, listener):
        self.listeners.remove(listener)


class RunTelemetryTest(SinkTestCase):
    def run_options(self, **extra):
        return dict(records=self.records, clock=self.fake.clock, log=False, measure_memory=False, **extra)

    def sampler(self, gate, **extra):
        return perfdash.Sampler(gate, interval=0.001, clock=self.fake.clock, handle_signals=False, **extra)

    def test_a_run_carries_the_samples_taken_from_its_start_to_its_end(self):
        gate = GatedSample([{"rss": 100, "vms": 500}, {"rss": 200, "vms": 500}, {"rss": 300, "vms": 600},
                            {"rss": 400, "vms": 600}])
        s = self.sampler(gate)
        with local_time():
            s.start()
            gate.wait_parked()
            gate.take()  # before the run
            self.fake.advance(1)
            with perfdash.Run("nightly-train", **self.run_options()) as run:
                gate.take()
                self.fake.advance(0.25)
                gate.take()
                self.fake.advance(0.25)
            gate.take()  # after it
            gate.open()
            s.stop()
        sent = self.sink.wait_for(1)[0]
        self.assertEqual(sent, {
            "type": "run", "v": 1, "guid": run.record.guid, "workflow": "nightly-train", "start": 1657100001.0,
            "end": 1657100001.5, "execution_s": 0.5, "success": True,
            "telemetry": [{"timestamp": "2022-07-06T11:33:21.000+02:00", "ts": 1657100001.0, "rss": 200, "vms": 500},
                          {"timestamp": "2022-07-06T11:33:21.250+02:00", "ts": 1657100001.25, "rss": 300, "vms": 600}],
            "telemetry_dropped": 0})
        self.assertEqual(run.record.telemetry, sent["telemetry"])
        self.assertEqual(run.record.as_dict()["telemetry_dropped"], 0)
        self.assertEqual(len(s.entries), 4)

    def test_samples_are_kept_when_the_block_raises(self):
        gate = GatedSample([{"loss": 0.5}, {"loss": 0.25}])
        with self.sampler(gate) as s:
            gate.wait_parked()
            with self.assertRaises(ValueError):
                with perfdash.Run("train", **self.run_options()) as run:
                    gate.take(2)
                    raise ValueError("diverged")
            gate.open()
        sent = self.sink.wait_for(1)[0]
        self.assertIs(sent["success"], False)
        self.assertEqual(sent["error"], "ValueError: diverged")
        self.assertEqual([e["loss"] for e in sent["telemetry"]], [0.5, 0.25])
        self.assertEqual(run.record.telemetry, sent["telemetry"])
        self.assertFalse(s.running)

    def test_a_sampler_started_while_a_run_runs_feeds_it(self):
        gate = GatedSample([{"step": 1}, {"step": 2}])  # then sample errors: nothing more to carry

        @perfdash.timed_run("wf", **self.run_options())
        @self.sampler(gate)
        def work():
            gate.wait_parked()
            gate.take(2)
            gate.open()

        work()
        self.assertEqual([e["step"] for e in work.last_record.telemetry], [1, 2])
        self.assertIsNone(perfdash.current_sampler())

    def test_a_run_in_another_context_takes_nothing(self):
        gate = GatedSample([{"n": 1}])
        elsewhere = []
        with self.sampler(gate):
            gate.wait_parked()
            here = perfdash.Run("here", **self.run_options())
            t = threading.Thread(target=lambda: elsewhere.append(perfdash.Run("elsewhere", **self.run_options())))
            t.start()
            t.join()
            gate.take()
            here.finish()
            elsewhere[0].finish()
            gate.open()
        self.assertEqual(len(here.record.telemetry), 1)
        self.assertEqual(elsewhere[0].record.telemetry, [])
        self.assertNotIn("telemetry", elsewhere[0].record.to_record())

    def test_the_process_sampler_feeds_runs_too(self):
        taken = threading.Condition()
        calls = []

        def on_sample(sample):
            with taken:
                calls.append(sample)
                taken.notify_all()

        with perfdash.Sampler(interval=0.001, on_sample=on_sample, handle_signals=False) as s:
            run = perfdash.Run("proc", **self.run_options())
            with taken:
                first = len(calls)
                # The sample after the one in flight started after the run did; once the one after it is called, it
                # has been handed on.
                self.assertTrue(taken.wait_for(lambda: len(calls) >= first + 3, timeout=10))
            run.finish()
        entry = run.record.telemetry[-1]
        self.assertEqual(set(entry), {"timestamp", "ts", "pid", "cpu_percent", "rss_mb", "vms_mb", "threads"})
        self.assertEqual(entry["pid"], os.getpid())
        match = [e for e in s.entries if e.ts == entry["ts"]]
        self.assertEqual(len(match), 1)
        self.assertEqual(match[0].timestamp, entry["timestamp"])
        self.assertEqual(match[0].value.rss_mb, entry["rss_mb"])

    def test_at_most_1024_samples_with_the_rest_counted(self):
        feed = _HandFedSampler()
        run = perfdash.Run("long", **self.run_options())
        run.watch(feed)
        for i in range(3000):
            feed.listeners[0].add({"timestamp": "", "ts": 1657100000.0 + i, "i": i})
        self.fake.advance(3000)
        run.finish()
        self.assertEqual(feed.listeners, [])  # detached when the run finished
        sent = self.sink.wait_for(1)[0]
        self.assertEqual([e["i"] for e in sent["telemetry"]], list(range(0, 3000, 4)))
        self.assertEqual(sent["telemetry_dropped"], 3000 - 750)
        self.assertEqual(run.record.telemetry_dropped, 2250)

    def test_a_record_over_1_mib_sends_its_telemetry_thinned(self):
        feed = _HandFedSampler()
        run = perfdash.Run("wide", **self.run_options())
        run.watch(feed)
        pads = {f"m{k}": "p" * 200 for k in range(10)}
        for i in range(1500):  # 750 kept, every second one: about 1.6 MB of entries of about 2.1 kB
            feed.listeners[0].add({"timestamp": "", "ts": 1657100000.0 + i, "i": i, **pads})
        self.fake.advance(1500)
        run.finish()
        self.assertEqual(len(run.record.telemetry), 750)  # the performance record keeps them all
        self.assertEqual(run.record.telemetry_dropped, 750)
        got = self.sink.wait_for(1)
        self.assertEqual(len(got), 1)  # sent, not dropped by the client or refused by the collector
        sent = got[0]
        self.assertEqual([e["i"] for e in sent["telemetry"]], list(range(0, 1500, 4)))  # every second of those kept
        self.assertEqual(sent["telemetry_dropped"], 750 + 375)
        self.assertLessEqual(len(self.sink.lines[0]), MAX_LINE_BYTES)  # the sink keeps lines without their '\n'
        self.assertEqual(sent, run.record.to_record())
        self.assertEqual(encode(sent), run.record.to_line())

    def test_a_record_within_1_mib_keeps_every_entry(self):
        feed = _HandFedSampler()
        run = perfdash.Run("wide", **self.run_options())
        run.watch(feed)
        pads = {f"m{k}": "p" * 200 for k in range(10)}
        for i in range(400):  # about 0.85 MB
            feed.listeners[0].add({"timestamp": "", "ts": 1657100000.0 + i, "i": i, **pads})
        run.finish()
        sent = self.sink.wait_for(1)[0]
        self.assertEqual([e["i"] for e in sent["telemetry"]], list(range(400)))
        self.assertEqual(sent["telemetry_dropped"], 0)

    def test_numbers_a_double_cannot_hold_do_not_lose_the_run(self):
        gate = GatedSample([{"big": 10 ** 400, "huge": -10 ** 5000, "ok": 7}])
        with self.sampler(gate):
            gate.wait_parked()
            with perfdash.Run("train", **self.run_options()) as run:
                gate.take()
            gate.open()
        got = self.sink.wait_for(1)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["guid"], run.record.guid)
        self.assertEqual([{k: e[k] for k in ("big", "huge", "ok")} for e in got[0]["telemetry"]],
                         [{"big": "inf", "huge": "-inf", "ok": 7}])


if __name__ == "__main__":
    unittest.main()
