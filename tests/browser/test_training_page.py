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
