"""``graphviz.Digraph`` and ``graphviz.Source`` whose drawing methods work without ``dot``.

torchviz users call ``render()``, ``view()``, ``pipe()`` and ``unflatten()`` on the graph they
get; the ``graphviz`` package runs the ``dot`` and ``unflatten`` programs for each, and first
saves the DOT source beside the drawing. Here every one of them goes through
:mod:`gradviz.renderer.backend` (the ``dot`` program when installed, pygraphviz's bundled
Graphviz otherwise). ``render()`` writes only the drawing, atomically, like every other
gradviz output; :meth:`~graphviz.Digraph.save` still writes the source when it is wanted.

Example:
    >>> import os, tempfile
    >>> g = Graph(body=["a -> b\\n", "a -> c\\n"])
    >>> folder = tempfile.mkdtemp()
    >>> path = g.render(os.path.join(folder, "ab"), format="svg")
    >>> path.endswith("ab.svg"), sorted(os.listdir(folder))
    (True, ['ab.svg'])
    >>> "minlen=2" in g.unflatten(stagger=2).source
    True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

import graphviz

from gradviz.renderer import backend

__all__ = ["Graph", "Source", "viewer"]


class _InProcess:
    """What :class:`Graph` and :class:`Source` change in ``graphviz``'s classes."""

    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: Any = None, quiet: bool = False, *,
             engine: str | None = None, encoding: str | None = None):
        """The graph drawn as ``format``, as bytes (or text, given ``encoding``)."""
        if renderer is not None or formatter is not None or neato_no_op is not None:
            _needs_program("renderer, formatter and neato_no_op")
            return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                engine=engine, encoding=encoding)
        data = backend.render_bytes(self.source, format or self.format,
                                    engine=engine or self.engine)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, view: bool = False, cleanup: bool = False,
               format: str | None = None, renderer: str | None = None,
               formatter: str | None = None, neato_no_op: Any = None, quiet: bool = False,
               quiet_view: bool = False, *, outfile=None, engine: str | None = None,
               raise_if_result_exists: bool = False, overwrite_source: bool = False) -> str:
        """Draw the graph into a file and return its path, as ``graphviz`` does.

        The path is ``outfile``, or ``filename`` (default ``self.filename``) with the format
        appended (``render("graph", format="png")`` writes ``graph.png``). No source file is
        written, so ``cleanup`` has nothing to remove; call ``save()`` for the DOT source.

        Raises:
            RenderError: Graphviz could not draw the graph, the file could not be written, or
                ``view`` was asked where no viewer can open it (the file is written first).
        """
        if renderer is not None or formatter is not None or neato_no_op is not None:
            _needs_program("renderer, formatter and neato_no_op")
            return super().render(filename, directory, view, cleanup, format, renderer,
                                  formatter, neato_no_op, quiet, quiet_view, outfile=outfile,
                                  engine=engine, raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        path, format = self._output_path(filename, directory, outfile, format)
        if raise_if_result_exists and os.path.exists(path):
            raise graphviz.FileExistsError(f"output file exists: {path!r}")
        data = self.pipe(format, engine=engine)
        folder = os.path.dirname(path)
        if folder:
            try:
                os.makedirs(folder, exist_ok=True)  # graphviz makes the folder too
            except OSError as exc:
                raise backend.RenderError(f"cannot make the folder {folder} for {path}: "
                                          f"{exc.strerror or exc}") from None
        backend.write_atomic(path, data)
        if view or quiet_view:
            _open(path)
        return path

    def view(self, filename=None, directory=None, cleanup: bool = False, quiet: bool = False,
             quiet_view: bool = False) -> str:
        """Draw the graph into a file, open it in the system's viewer, return its path."""
        return self.render(filename, directory, view=True, cleanup=cleanup, quiet=quiet,
                           quiet_view=quiet_view)

    def unflatten(self, stagger: int | None = None, fanout: bool = False,
                  chain: int | None = None) -> Source:
        """A :class:`Source` of this graph with Graphviz's ``unflatten`` applied: leaf edges
        staggered over ``stagger`` ranks, so a wide flat graph draws taller and narrower."""
        if fanout and stagger is None:
            raise graphviz.RequiredArgumentError("fanout given without stagger")
        arguments = []
        if stagger is not None:
            arguments += ["-l", str(int(stagger))]
        if fanout:
            arguments.append("-f")
        if chain is not None:
            arguments += ["-c", str(int(chain))]
        text = backend.unflatten_source(self.source, " ".join(arguments))
        return Source(text, filename=self.filename, directory=self.directory,
                      format=self.format, engine=self.engine, encoding=self.encoding)

    def _output_path(self, filename, directory, outfile, format) -> tuple[str, str]:
        if outfile is not None:
            outfile = os.fspath(outfile)
            format = format or os.path.splitext(outfile)[1].lstrip(".") or self.format
            path = outfile if directory is not None else os.path.join(self.directory, outfile)
            return path, format.lower()
        name = os.fspath(filename) if filename is not None else self.filename
        folder = os.fspath(directory) if directory is not None else self.directory
        format = (format or self.format).lower()
        return os.path.join(folder, f"{name}.{format}"), format


class Graph(_InProcess, graphviz.Digraph):
    """A ``graphviz.Digraph`` whose ``pipe``, ``render``, ``view`` and ``unflatten`` work
    without the ``dot`` program; Jupyter's inline display goes through ``pipe``."""


class Source(_InProcess, graphviz.Source):
    """A ``graphviz.Source`` that draws like :class:`Graph` (what ``unflatten`` returns)."""


def _needs_program(what: str) -> None:
    if backend.dot_program() is None:
        raise backend.RenderError(f"{what} need Graphviz's dot program, which is not "
                                  "installed: leave them out to draw in process")


def viewer() -> list[str] | None:
    """The command that opens a file in the user's viewer here, or ``None`` when there is
    none (no ``xdg-open``, or no display to show it on)."""
    if sys.platform == "darwin":
        program = shutil.which("open")
    elif sys.platform.startswith(("linux", "freebsd")):
        has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        program = shutil.which("xdg-open") if has_display else None
    else:
        return None
    return [program] if program else None


def _open(path: str) -> None:
    if sys.platform == "win32":
        os.startfile(os.path.normpath(path))  # type: ignore[attr-defined]
        return
    command = viewer()
    if command is None:
        raise backend.RenderError(f"wrote {path}, but there is no viewer here to show it "
                                  "(no display or no xdg-open): open the file yourself")
    subprocess.Popen([*command, path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
