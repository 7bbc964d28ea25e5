# SPDX-License-Identifier: GPL-3.0-or-later
"""Fork safety. A forked child has one thread, the one that called fork(): the parent's other threads (a sampler's)
do not exist in it, and a lock one of them held stays held for ever. So in the child each registered object's
_after_fork_in_child() runs (new locks, no threads), then each registered function, before fork() returns there."""
from __future__ import annotations

import os
import weakref
from typing import Callable, List

_objects: "weakref.WeakSet" = weakref.WeakSet()  # weak: registering never keeps an object alive
_functions: List[Callable[[], None]] = []


def register(obj) -> None:
    """obj._after_fork_in_child() runs in every child forked while obj lives."""
    _objects.add(obj)


def at_fork_in_child(fn: Callable[[], None]) -> None:
    """fn() runs in every child forked from now on (for a module's own locks)."""
    _functions.append(fn)


def _after_in_child() -> None:
    for obj in list(_objects):
        try:
            obj._after_fork_in_child()
        except Exception:
            pass  # the child's own work comes first
    for fn in _functions:
        try:
            fn()
        except Exception:
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_in_child)
