"""Checks the command line makes before it does any work: every output can be written,
counts are within range. Each failure is a one-line :class:`GradvizError` (exit 2).

Example:
    >>> check_output("", "-o")
    Traceback (most recent call last):
    ...
    gradviz.errors.GradvizError: -o needs a file name, got an empty one
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from gradviz.errors import GradvizError

__all__ = ["check_output", "count", "seconds", "no_point"]


def check_output(path: str, option: str, example: str = "graph.svg") -> None:
    """Fail now, before any work, if ``path`` cannot be written as a file."""
    if not path.strip():
        raise GradvizError(f"{option} needs a file name, got an empty one")
    if os.path.isdir(path):
        raise GradvizError(f"{option} {path!r} is a directory: give a file name, e.g. "
                           f"{os.path.join(path, example)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise GradvizError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise GradvizError(f"cannot write {path}: the folder {folder} is not writable")


def no_point(expression: str) -> GradvizError:
    """The error for an EXPRESSION given without ``--at``. A path to a file that is not a
    saved trace (``graph.png``, a folder) is said to be one: no ``--at`` would help it.

    Example:
        >>> print(no_point("x1*x2"))
        give the point with --at, e.g. --at x1=2,x2=5
    """
    path = expression.strip()
    if ("." in path or os.sep in path) and os.path.exists(path):
        kind = "a folder" if os.path.isdir(path) else "a file"
        return GradvizError(f"{path} is {kind}, not a saved trace: traces are read from .json "
                            "files (gradviz trace ... -o FILE.json); an expression needs --at")
    return GradvizError("give the point with --at, e.g. --at x1=2,x2=5")


def count(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number of at least ``minimum``.

    Example:
        >>> count(0)("5")
        5
    """

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or number < minimum:
            raise argparse.ArgumentTypeError(f"needs a whole number of at least {minimum}, "
                                             f"got {text!r}")
        return number

    parse.__name__ = f"count of at least {minimum}"
    return parse


def seconds(text: str) -> float:
    """An argparse ``type``: a positive, finite number of seconds.

    Example:
        >>> seconds("2.5")
        2.5
    """
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"needs a positive number of seconds, got {text!r}")
    return number
