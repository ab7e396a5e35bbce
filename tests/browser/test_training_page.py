"""A training run's page in a real browser: the iteration slider moves everything."""

from __future__ import annotations

import pytest

from browser_session import browser, page  # noqa: F401 (fixtures)
from gradviz.cli import main
from gradviz.export.notation import format_value
from gradviz.train.moons import logistic_model, moons_data, train

STEPS, LR = 12, 0.01

SEEN = """
var root = document.querySelector('.gv-training');
var fills = Array.prototype.map.call(root.querySelectorAll('.gv-boundary rect'),
  function (r) { return r.getAttribute('fill'); });
var w12 = root.querySelector('[id="a_gv-w12-v"]');
return {where: root.querySelector('.gv-where').textContent,
        weights: root.querySelector('.gv-weights').textContent,
        fills: fills.join(' '), value: w12 ? w12.textContent.trim() : null,
        ticks: root.querySelectorAll('.gv-loss .gv-finding').length,
        findings: root.querySelector('.gv-findings').textContent};
"""


@pytest.fixture(scope="module")
def moons_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "moons.html"
    code = main(["train", "moons", "--steps", str(STEPS), "--lr", str(LR), "--samples", "200",
                 "--break-iteration", "6", "--html", str(path)])
    assert code == 0
    return path


def test_the_iteration_slider_moves_loss_weights_graph_and_boundary(browser, page, moons_page):
    X, y = moons_data(samples=200)
    expected = train(logistic_model(), X, y, steps=STEPS, learning_rate=LR, keep_traces=True)
    page(moons_page)
    first = browser.run(SEEN)
    assert first["where"] == f"iteration 1 of {STEPS} · loss {format_value(expected.losses[0])}"
    assert first["weights"].startswith("params = [1, 1]")
    assert first["ticks"] == 1 and "iteration 6: breakpoint" in first["findings"]
    browser.click(".gv-slider")  # the slider takes the focus; its own arrow keys move it
    browser.press("Home", "ArrowRight", "ArrowRight", "ArrowRight")
    moved = browser.run(SEEN)
    assert moved["where"] == f"iteration 4 of {STEPS} · loss {format_value(expected.losses[3])}"
    params = expected.traces[3].nodes[expected.traces[3].inputs[0]].value
    assert moved["weights"].startswith(f"params = {format_value(params, 4, whole=4)}")
    assert moved["fills"] != first["fills"] and moved["value"] != first["value"]


# Every text of every node that shows numbers, and whether it lies inside the node's box and
# right of the row's name; a number's hover title.
INSIDE = """
var found = [];
Array.prototype.forEach.call(document.querySelectorAll('.gv-graph g.node'), function (g) {
  if (!g.querySelector('[id^="a_gv-"]')) { return; }
  var box = g.querySelector('path, polygon').getBBox();
  Array.prototype.forEach.call(g.querySelectorAll('text'), function (t) {
    var r = t.getBBox(), a = t.closest('a');
    found.push({node: g.querySelector('title').textContent, text: t.textContent,
                inside: r.x >= box.x - 0.5 && r.x + r.width <= box.x + box.width + 0.5,
                title: a ? a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') : null});
  });
});
return found;
"""


@pytest.fixture(scope="module")
def diverging_page(tmp_path_factory):
    """A run whose values grow long (lr 0.05 diverges: its third iteration is NaN)."""
    path = tmp_path_factory.mktemp("pages") / "diverging.html"
    # exit 1: the run reports its NaN
    assert main(["train", "moons", "--steps", "3", "--lr", "0.05", "--html", str(path)]) == 1
    return path


def test_long_values_stay_inside_their_boxes(browser, page, diverging_page):
    X, y = moons_data()
    expected = train(logistic_model(), X, y, steps=3, learning_rate=0.05, keep_traces=True)
    page(diverging_page)
    assert all(text["inside"] for text in browser.run(INSIDE))  # the first iteration: as laid out
    browser.press("End")
    last = browser.run(INSIDE)
    outside = [f"{t['node']}: {t['text']}" for t in last if not t["inside"]]
    assert outside == []
    cut = [t for t in last if t["text"].endswith("…")]
    assert len(cut) >= 3, "the last iteration's texts are longer than the first's: some are cut"
    values = {node.name: format_value(node.value) for node in expected.traces[-1].nodes}
    for text in cut:  # the whole value is the hover title
        whole = text["title"].split(": ", 1)[1]
        assert whole.startswith(text["text"][:-1])
        if text["title"].startswith("value of"):
            assert whole == values[text["node"]]


SWEEPS = """
var box = document.querySelector('.gv-sweeps');
var current = document.querySelector('.gv-graph g.node.gv-current');
var w12 = document.querySelector('[id="a_gv-w12-v"]');
var row = box.querySelector('tr.gv-current');
return {text: box.querySelector('.gv-text').hidden ? null : box.querySelector('.gv-text').textContent,
        count: box.querySelector('.gv-step-count').textContent,
        none: box.querySelector('.gv-sweeps-none').hidden ? null : box.querySelector('.gv-sweeps-none').textContent,
        node: current ? current.querySelector('title').textContent : null,
        row: row ? row.textContent : null,
        w12: w12 && getComputedStyle(w12).visibility !== 'hidden' ? w12.textContent.trim() : ''};
"""


def test_an_iterations_sweeps_step_as_the_lecture_page_does(browser, page, moons_page):
    from gradviz.renderer.html import graph_svg, stepped_iterations, stepper_model

    X, y = moons_data(samples=200)
    expected = train(logistic_model(), X, y, steps=STEPS, learning_rate=LR, keep_traces=True)
    _svg, cells = graph_svg(expected.traces[0], {"seed": None})
    steps = stepper_model(expected.traces[0], cells=cells)["steps"]
    page(moons_page)
    finished = browser.run(SWEEPS)  # an iteration opens on its finished sweeps
    assert finished["count"] == f"step {len(steps)} of {len(steps)}" and finished["none"] is None
    assert finished["text"] == steps[-1]["where"] + "\n" + steps[-1]["text"]
    assert finished["w12"] == format_value(expected.traces[0].nodes[11].value)
    browser.click('.gv-sweeps [data-step="start"]')
    first = browser.run(SWEEPS)
    assert first["text"] == steps[0]["where"] + "\n" + steps[0]["text"]
    assert first["node"] == steps[0]["node"] and first["row"] is not None
    assert first["w12"] == ""  # not evaluated yet at the first step
    browser.click('.gv-sweeps [data-step="next"]')
    assert browser.run(SWEEPS)["text"] == steps[1]["where"] + "\n" + steps[1]["text"]
    stepped = stepped_iterations(STEPS, [5])  # --break-iteration 6 is position 5
    assert 1 not in stepped and STEPS - 1 in stepped
    browser.press("ArrowRight")  # iteration 2: its sweeps are not on the page
    other = browser.run(SWEEPS)
    assert other["text"] is None and other["node"] is None
    assert other["none"].startswith("the page holds the sweeps of iterations " +
                                    ", ".join(str(k + 1) for k in stepped))
    assert other["w12"] == format_value(expected.traces[1].nodes[11].value)
    browser.press("End")
    last = browser.run(SWEEPS)
    assert last["none"] is None and last["w12"] == format_value(expected.traces[-1].nodes[11].value)


RECORD = """
var r = document.querySelector('.gv-training .gv-record');
return r.hidden ? null : r.querySelector('pre').textContent;
"""


def _node_selector(browser, name: str) -> str:
    """A CSS selector of the graph's node ``name`` (Graphviz gives each node an id)."""
    return "#" + browser.run(
        "var name = arguments[0];"
        "return Array.prototype.filter.call(document.querySelectorAll('.gv-graph g.node'),"
        " function (g) { return g.querySelector('title').textContent === name; })[0].id;",
        name)


def test_clicking_a_node_shows_its_record_in_the_iteration_chosen(browser, page, moons_page):
    from gradviz.engine.source import describe_site

    X, y = moons_data(samples=200)
    expected = train(logistic_model(), X, y, steps=STEPS, learning_rate=LR, keep_traces=True)
    page(moons_page)
    assert browser.run(RECORD) is None
    browser.click(_node_selector(browser, "w3"))

    def lines(iteration: int) -> list[str]:
        trace = expected.traces[iteration]
        node = trace.nodes[2]
        adjoint = trace.reverse_sweeps[0].results[2]
        return [f"iteration {iteration + 1} of {STEPS}", "w3 · tanh",
                f"w3 = tanh w2 = {format_value(node.value)}", "shape 200 float64",
                f"w̄3 = w̄4 = {format_value(adjoint)}", describe_site(node.site)]

    assert browser.run(RECORD).split("\n") == lines(0)
    browser.click(".gv-slider")  # another iteration: the open record follows it
    browser.press("Home", "ArrowRight", "ArrowRight", "ArrowRight")
    assert browser.run(RECORD).split("\n") == lines(3)
    assert lines(3)[2] != lines(0)[2]
    browser.click(".gv-training .gv-close")
    assert browser.run(RECORD) is None


def test_on_a_phone_the_page_is_no_wider_than_the_screen(browser, page, moons_page):
    browser.resize(390, 844)
    try:
        page(moons_page)
        sizes = browser.run("return [document.documentElement.scrollWidth, window.innerWidth];")
    finally:
        browser.resize(1400, 1000)
    assert sizes[0] <= sizes[1], f"the page is {sizes[0]} px wide on a {sizes[1]} px screen"


ZOOM = """
var graph = document.querySelector('.gv-graph'), button = graph.querySelector('.gv-zoom');
var label = graph.querySelector('g.node text');
return {hidden: button.hidden, text: button.textContent,
        drawn: graph.querySelector('svg').getBoundingClientRect().width,
        own: graph.querySelector('svg').width.baseVal.value,
        font: label.getBoundingClientRect().height};
"""


def test_a_graph_drawn_too_small_to_read_has_a_button_for_its_own_size(browser, page, tmp_path):
    path = tmp_path / "moons.html"  # the showcase's 13 nodes of arrays: wider than the column
    assert main(["train", "moons", "--steps", "2", "--html", str(path)]) == 0
    browser.resize(1280, 800)
    try:
        page(path)
        fitted = browser.run(ZOOM)
        assert not fitted["hidden"] and fitted["drawn"] < 0.6 * fitted["own"]
        assert fitted["font"] < 9  # the labels' text, drawn this small, cannot be read
        browser.click(".gv-zoom")
        zoomed = browser.run(ZOOM)
        assert abs(zoomed["drawn"] - zoomed["own"]) < 1 and zoomed["font"] >= 12
        assert zoomed["text"] == "fit to the page"
        browser.click(".gv-zoom")
        assert browser.run(ZOOM)["drawn"] == fitted["drawn"]
    finally:
        browser.resize(1400, 1000)


def test_a_recording_in_a_notebook_without_script_shows_its_first_iterations_graph(
        browser, page, tmp_path):
    import re

    import gradviz
    import gradviz.numpy as np

    f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    with gradviz.record() as run:
        w = np.array([0.5, -1.0])
        for _ in range(3):
            w = w - 0.5 * f(w)
    # what a notebook viewer that runs no script shows: the cell's HTML, its scripts removed
    cell = re.sub(r"<script>.*?</script>", "", run._repr_html_(), flags=re.S)
    assert "<script>" not in cell
    path = tmp_path / "cell.html"
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{cell}</body></html>',
                    "utf-8")
    page(path)
    seen = browser.run(
        "var r = document.querySelector('.gv-training'), g = r.querySelector('.gv-graph');"
        "var v = r.querySelector('[id=\"a_gv-w1-v\"]');"
        "return {where: r.querySelector('.gv-where').textContent,"
        " side: getComputedStyle(r.querySelector('.gv-side')).display,"
        " controls: getComputedStyle(r.querySelector('.gv-controls')).display,"
        " graph: g.getBoundingClientRect().left, value: v.textContent.trim(),"
        " visible: getComputedStyle(v).visibility};")
    assert seen["where"].startswith("iteration 1 of 3: the graph with its numbers")
    assert seen["side"] == "none" and seen["controls"] == "none" and seen["graph"] < 20
    assert seen["value"] == "[0.5, -1]" and seen["visible"] == "visible"
