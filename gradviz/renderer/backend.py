"""Turning DOT source into SVG, PNG or PDF bytes, with or without a system Graphviz.

When the ``dot`` program is on ``PATH`` it is run as a subprocess (its messages are captured,
never shown). Otherwise the graph is laid out in process by the Graphviz libraries that
pygraphviz's wheels carry, so nothing has to be installed besides gradviz itself. Those C
libraries print their warnings (Fontconfig's, Graphviz's) straight to file descriptor 2, so
the descriptor is pointed at a temporary file for the duration of the call.

Example:
    >>> data = render_bytes("digraph { a -> b }", "svg")
    >>> data[:5]
    b'<?xml'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from typing import Iterator

from gradviz import _files
from gradviz.errors import GradvizError

__all__ = ["RenderError", "FORMATS", "render_bytes", "unflatten_source", "write_atomic",
           "dot_program"]

#: Formats Graphviz produces here; other extensions are written without Graphviz.
FORMATS = ("svg", "png", "pdf")

# A layout that takes longer than this is a graph too large for full detail: the caller
# summarises it instead (see gradviz.renderer.summarize), so waiting longer helps nobody.
TIMEOUT_SECONDS = 120


class RenderError(GradvizError):
    """Graphviz could not lay out or draw a graph, or a file could not be written."""


def dot_program() -> str | None:
    """The path of the ``dot`` program if it is on ``PATH``, else ``None``."""
    return shutil.which("dot")


def render_bytes(source: str, format: str, *, engine: str = "dot") -> bytes:
    """Lay out DOT ``source`` and return it drawn as ``format`` (``svg``, ``png`` or ``pdf``).

    Uses the ``dot`` program when it is on ``PATH`` and pygraphviz's bundled Graphviz
    otherwise; raises :class:`RenderError` with Graphviz's own message when drawing fails.
    """
    if format not in FORMATS:
        raise RenderError(f"cannot draw format {format!r}: use one of {', '.join(FORMATS)}")
    program = dot_program()
    if program is not None:
        return _render_with_program(program, source, format, engine)
    return _render_in_process(source, format, engine)


def _render_with_program(program: str, source: str, format: str, engine: str) -> bytes:
    try:
        done = subprocess.run(
            [program, f"-K{engine}", f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"running {program} failed: {exc}") from None
    if done.returncode != 0 or not done.stdout:
        raise RenderError(f"Graphviz could not draw the graph: {_last_line(done.stderr)}")
    return done.stdout


def _render_in_process(source: str, format: str, engine: str) -> bytes:
    import pygraphviz

    with _quiet_stderr() as messages:
        try:
            with warnings.catch_warnings():
                # pygraphviz turns Graphviz's agerr() messages into Python warnings.
                warnings.simplefilter("ignore")
                data = pygraphviz.AGraph(string=source).draw(format=format, prog=engine)
        except Exception as exc:  # pygraphviz raises bare ValueError, OSError, …
            failure = exc
        else:
            failure = None
    if failure is not None or not data:
        detail = _last_line(messages.read()) or str(failure)
        raise RenderError(f"Graphviz could not draw the graph: {detail}")
    return data


def unflatten_source(source: str, arguments: str = "") -> str:
    """DOT ``source`` passed through Graphviz's ``unflatten`` with its command-line
    ``arguments`` (``"-l 3 -f"``): the ``unflatten`` that pygraphviz's wheels carry."""
    import pygraphviz

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pygraphviz.AGraph(string=source).unflatten(arguments).to_string()
    except Exception as exc:  # pygraphviz raises bare ValueError, OSError, …
        raise RenderError(f"Graphviz could not unflatten the graph: {exc}") from None


class _Captured:
    def __init__(self) -> None:
        self.text = b""

    def read(self) -> bytes:
        return self.text


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[_Captured]:
    """Send file descriptor 2 to a temporary file; yields what was written to it."""
    captured = _Captured()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable descriptor 2 (embedded interpreters)
        yield captured
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read()


def _last_line(message: bytes) -> str:
    lines = [line.strip() for line in message.decode("utf-8", "replace").splitlines()]
    useful = [line for line in lines if line and "Fontconfig" not in line]
    return useful[-1] if useful else "no message"


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`gradviz._files.write_atomic`): a
    failure leaves no partial file and an existing file untouched.

    Raises:
        RenderError: the file could not be written.
    """
    try:
        _files.write_atomic(path, data)
    except OSError as exc:
        raise RenderError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None
