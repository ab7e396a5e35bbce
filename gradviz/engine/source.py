"""Where in the user's code a node was created, resolved only when it is shown."""

from __future__ import annotations

import linecache
import os
from typing import Any

__all__ = ["describe_site", "site_location", "site_source", "line_of", "TextSite"]


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
        return None  # absent, or read back from a file (see gradviz.serialize)
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
