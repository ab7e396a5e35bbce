"""Turning DOT source into SVG, PNG or PDF bytes, with or without a system Graphviz.

When the ``dot`` program is on ``PATH`` it is run as a subprocess (its messages are captured,
never shown). Otherwise the graph is laid out by the Graphviz libraries that pygraphviz's
wheels carry, so nothing has to be installed besides gradviz itself: a small graph in this
process, a large one in a worker process (a Python that imports only pygraphviz). Either
program is stopped when it runs past ``timeout`` seconds (a C library running in this process
could not be), and the error says what to draw instead. The C libraries print their warnings
(Fontconfig's, Graphviz's) straight to file descriptor 2, so in process the descriptor is
pointed at a temporary file for the duration of the call.

Example:
    >>> data = render_bytes("digraph { a -> b }", "svg")
    >>> data[:5]
    b'<?xml'
"""

from __future__ import annotations

import contextlib
import os
import re
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

#: How long drawing one graph may take by default, in seconds. A layout that takes longer is
#: of a graph too large for full detail, which a summary shows better (see
#: gradviz.renderer.summarize): waiting longer rarely helps.
TIMEOUT_SECONDS = 60

# Below this many lines of DOT source (about one per node and one per edge) the layout takes
# a fraction of a second and runs in this process; above it, a worker process costs its
# start (about 0.2 s) and can be stopped. dot's time grows much faster than the graph: a sum
# of 20 sines drawn in full (186 lines) takes 0.3 s, of 30 (276 lines) 1 s, of 40 (366) 12 s.
_WORKER_LINES = 200


class RenderError(GradvizError):
    """Graphviz could not lay out or draw a graph, or a file could not be written."""


def dot_program() -> str | None:
    """The path of the ``dot`` program if it is on ``PATH``, else ``None``."""
    return shutil.which("dot")


def render_bytes(source: str, format: str, *, engine: str = "dot",
                 timeout: float | None = TIMEOUT_SECONDS) -> bytes:
    """Lay out DOT ``source`` and return it drawn as ``format`` (``svg``, ``png`` or ``pdf``).

    Uses the ``dot`` program when it is on ``PATH`` and pygraphviz's bundled Graphviz
    otherwise; raises :class:`RenderError` with Graphviz's own message when drawing fails,
    and when it takes more than ``timeout`` seconds (``None``: no limit).
    """
    if format not in FORMATS:
        raise RenderError(f"cannot draw format {format!r}: use one of {', '.join(FORMATS)}")
    return _bounded(source, format, engine, timeout)


def layout_source(source: str, *, engine: str = "dot",
                  timeout: float | None = TIMEOUT_SECONDS) -> str:
    """DOT ``source`` laid out: the same graph with every position (``pos``) and size in it,
    ready to be drawn with ``nop2``. Bounded by ``timeout`` as :func:`render_bytes` is."""
    return _bounded(source, "dot", engine, timeout).decode("utf-8")


def _bounded(source: str, format: str, engine: str, timeout: float | None) -> bytes:
    if timeout is not None and not timeout > 0:
        raise RenderError(f"the timeout must be a positive number of seconds, got {timeout!r}")
    program = dot_program()
    if program is not None:
        return _render_with_program(program, source, format, engine, timeout)
    if source.count("\n") > _WORKER_LINES:
        return _render_in_worker(source, format, engine, timeout)
    return _render_in_process(source, format, engine)


def _render_with_program(program: str, source: str, format: str, engine: str,
                         timeout: float | None) -> bytes:
    return _run([program, f"-K{engine}", f"-T{format}"], source, timeout, program)


def _run(command: list[str], source: str, timeout: float | None, what: str) -> bytes:
    """Run a program that reads DOT on its standard input and writes the drawing on its
    standard output; ``subprocess.run`` kills it at the timeout (and on Ctrl-C)."""
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(_too_slow(source, timeout)) from None
    except OSError as exc:
        raise RenderError(f"cannot run {what}: {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout:
        raise RenderError(f"Graphviz could not draw the graph: {_last_line(done.stderr)}")
    return done.stdout


def _too_slow(source: str, timeout: float | None) -> str:
    names = re.findall(r"^\s*(\"[^\"]*\"|\w+) \[", source, re.MULTILINE)
    nodes = sum(1 for name in names if name not in ("graph", "node", "edge"))
    return (f"Graphviz did not finish laying out the graph ({nodes:,} nodes) in {timeout:g} s: "
            "draw fewer nodes (max_nodes=N, --max-nodes N; the default summary folds repeated "
            "blocks and chains), or part of it (focus=NODE, --focus NODE), write a format that "
            "needs no layout (.dot, .json, .graphml), or allow longer (timeout=, --timeout)")


# What the worker runs: a Python that imports pygraphviz and nothing of gradviz (whose import
# would take longer than most layouts). The current directory leaves sys.path first, so that
# a file there (an html.py) cannot stand in for a module.
_WORKER = """\
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
import warnings
import pygraphviz
source = sys.stdin.buffer.read().decode("utf-8")
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pygraphviz.AGraph(string=source).draw(format=sys.argv[1], prog=sys.argv[2])
except Exception:  # Graphviz has said why on stderr (pygraphviz's own text says less)
    sys.exit(1)
sys.stdout.buffer.write(data)
"""


def _render_in_worker(source: str, format: str, engine: str, timeout: float | None) -> bytes:
    command = [sys.executable, "-c", _WORKER, format, engine]
    return _run(command, source, timeout, "a Python worker for Graphviz")


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
        detail = _last_line(messages.read(), default=str(failure) if failure else "no message")
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
        sink = tempfile.TemporaryFile()
    except (OSError, ValueError):  # stderr already failing (a full disk), no temporary folder
        yield captured
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable descriptor 2 (embedded interpreters)
        sink.close()
        yield captured
        return
    with sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read()


def _last_line(message: bytes, default: str = "no message") -> str:
    lines = [line.strip() for line in message.decode("utf-8", "replace").splitlines()]
    useful = [line for line in lines if line and "Fontconfig" not in line]
    return useful[-1] if useful else default


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
