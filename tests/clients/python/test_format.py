# SPDX-License-Identifier: GPL-3.0-or-later
"""Formatting: durations, ISO times, error truncation, names and tags."""
import json
import unittest

from fakeclock import local_time
from perfdash import _format as f
from perfdash.records import encode


class FormatTest(unittest.TestCase):
    def test_format_seconds(self):
        for seconds, text in ((2.34, "2.34 seconds"), (2.336, "2.34 seconds"), (0, "0.00 seconds"),
                              (59.999, "60.00 seconds"), (3725.5, "3725.50 seconds")):
            with self.subTest(seconds=seconds):
                self.assertEqual(f.format_seconds(seconds), text)

    def test_iso_utc(self):
        self.assertEqual(f.iso_utc(0), "1970-01-01T00:00:00.000Z")
        self.assertEqual(f.iso_utc(1657100590.25), "2022-07-06T09:43:10.250Z")
        self.assertEqual(f.iso_utc(1657100590.9996), "2022-07-06T09:43:11.000Z")
        self.assertEqual(f.iso_utc(-1), "")

    def test_iso_local(self):
        with local_time():
            self.assertEqual(f.iso_local(1796547600.25), "2026-12-06T10:00:00.250+01:00")
            self.assertEqual(f.iso_local(1657100590.25), "2022-07-06T11:43:10.250+02:00")  # summer time
        with local_time("UTC0"):
            self.assertEqual(f.iso_local(0), "1970-01-01T00:00:00.000+00:00")
        self.assertEqual(f.iso_local(1e20), "")

    def test_truncate_error(self):
        self.assertEqual(f.truncate_error("timeout after 3 retries"), "timeout after 3 retries")
        self.assertEqual(f.truncate_error("x" * 5000), "x" * 5000)
        for message in ("x" * 5001, "y" * 100000, "\u00e9" * 5001, "\U0001F600" * 6000):
            with self.subTest(length=len(message)):
                cut = f.truncate_error(message)
                self.assertEqual(len(cut), 5000)  # code points
                self.assertTrue(cut.endswith("\u2026[truncated]"))
                self.assertTrue(message.startswith(cut[:-12]))

    def test_lone_surrogates_become_replacement_characters(self):
        text = b"bad \xff byte".decode("utf-8", "surrogateescape")
        self.assertEqual(f.truncate_error(text), "bad \ufffd byte")
        encode({"error": f.truncate_error(text)}).decode("utf-8")  # valid UTF-8

    def test_sanitize_name(self):
        self.assertEqual(f.sanitize_name("load_data"), "load_data")
        self.assertEqual(f.sanitize_name("a|b,c\nd"), "a_b_c_d")
        self.assertEqual(f.sanitize_name(""), "unnamed")
        self.assertEqual(f.sanitize_name("n" * 300), "n" * 200)
        self.assertEqual(f.sanitize_name("\u00e9" * 150), "\u00e9" * 100)
        self.assertEqual(f.sanitize_name("x" + "\u00e9" * 150), "x" + "\u00e9" * 99)

    def test_sanitize_tags(self):
        tags = f.sanitize_tags({"model": "m1", "a:b": "c|d,e", "long": "v" * 300})
        self.assertEqual(tags, {"model": "m1", "a_b": "c_d_e"})

    def test_encode_leaves_out_non_finite_numbers(self):
        line = encode({"type": "op", "x": float("nan"), "y": 0.1, "name": 'say "hi"\n'})
        self.assertTrue(line.endswith(b"\n") and line.count(b"\n") == 1)
        self.assertEqual(json.loads(line), {"type": "op", "y": 0.1, "name": 'say "hi"\n'})


if __name__ == "__main__":
    unittest.main()
