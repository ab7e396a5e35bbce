"""The HTML stepper without a browser: what the file holds, its size, its errors, the pages
committed under docs/pages, and the notebook display. The browser tests are in tests/browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli import main
from gradviz.cli.expression import trace_expression
from gradviz.inspector.state import InspectorState, Run
from gradviz.inspector.views import step_text
from gradviz.renderer.html import (MAX_STEPPED, external_references, stepped_iterations, stepper_model,
                                   stepper_page, training_page)

ROOT = Path(__file__).resolve().parents[2]
LECTURE = ["x1*x2 + sin(x1)", "--at", "x1=2,x2=5"]
# The commands that made the committed pages (README, docs/rendering.md)
DOCS_PAGES = {"lecture.html": ["render", *LECTURE, "-o"],
              "moons.html": ["train", "moons", "--steps", "60", "--html"]}


def _data(page: str) -> dict:
    return json.loads(re.search(r'class="gv-data">(.*?)</script>', page, re.S).group(1))


@pytest.fixture(scope="module")
def lecture_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "lecture.html"
    assert main(["render", *LECTURE, "-o", str(path)]) == 0
    return path.read_text("utf-8")


def _descent(iterations: int):
    """A recorded gradient descent on sum(tanh(w)²), ``iterations`` steps."""
    f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    with gradviz.record() as run:
        w = numpy.array([0.5, -1.0])
        for _ in range(iterations):
            w = w - 0.5 * f(w)
    return run


def test_the_lecture_page_is_self_contained_and_small(lecture_page):
    assert external_references(lecture_page) == []
    assert "<script src" not in lecture_page and "<link" not in lecture_page
    assert len(lecture_page.encode("utf-8")) <= 300_000


def test_external_references_finds_what_a_browser_would_fetch():
    found = external_references('<img src="http://a/x.png"><a href="#top"><style>b{background:url(y.png)}</style>')
    assert found == ['src="http://a/x.png', "url("]


def test_without_script_the_page_is_the_finished_picture(lecture_page):
    svg = lecture_page[lecture_page.index("<svg"):lecture_page.index("</svg>")]
    assert ">4.584<" in svg and ">&#45;0.4161<" in svg  # w̄1 and ẇ4 drawn in full (Graphviz writes - as &#45;)
    assert "w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584" in lecture_page  # the table
    # the controls are hidden until the script marks the stepper ready
    assert '<div class="gv-stepper" data-keys="page"' in lecture_page
    assert ".gv-stepper:not(.gv-ready) .gv-controls" in lecture_page


def test_every_step_is_the_inspectors_step():
    trace = trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")
    steps = stepper_model(trace)["steps"]
    state = InspectorState(Run([trace]))
    texts = []
    for _ in steps:
        texts.append(step_text(state).plain)
        state.step()
    assert [step["text"] for step in steps] == texts
    assert len(steps) == 5 + 5 + 6  # two forward sweeps of five rows, six reverse contributions


def test_each_number_appears_when_its_sweep_reaches_it(lecture_page):
    steps = _data(lecture_page)["steps"]
    hidden = {cell for cell, shown in steps[0]["cells"] if shown is None}
    assert {"gv-w3-v", "gv-w3-t0", "gv-w3-t1", "gv-w3-a0"} <= hidden and "gv-w1-v" not in hidden
    appear = {cell: k for k, step in enumerate(steps) for cell, shown in step["cells"] if shown == 1}
    assert appear["gv-w3-v"] == 2 and appear["gv-w3-t1"] == 7 and appear["gv-w1-a0"] == 14
    running = [shown for step in steps for cell, shown in step["cells"] if cell == "gv-w1-a0"]
    assert running == [None, "-0.4161", 1]  # hidden, one contribution so far, complete


def test_render_writes_html_from_python(tmp_path):
    trace = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    path = gradviz.render(trace, tmp_path / "x.html")
    assert Path(path).read_text("utf-8").startswith("<!DOCTYPE html>")


def test_render_of_a_graph_as_html_says_what_to_pass(tmp_path):
    trace = gradviz.trace(lambda x: np.sin(x), 1.0)
    with pytest.raises(gradviz.GradvizError, match="made from a gradviz.Trace"):
        gradviz.render(trace.to_networkx(), tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_train_html_needs_an_html_name(tmp_path, capsys):
    assert main(["train", "moons", "--steps", "2", "--html", str(tmp_path / "run.png")]) == 2
    assert "--html writes a web page" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_large_trace_is_summarised_and_stays_small():
    def chain(x):
        for k in range(150):
            x = np.sin(x * 1.01)
        return x

    page = stepper_page(gradviz.trace(chain, 0.3))
    assert "folded" in page and len(page.encode("utf-8")) < 1_500_000
    assert len(_data(page)["steps"]) == 301 * 2  # every step is still there, graph or not


def test_notebooks_show_the_stepper_for_a_trace_and_a_recording():
    trace = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    shown = trace._repr_html_()
    assert 'data-keys="focus"' in shown and "<svg" in shown and "<!DOCTYPE" not in shown
    run = _descent(3)
    data = _data(run._repr_html_())
    assert data["kind"] == "training" and len(data["iterations"]) == 3


def test_a_diverging_runs_page_marks_its_nonfinite_iterations_and_where_the_first_was_born(tmp_path):
    path = tmp_path / "diverging.html"
    # training stops at its first NaN, the third iteration
    assert main(["train", "moons", "--steps", "9", "--lr", "0.05", "--html", str(path)]) == 1
    findings = _data(path.read_text("utf-8"))["findings"]
    assert [(f["iteration"], f["kind"]) for f in findings] == [(2, "nonfinite")]
    assert "; born: non-finite value born in the primal pass at w9 = log(w8)" in findings[0]["text"]
    f = gradviz.grad(lambda w: np.log(w))
    with gradviz.record() as run, numpy.errstate(all="ignore"):
        f(1.0), f(-1.0), f(0.0)
    shown = _data(run._repr_html_())["findings"]  # a notebook's recording: marked as well
    assert [f["iteration"] for f in shown] == [1, 2] and "born" not in shown[1]["text"]


def test_the_showcase_training_page_is_a_run_that_trains():
    """docs/pages/moons.html is what a teacher opens first: a run that converges, not one that
    turns NaN at its third iteration (as lr 0.05 does)."""
    data = _data((ROOT / "docs" / "pages" / "moons.html").read_text("utf-8"))
    losses = [iteration["loss"] for iteration in data["iterations"]]
    assert len(losses) == 60 and None not in losses and data["findings"] == []
    assert losses[-1] < losses[0] / 3 and losses == sorted(losses, reverse=True)


@pytest.mark.parametrize("name", sorted(DOCS_PAGES))
def test_the_pages_in_docs_are_what_the_documented_command_makes(name, tmp_path, capsys):
    made = tmp_path / name
    main([*DOCS_PAGES[name], str(made)])
    committed = ROOT / "docs" / "pages" / name
    assert made.read_bytes() == committed.read_bytes(), (
        f"docs/pages/{name} is out of date: gradviz {' '.join(DOCS_PAGES[name])} docs/pages/{name}")


def test_a_training_page_steps_through_the_sweeps_of_some_iterations():
    run = _descent(3)
    data = _data(training_page(run.traces))
    assert sorted(data["sweeps"]) == ["0", "1", "2"]
    alone = stepper_model(run.traces[1], cells=[])  # the lecture page's steps, word for word
    assert [s["text"] for s in data["sweeps"]["1"]["steps"]] == [s["text"] for s in alone["steps"]]
    assert data["sweeps"]["1"]["tables"][0]["rows"] == alone["tables"][0]["rows"]


def test_a_long_runs_page_steps_through_a_few_iterations_and_a_large_traces_none():
    run = _descent(20)
    data = _data(training_page(run.traces, breakpoints=[7]))
    assert [int(k) for k in data["sweeps"]] == stepped_iterations(20, [6])
    assert len(data["sweeps"]) == MAX_STEPPED and "6" in data["sweeps"]

    def chain(w):
        for _ in range(200):
            w = np.sin(w)
        return w

    g = gradviz.grad(chain)
    with gradviz.record() as run:
        g(0.3), g(0.4)
    page = training_page(run.traces)
    assert _data(page)["sweeps"] == {} and len(page.encode("utf-8")) < 200_000
