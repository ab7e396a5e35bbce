"""Opt-in allocator tuning: keeping freed array memory for reuse between training steps.

A tape holds every intermediate array until its reverse sweep ends; then all of them are
freed at once. With glibc's default settings, large blocks are returned to the operating
system as soon as they are freed, so the next training step has to fault in fresh pages for
every array again. Raising the mmap and trim thresholds lets the next step reuse the same
memory. The cost is that up to ``TRIM_THRESHOLD`` bytes of freed memory stay with the process.

This changes the allocator of the whole process (a Jupyter kernel, a service, every other
library in it), so gradviz never does it on its own: importing gradviz leaves the allocator
alone. ``gradviz train`` calls :func:`tune_allocator` for its own process; a training script
may call it too.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["tune_allocator", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 512 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; returns whether it was done.

    The C library is reached through the symbols already loaded into the process
    (``ctypes.CDLL(None)``), so nothing is spawned to look it up. Off glibc (macOS, musl,
    Windows) there is nothing to tune and it returns ``False``.

    Example:
        >>> tune_allocator() in (True, False)
        True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
