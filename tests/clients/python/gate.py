# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a sample function the test steps by hand, so tests synchronise on the sampler instead of sleeping.

    gate = GatedSample(values)
    sampler = perfdash.Sampler(gate, interval=0.001, handle_signals=False)
    sampler.start()
    gate.wait_parked()          # the sampler waits in its first call: nothing taken yet
    gate.take(3)                # three samples taken, each fully handled (stored, published) when take() returns
    gate.open()                 # stop holding the sampler back, so stop() returns at once
    sampler.stop()
"""
import itertools
import threading

TIMEOUT = 10.0


class GatedSample:
    def __init__(self, values=None):
        """values: what successive calls return (after the last, a call raises StopIteration: a sample error)."""
        self._values = iter(values) if values is not None else itertools.count()
        self._go = threading.Semaphore(0)
        self._parked = threading.Semaphore(0)
        self._open = threading.Event()

    def __call__(self):
        if not self._open.is_set():
            self._parked.release()
            self._go.acquire()
        return next(self._values)

    def wait_parked(self):
        if not self._parked.acquire(timeout=TIMEOUT):
            raise AssertionError("the sampler did not call its sample function")

    def take(self, n=1):
        """Lets n samples through; returns when the sampler waits in the call after the last, i.e. has handled it."""
        for _ in range(n):
            self._go.release()
            self.wait_parked()

    def open(self):
        self._open.set()
        self._go.release()
