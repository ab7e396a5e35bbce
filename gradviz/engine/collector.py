"""Keeping Python's cyclic garbage collector out of a tape's way.

Recording appends a few container objects per operation (its record, the arguments' tuple,
a box), and all of them live until the sweep is over. To the cyclic collector they are a
growing crowd of survivors: it scans the young ones every 700 allocations, and every few
gradients it scans the whole process — every object of numpy, scipy and the user's program —
only to find nothing, since a tape holds no reference cycle and is freed by reference
counting alone as soon as its gradient has been returned. On a chain of scalar operations that
was a third of the time of a gradient.

So the collector is paused while a gradient records and sweeps its tape, and set back as it
was as soon as the last gradient running in the process is done (a gradient inside a
gradient, or in another thread, shares the one pause). Cyclic garbage the user's function
makes meanwhile is collected by the first collection after it. Nothing else is changed: the
thresholds, and a collector the user had turned off, stay as they were.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["collector_paused"]


class _Pause:
    """``with collector_paused:`` — the collector off inside, as it was after the last exit.

    Example:
        >>> import gc
        >>> with collector_paused:
        ...     inside = gc.isenabled()
        >>> inside, gc.isenabled()
        (False, True)
    """

    __slots__ = ("_lock", "_depth", "_was_enabled")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0  # gradients running in the process (nested, or in other threads)
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


#: The one pause of the process (the collector is a process-wide setting).
collector_paused = _Pause()
