"""Where in the user's code a node was created, resolved only when it is shown.

A site is the innermost frame outside gradviz's own modules, told by the module a frame's
code belongs to (its globals' ``__name__`` and ``__file__``), never by how many frames up it
is or by folder names: the same rule holds whichever path of the engine recorded the node.
"""

from __future__ import annotations

import linecache
import os
from typing import Any

__all__ = ["describe_site", "site_location", "site_source", "line_of", "TextSite", "user_site",
           "INTERNAL_CODE"]

#: Modules of gradviz that are model code a user reads (the lecture's training models): a
#: node they create is sited on their lines, as a user's own model would be.
_USER_MODULES = ("gradviz.train.",)

#: Whether a code object is gradviz's own machinery, by code object (a loop records the same
#: call site thousands of times; the recorder reads this first).
INTERNAL_CODE: dict[Any, bool] = {}


def _is_internal(frame: Any) -> bool:
    module = frame.f_globals.get("__name__", "")
    if not isinstance(module, str) or module.startswith(_USER_MODULES):
        return False
    if module != "gradviz" and not module.startswith("gradviz."):
        return False
    # A doctest or an exec'd string run in a gradviz module's globals is the user's code.
    return frame.f_code.co_filename == frame.f_globals.get("__file__")


def user_site(frame: Any) -> tuple[Any, int] | None:
    """``(code, instruction offset)`` of the innermost frame from ``frame`` outward that is
    not gradviz's own (the user's call of the primitive), or ``None``.

    The offset is kept rather than the line number because reading ``f_lineno`` costs a
    line-table search on every recorded operation; :func:`site_location` turns it into a
    line only when a site is shown.

    Example:
        >>> import sys
        >>> code, offset = user_site(sys._getframe())  # a doctest's line is the user's
        >>> code.co_filename.startswith("<doctest")
        True
    """
    while frame is not None:
        code = frame.f_code
        internal = INTERNAL_CODE.get(code)
        if internal is None:
            internal = INTERNAL_CODE[code] = _is_internal(frame)
        if not internal:
            return (code, frame.f_lasti)
        frame = frame.f_back
    return None


class TextSite:
    """A site given as text rather than a code line: a trace read back from a file, or a
    node of a command-line expression (``expression: x1*x2 + sin(x1)``)."""

    __slots__ = ("description", "source")

    def __init__(self, description: str, source: str = ""):
        self.description = description
        self.source = source

    def __repr__(self) -> str:
        return f"TextSite({self.description!r})"


def site_location(site: tuple[Any, int] | None) -> tuple[str, int, str] | None:
    """``(file name, line number, function name)`` of a recorded site, or ``None``."""
    if site is None or not isinstance(site, tuple):
        return None  # absent, or read back from a file (see gradviz.export.serialize)
    code, offset = site
    return code.co_filename, line_of(code, offset), code.co_name


_LINES: dict[tuple[Any, int], int] = {}


def line_of(code: Any, offset: int) -> int:
    """The source line of the instruction at byte ``offset`` of ``code`` (remembered: a loop
    records the same call site thousands of times)."""
    line = _LINES.get((code, offset))
    if line is None:
        line = _LINES[(code, offset)] = _search_line(code, offset)
    return line


def _search_line(code: Any, offset: int) -> int:
    line = code.co_firstlineno
    for start, end, number in code.co_lines():
        if start <= offset < end:
            return number if number is not None else line
        if number is not None:
            line = number
    return line


def site_source(site: tuple[Any, int] | None) -> str:
    """The stripped source line of a recorded site, or ``""`` when it cannot be read."""
    if site is not None and not isinstance(site, tuple):
        return site.source
    location = site_location(site)
    if location is None:
        return ""
    return linecache.getline(location[0], location[1]).strip()


def describe_site(site: tuple[Any, int] | None) -> str:
    """A one-line description such as ``moons.py:14 (loss): preds = predict(w, X)``."""
    if site is not None and not isinstance(site, tuple):
        return site.description
    location = site_location(site)
    if location is None:
        return ""
    file_name, line, function = location
    text = f"{os.path.basename(file_name)}:{line}"
    if function not in ("<module>", "<lambda>"):
        text += f" ({function})"
    source = site_source(site)
    return f"{text}: {source}" if source else text
