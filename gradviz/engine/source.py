"""Where in the user's code a node was created, resolved only when it is shown.

A site is the innermost frame outside gradviz's own modules, told by the module a frame's
code belongs to (its globals' ``__name__`` and ``__file__``), never by how many frames up it
is or by folder names: the same rule holds whichever path of the engine recorded the node.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
import warnings
from typing import Any, Callable

import numpy

__all__ = ["describe_site", "site_location", "site_source", "line_of", "TextSite", "user_site",
           "INTERNAL_FILES", "user_frame", "warn_at_user_lines", "stop_warning_at_user_lines",
           "warning_at_user_lines"]

#: Modules of gradviz that are model code a user reads (the lecture's training models): a
#: node they create is sited on their lines, as a user's own model would be.
_USER_MODULES = ("gradviz.train.",)

#: Whether code compiled from a file is gradviz's own machinery, by the code's file name (a
#: loop records the same call site thousands of times; the recorder reads this first). Keyed
#: by the name, whose hash Python keeps, not by the code object, whose hash is recomputed
#: from its constants and names on every look-up: a third of a microsecond per operation.
INTERNAL_FILES: dict[str, bool] = {}


def _is_internal(frame: Any) -> bool:
    module = frame.f_globals.get("__name__", "")
    if not isinstance(module, str) or module.startswith(_USER_MODULES):
        return False
    if module != "gradviz" and not module.startswith("gradviz."):
        return False
    # A doctest or an exec'd string run in a gradviz module's globals is the user's code.
    return frame.f_code.co_filename == frame.f_globals.get("__file__")


def user_frame(frame: Any) -> Any:
    """The innermost frame from ``frame`` outward that is not gradviz's own, or ``None``."""
    while frame is not None:
        file_name = frame.f_code.co_filename
        internal = INTERNAL_FILES.get(file_name)
        if internal is None:
            internal = INTERNAL_FILES[file_name] = _is_internal(frame)
        if not internal:
            return frame
        frame = frame.f_back
    return None


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
    frame = user_frame(frame)
    return None if frame is None else (frame.f_code, frame.f_lasti)


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


# --- numpy's floating-point warnings, at the user's line ----------------------------------------
# numpy warns "divide by zero encountered in log" from the Python frame that called the ufunc:
# while recording, that is the engine's. While a tape records, the categories numpy would warn
# about are switched to numpy's error callback, which warns at the user's line instead. The
# switch costs a context-variable set per top-level tape, and nothing per operation: the
# callback runs only when numpy finds an error.

try:  # numpy >= 2 keeps its error state in a context variable, so switching it is cheap
    from numpy._core._ufunc_config import _extobj_contextvar
except ImportError:  # pragma: no cover - numpy 1.x: a numpy.errstate per tape
    _extobj_contextvar = None

_switched: list = [None, None]  # the user's error state last seen, and its switched copy


#: warnings registries of the files a sweep's warning pointed into (see _warn_at_node_site)
_REGISTRIES: dict[str, dict] = {}


def _swept_record(frame: Any) -> Any:
    """The record of the node a sweep is working through when ``frame`` is inside a rule
    that the sweep called (the sweeps' loops name it ``record``), or ``None``."""
    while frame is not None:
        if frame.f_globals.get("__name__") == "gradviz.engine.sweeps":
            record = frame.f_locals.get("record")
            if getattr(record, "site", None) is not None:
                return record
        frame = frame.f_back
    return None


def _warn_at_node_site(kind: str, inner: Any) -> bool:
    """A warning raised by a rule inside a sweep, at the line that made the node, as
    ``divide by zero encountered in the derivative of sqrt``; ``False`` outside a sweep."""
    record = _swept_record(inner)
    location = None if record is None else site_location(record.site)
    if location is None:
        return False
    file_name, line, _function = location
    frame = user_frame(inner)  # the user's module, when the node was made in the same file
    module_globals = frame.f_globals if frame is not None and frame.f_code.co_filename == file_name else None
    registry = (module_globals.setdefault("__warningregistry__", {}) if module_globals is not None
                else _REGISTRIES.setdefault(file_name, {}))
    warnings.warn_explicit(f"{kind} encountered in the derivative of {record.primitive.name}",
                           RuntimeWarning, file_name, line,
                           module=None if module_globals is None else module_globals.get("__name__"),
                           registry=registry, module_globals=module_globals)
    return True


def _warn_at_user_line(kind: str, flag: int) -> None:
    """numpy's error callback: the RuntimeWarning numpy would give, at the user's line."""
    inner = sys._getframe(1)
    if _warn_at_node_site(kind, inner):
        return
    primitive = inner.f_locals.get("primitive")  # the engine's recorder names the operation
    name = getattr(primitive, "name", None) or inner.f_code.co_name
    frame = user_frame(inner) or inner
    module_globals = frame.f_globals
    warnings.warn_explicit(f"{kind} encountered in {name}", RuntimeWarning,
                           frame.f_code.co_filename, frame.f_lineno,
                           module=module_globals.get("__name__"),
                           registry=module_globals.setdefault("__warningregistry__", {}),
                           module_globals=module_globals)


def _switched_modes() -> dict[str, str]:
    modes = numpy.geterr()
    if "call" in modes.values():  # the user's own callback stays theirs
        return {}
    return {kind: "call" for kind, mode in modes.items() if mode == "warn"}


def warn_at_user_lines() -> Any:
    """From now until :func:`stop_warning_at_user_lines` is given the token this returns,
    numpy's floating-point warnings point at the user's line (called when a top-level tape
    starts recording)."""
    if _extobj_contextvar is None:  # pragma: no cover - numpy 1.x
        state = numpy.errstate(call=_warn_at_user_line, **_switched_modes())
        state.__enter__()
        return state
    current = _extobj_contextvar.get()
    if current is not _switched[0]:
        modes = _switched_modes()
        with numpy.errstate(call=_warn_at_user_line, **modes) if modes else _same():
            _switched[:] = [current, _extobj_contextvar.get()]
    return _extobj_contextvar.set(_switched[1])


def warning_at_user_lines(sweep: Callable) -> Callable:
    """``sweep`` with numpy's warnings at the user's lines while it runs: a rule's warning
    points at the line that made the node (the engine calls sweeps after the tape ends)."""

    @functools.wraps(sweep)
    def switched(*args, **kwargs):
        token = warn_at_user_lines()
        try:
            return sweep(*args, **kwargs)
        finally:
            stop_warning_at_user_lines(token)

    return switched


def stop_warning_at_user_lines(token: Any) -> None:
    """Give numpy back the error state it had before :func:`warn_at_user_lines`."""
    if _extobj_contextvar is None:  # pragma: no cover - numpy 1.x
        token.__exit__(None, None, None)
        return
    try:
        _extobj_contextvar.reset(token)
    except ValueError:  # the tape ended in another context (a thread, a task)
        pass


class _same:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> None:
        return None
