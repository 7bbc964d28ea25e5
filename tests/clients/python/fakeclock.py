# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a clock the test moves by hand."""
from perfdash import Clock


class FakeClock:
    def __init__(self, wall=1657100000.0):
        self.wall_time = wall
        self.steady = 100.0
        self.clock = Clock(wall=lambda: self.wall_time, monotonic=lambda: self.steady)

    def advance(self, seconds):
        self.wall_time += seconds
        self.steady += seconds
