"""The graph ``to_dot`` returns draws, views and unflattens the way torchviz users call it,
with no ``dot`` program and no stray source file."""

import subprocess

import graphviz
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.renderer import RenderError, backend, digraph

PNG = b"\x89PNG"


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which there is no ``dot`` program, and the tests' folder as working one."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.chdir(tmp_path)
    assert backend.dot_program() is None
    return empty


def files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "empty-bin")


def test_render_as_torchviz_users_call_it(lecture, no_dot, tmp_path):
    path = gradviz.to_dot(lecture).render("graph", format="png")
    assert path == "graph.png"
    assert (tmp_path / "graph.png").read_bytes().startswith(PNG)
    assert files(tmp_path) == ["graph.png"]  # no source file "graph" beside it


def test_render_defaults_and_outfile(lecture, no_dot, tmp_path):
    dot = gradviz.to_dot(lecture)
    assert dot.render() == "f.gv.svg"
    assert "∂w4/∂w1 = cos w1" in (tmp_path / "f.gv.svg").read_text("utf-8")
    assert dot.render(outfile="out/deep/picture.pdf") == "out/deep/picture.pdf"
    assert (tmp_path / "out/deep/picture.pdf").read_bytes().startswith(b"%PDF")
    assert dot.render("g", directory="other", format="PNG").endswith("g.png")
    assert files(tmp_path / "other") == ["g.png"]


def test_render_failure_leaves_no_file_and_keeps_the_old_one(no_dot, tmp_path):
    (tmp_path / "bad.svg").write_text("old")
    with pytest.raises(RenderError, match="syntax error"):
        digraph.Graph(body=["a -> \n"]).render("bad")
    assert (tmp_path / "bad.svg").read_text() == "old"
    with pytest.raises(RenderError, match="cannot draw format 'gif'"):
        digraph.Graph(body=["a\n"]).render("g", format="gif")
    assert files(tmp_path) == ["bad.svg"]


def test_render_refuses_an_existing_result_when_asked(no_dot, tmp_path):
    graph = digraph.Graph(body=["a -> b\n"])
    graph.render("ab")
    with pytest.raises(graphviz.FileExistsError):
        graph.render("ab", raise_if_result_exists=True)


def test_renderer_option_without_dot_says_what_to_do(no_dot):
    with pytest.raises(RenderError, match="need Graphviz's dot program.*leave them out"):
        digraph.Graph(body=["a\n"]).render("a", renderer="cairo")


def test_view_without_a_viewer_writes_then_says_so(lecture, no_dot, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(digraph.sys, "platform", "linux")
    with pytest.raises(RenderError, match=r"wrote lecture\.svg, but there is no viewer"):
        gradviz.to_dot(lecture).view("lecture")
    assert (tmp_path / "lecture.svg").read_text("utf-8").startswith("<?xml")


def test_view_opens_the_file_in_the_viewer(lecture, no_dot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(digraph.sys, "platform", "linux")
    monkeypatch.setattr(digraph, "viewer", lambda: ["xdg-open"])
    monkeypatch.setattr(subprocess, "Popen", lambda command, **_: opened.append(command))
    assert gradviz.to_dot(lecture).view("lecture") == "lecture.svg"
    assert opened == [["xdg-open", "lecture.svg"]]


def test_viewer_needs_a_display_on_linux(monkeypatch, tmp_path):
    monkeypatch.setattr(digraph.sys, "platform", "linux")
    (tmp_path / "xdg-open").write_text("#!/bin/sh\n")
    (tmp_path / "xdg-open").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert digraph.viewer() is None
    monkeypatch.setenv("DISPLAY", ":0")
    assert digraph.viewer() == [str(tmp_path / "xdg-open")]


def test_unflatten_staggers_leaves_and_still_draws(no_dot, tmp_path):
    fan = gradviz.trace(lambda x: np.sin(x) + np.cos(x) + np.exp(x) + np.tanh(x), 0.5)
    flat = gradviz.to_dot(fan)
    tall = flat.unflatten(stagger=3)
    assert isinstance(tall, digraph.Source)
    assert "minlen" in tall.source and "minlen" not in flat.source
    assert "∂w3/∂w1 = -sin w1" in tall.source  # the HTML labels survive
    assert tall.render("tall", format="png") == "tall.png"
    assert (tmp_path / "tall.png").read_bytes().startswith(PNG)
    assert "<svg" in tall.pipe("svg", encoding="utf-8")
    with pytest.raises(graphviz.RequiredArgumentError):
        flat.unflatten(fanout=True)


def test_unflatten_spreads_a_fan_of_leaves_over_ranks(no_dot):
    fan = digraph.Graph(body=["a -> b\n", "a -> c\n", "a -> d\n"])
    assert [f"minlen={n}" in fan.unflatten(stagger=3).source for n in (1, 2, 3)] == [True] * 3


def test_jupyter_displays_the_graph_without_dot(lecture, no_dot):
    bundle = gradviz.to_dot(lecture)._repr_mimebundle_()
    assert "∂w4/∂w1 = cos w1" in bundle["image/svg+xml"]


def test_trace_and_recording_display_in_jupyter(lecture, no_dot):
    svg = lecture._repr_svg_()
    assert svg.startswith("<?xml") and "∂w4/∂w1 = cos w1" in svg
    assert "<script" in lecture._repr_html_()
    f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    with gradviz.record() as run:
        assert run._repr_svg_() is None and run._repr_html_() is None
        for _ in range(2):
            f(np.array([0.5, -1.0]))
    assert "tanh" in run._repr_svg_()
    assert "<script" in run._repr_html_()


def test_a_folder_that_cannot_be_made_is_a_render_error_that_says_so(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder would go")
    with pytest.raises(RenderError, match="cannot make the folder .*taken"):
        digraph.Graph(body=["a -> b\n"]).render("graph", directory=str(blocker / "inner"),
                                                 format="svg")
