# SPDX-License-Identifier: GPL-3.0-or-later
"""Clock: where time comes from. Its own module so that run, metrics and sampler can all take one without importing
each other."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Clock:
    """Where time comes from; tests inject their own."""
    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
