# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a clock the test moves by hand, and a local time zone set for the duration of a block."""
import contextlib
import os
import time

from perfdash import Clock

# POSIX rules, so no tzdata is needed: UTC+1 in winter, UTC+2 from the last Sunday of March to that of October.
CENTRAL_EUROPE = "CET-1CEST,M3.5.0,M10.5.0/3"


class FakeClock:
    def __init__(self, wall=1657100000.0):
        self.wall_time = wall
        self.steady = 100.0
        self.clock = Clock(wall=lambda: self.wall_time, monotonic=lambda: self.steady)

    def advance(self, seconds):
        self.wall_time += seconds
        self.steady += seconds


@contextlib.contextmanager
def local_time(tz=CENTRAL_EUROPE):
    saved = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
