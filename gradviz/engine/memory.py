"""Keeping freed array memory for reuse, so a recorded tape does not page-fault every step.

A tape holds every intermediate array until its reverse sweep ends; then all of them are
freed at once. With glibc's default settings, large blocks are returned to the operating
system as soon as they are freed, so the next training step has to fault in fresh pages for
every array again: at 200 000 samples that tripled the cost of a traced step. Raising the
mmap and trim thresholds lets the next step reuse the same memory, as a hand-written numpy
loop (which frees each temporary at once) already does. The cost is that up to
``TRIM_THRESHOLD`` bytes of freed memory stay with the process.

Set ``GRADVIZ_TUNE_MALLOC=0`` to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["tune_allocator", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 512 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; returns whether it was done."""
    if os.environ.get("GRADVIZ_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
