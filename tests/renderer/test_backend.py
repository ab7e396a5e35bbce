"""Drawing without a system Graphviz, with the dot program when present, quietly, atomically."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from gradviz.renderer import RenderError, render
from gradviz.renderer import backend
from gradviz.renderer.backend import render_bytes, write_atomic

MAGIC = {"svg": b"<?xml", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which there is no ``dot`` program."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert backend.dot_program() is None


@pytest.mark.parametrize("extension", ["svg", "png", "pdf"])
def test_files_are_drawn_without_the_dot_program(lecture, no_dot, tmp_path, extension):
    path = tmp_path / f"graph.{extension}"
    render(lecture, path)
    data = path.read_bytes()
    assert data.startswith(MAGIC[extension])
    if extension == "svg":
        assert "∂w4/∂w1 = cos w1" in data.decode("utf-8")


def _fake_dot(directory, body: str) -> None:
    script = directory / "dot"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)


def test_the_dot_program_is_used_when_on_path(monkeypatch, tmp_path):
    _fake_dot(tmp_path, f"""\
        echo "$@" > {tmp_path}/arguments
        while read -r line; do :; done
        printf 'drawn by the program'
        """)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert render_bytes("digraph { a -> b }", "svg") == b"drawn by the program"
    assert (tmp_path / "arguments").read_text().split() == ["-Kdot", "-Tsvg"]


def test_a_failing_dot_program_is_one_error_and_no_file(monkeypatch, tmp_path, lecture):
    _fake_dot(tmp_path, """\
        echo "Warning: something harmless" >&2
        echo "Error: layout exploded" >&2
        exit 1
        """)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="layout exploded"):
        render(lecture, tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()


def test_bad_source_in_process_is_a_render_error(no_dot):
    with pytest.raises(RenderError, match="syntax error"):
        render_bytes("digraph { a -> ", "svg")
    with pytest.raises(RenderError, match="cannot draw format 'gif'"):
        render_bytes("digraph { a }", "gif")


def test_graphviz_and_fontconfig_messages_never_reach_the_terminal(tmp_path):
    # A fresh interpreter: Fontconfig complains once per process, at its first use.
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    program = ("from gradviz.renderer.backend import render_bytes\n"
               "render_bytes('digraph { a [label=<<b>x</b>>]; a -> b [fontname=NoSuchFont] }', 'png')\n"
               "render_bytes('digraph { a [shape=nosuchshape] }', 'svg')\n"
               "print('done')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env={**os.environ, "PATH": str(empty)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"
    assert done.stderr == ""


class TestAtomicWrites:
    def test_failed_render_leaves_existing_file_untouched(self, lecture, tmp_path, monkeypatch):
        path = tmp_path / "graph.svg"
        path.write_bytes(b"the old picture")

        def broken(source, format, **_):
            raise RenderError("Graphviz could not draw the graph: simulated")

        monkeypatch.setattr("gradviz.renderer.files.render_bytes", broken)
        with pytest.raises(RenderError):
            render(lecture, path)
        assert path.read_bytes() == b"the old picture"
        assert os.listdir(tmp_path) == ["graph.svg"]

    def test_failure_while_replacing_leaves_no_temporary_file(self, tmp_path, monkeypatch):
        path = tmp_path / "graph.dot"
        path.write_bytes(b"old")

        def refuse(source, target):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(os, "replace", refuse)
        with pytest.raises(RenderError, match="cannot write .*Permission denied"):
            write_atomic(path, b"new")
        assert path.read_bytes() == b"old"
        assert os.listdir(tmp_path) == ["graph.dot"]

    def test_new_file_gets_ordinary_permissions(self, tmp_path):
        mask = os.umask(0o022)
        try:
            write_atomic(tmp_path / "graph.dot", b"digraph {}")
        finally:
            os.umask(mask)
        assert (tmp_path / "graph.dot").stat().st_mode & 0o777 == 0o644

    def test_missing_directory_is_a_render_error(self, tmp_path):
        with pytest.raises(RenderError, match="cannot write"):
            write_atomic(tmp_path / "no" / "such" / "graph.svg", b"x")


def _chain_source(nodes: int) -> str:
    """A graph of ``nodes`` in a row: laid out at once, but long enough for the worker."""
    return "digraph {\n" + "".join(f"  n{k} -> n{k + 1}\n" for k in range(nodes)) + "}\n"


def _sum_of_sines(terms: int):
    import gradviz
    import gradviz.numpy as np

    return gradviz.trace(lambda x: sum(np.sin(x * k) for k in range(1, terms + 1)), 0.3)


class TestTimeBound:
    """A layout past the timeout is stopped: in process Graphviz could not be, so a large
    graph is laid out by a worker process."""

    def test_a_large_graph_is_drawn_by_the_worker_the_same_as_in_process(self, no_dot,
                                                                          monkeypatch):
        source = _chain_source(backend._WORKER_LINES + 10)
        in_process = backend._render_in_process(source, "svg", "dot")

        def not_here(*arguments):
            raise AssertionError("a large graph was laid out in this process")

        monkeypatch.setattr(backend, "_render_in_process", not_here)
        assert render_bytes(source, "svg") == in_process
        assert render_bytes(source, "png").startswith(MAGIC["png"])

    def test_graphviz_errors_from_the_worker_are_graphviz_s_own(self, no_dot):
        with pytest.raises(RenderError, match="Graphviz could not draw the graph: .*syntax error"):
            render_bytes(_chain_source(backend._WORKER_LINES + 10)[:-2] + "n0 -> }", "svg")

    def test_past_the_timeout_the_layout_stops_and_nothing_is_written(self, no_dot, tmp_path):
        trace = _sum_of_sines(100)  # 300 nodes, max_nodes=0: seconds of layout
        folder = tmp_path / "pictures"
        folder.mkdir()
        with pytest.raises(RenderError, match=r"did not finish laying out the graph "
                           r"\(\d+ nodes\) in 0.01 s: draw fewer nodes \(max_nodes=N"):
            render(trace, folder / "sines.png", max_nodes=0, timeout=0.01)
        assert not os.listdir(folder)

    def test_the_dot_program_is_stopped_at_the_timeout(self, monkeypatch, tmp_path, lecture):
        # exec: no shell is left holding the pipes open once the program is stopped
        _fake_dot(tmp_path, f"exec {shutil.which('sleep')} 30\n")
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(RenderError, match="did not finish laying out .* in 0.2 s"):
            render(lecture, tmp_path / "graph.svg", timeout=0.2)
        assert not (tmp_path / "graph.svg").exists()

    @pytest.mark.parametrize("timeout", [0, -1.0])
    def test_a_timeout_must_be_positive(self, timeout):
        with pytest.raises(RenderError, match="positive number of seconds"):
            render_bytes("digraph { a }", "svg", timeout=timeout)

