"""The lecture's page in a real browser, as a student uses it: keys, buttons, the slider.

The page is made the way users make it (``gradviz render … -o lecture.html``), opened from a
``file://`` URL in headless Chromium, and everything is asserted on what the page shows.
"""

from __future__ import annotations

import pytest

from browser_session import browser, network_requests, page  # noqa: F401 (fixtures)
from gradviz.cli import main

LECTURE = ["x1*x2 + sin(x1)", "--at", "x1=2,x2=5"]
W1_COMPLETE = "w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584"

# What a student sees: the highlighted node and edges, the highlighted row, the texts.
SEEN = """
var root = document.querySelector('.gv-stepper');
function titles(selector) {
  return Array.prototype.map.call(root.querySelectorAll(selector),
    function (g) { return g.querySelector('title').textContent; });
}
function cell(id) {
  var g = root.querySelector('[id="a_' + id + '"]');
  if (!g) { return null; }
  return getComputedStyle(g).visibility === 'hidden' ? '' : g.textContent.trim();
}
var row = root.querySelector('tr.gv-current');
var cells = {};
Array.prototype.forEach.call(root.querySelectorAll('[id^="a_gv-"]'), function (g) {
  cells[g.id] = cell(g.id.slice(2));
});
return {count: root.querySelector('.gv-count').textContent,
        where: root.querySelector('.gv-where').textContent,
        text: root.querySelector('.gv-text').textContent,
        node: titles('g.node.gv-current'), source: titles('g.node.gv-source'),
        edges: titles('g.edge.gv-used'),
        row: row ? row.textContent : null,
        table: row ? row.closest('table').querySelector('caption').textContent : null,
        cells: cells};
"""


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "lecture.html"
    assert main(["render", *LECTURE, "-o", str(path)]) == 0
    return path


def seen(browser) -> dict:
    return browser.run(SEEN)


def press_until(browser, condition, limit: int = 40) -> dict:
    for _ in range(limit):
        state = seen(browser)
        if condition(state):
            return state
        browser.press("ArrowRight")
    raise AssertionError(f"never reached: last seen {state}")


def test_the_first_state_shows_the_seed_and_hides_what_is_not_computed(browser, page, lecture):
    page(lecture)
    first = seen(browser)
    assert first["count"] == "step 1 of 16"
    assert first["node"] == ["w1"] and first["edges"] == []
    assert first["text"] == "w1 = x1 = 2\nẇ1 = 1 (seed)"
    assert first["row"] == "w1 = x1 = 2ẇ1 = 1 (seed)"
    assert first["cells"]["a_gv-w1-v"] == "2" and first["cells"]["a_gv-w1-t0"] == "1"
    hidden = [name for name, shown in first["cells"].items() if shown == ""]
    assert "a_gv-w3-v" in hidden and "a_gv-w5-a0" in hidden and "a_gv-w1-t1" in hidden


def test_right_arrow_to_the_reverse_sweeps_end_and_left_arrow_back_to_the_start(browser, page, lecture):
    page(lecture)
    first = seen(browser)
    one_contribution = press_until(browser, lambda s: s["text"].startswith("w4 = sin w1, so w̄1"))
    assert one_contribution["cells"]["a_gv-w1-a0"] == "-0.4161"  # one of two contributions so far
    assert "so far (1 of 2)" in one_contribution["row"]
    complete = press_until(browser, lambda s: W1_COMPLETE in s["text"])
    assert complete["node"] == ["w1"] and complete["source"] == ["w3"]
    assert complete["edges"] == ["w1->w3"]
    assert complete["table"].startswith("reverse sweep 1 of 1")
    assert W1_COMPLETE in complete["row"]
    assert complete["cells"]["a_gv-w1-a0"] == "4.584"
    assert complete["cells"]["a_gv-w2-a0"] == ""  # w̄2 comes in the last step
    last = press_until(browser, lambda s: s["count"] == "step 16 of 16")
    assert last["node"] == ["w2"] and "w̄2 += w̄3·w1 = 1·2 = 2" in last["text"]
    assert all(shown != "" for shown in last["cells"].values())  # every number is known
    browser.press("ArrowRight")
    assert seen(browser) == last  # the end stays the end
    browser.press(*["ArrowLeft"] * 15)
    assert seen(browser) == first


def test_home_end_and_the_slider(browser, page, lecture):
    page(lecture)
    first = seen(browser)
    browser.press("End")
    assert seen(browser)["count"] == "step 16 of 16"
    browser.press("Home")
    assert seen(browser) == first
    browser.run("var s = document.querySelector('.gv-slider'); s.value = '12';"
                "s.dispatchEvent(new Event('input'));")
    state = seen(browser)
    assert state["count"] == "step 13 of 16" and state["node"] == ["w4"]


def test_switching_the_seed_keeps_the_row(browser, page, lecture):
    page(lecture)
    at_w3 = press_until(browser, lambda s: s["node"] == ["w3"])
    assert at_w3["where"].startswith("forward sweep 1 of 2, seeded on x1")
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5" in at_w3["text"]
    browser.press("s")
    switched = seen(browser)
    assert switched["where"].startswith("forward sweep 2 of 2, seeded on x2")
    assert switched["node"] == ["w3"] and switched["edges"] == ["w1->w3", "w2->w3"]
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·0 + 2·1 = 2" in switched["text"]
    assert switched["cells"]["a_gv-w3-t1"] == "2" and switched["cells"]["a_gv-w4-t1"] == ""
    browser.click('[data-do="seed"]')
    assert seen(browser)["where"] == at_w3["where"]


PLAY = "return document.querySelector('[data-do=\"play\"]').textContent.indexOf(arguments[0]) >= 0;"
COUNT = "return document.querySelector('.gv-count').textContent === arguments[0];"


def test_play_runs_and_space_pauses(browser, page, lecture):
    page(lecture)
    browser.press("Space")
    browser.wait_until(PLAY, "pause")
    browser.wait_until(COUNT, "step 2 of 16")  # play runs (a step every 0.8 s)
    browser.press("Space")
    browser.wait_until(PLAY, "play")
    paused_at = browser.text(".gv-count")
    browser.press("ArrowRight")  # stepping on by hand from where play stopped
    assert browser.text(".gv-count") == "step %d of 16" % (int(paused_at.split()[1]) + 1)


def test_clicking_a_node_shows_its_record(browser, page, lecture):
    page(lecture)
    browser.click("g.node:nth-of-type(4)")
    record = browser.run("var r = document.querySelector('.gv-record');"
                         "return r.hidden ? null : r.querySelector('pre').textContent;")
    assert record is not None and record.startswith("w")
    name = record.split(" ", 1)[0]
    assert f"{name} = " in record and "(seed x1)" in record and f"w̄{name[1:]} = " in record


def test_the_page_loads_nothing_from_the_network(browser, page, lecture):
    page(lecture)
    requests = network_requests(browser.log("performance"))
    assert requests == [lecture.resolve().as_uri()]
    assert browser.run("return performance.getEntriesByType('resource').length;") == 0


def test_a_screenshot_of_the_reverse_sweep(browser, page, lecture, tmp_path):
    page(lecture)
    press_until(browser, lambda s: W1_COMPLETE in s["text"])
    shot = browser.screenshot(str(tmp_path / "lecture-reverse.png"))
    with open(shot, "rb") as file:
        assert file.read(4) == b"\x89PNG"


# Pairs of edge labels whose drawn boxes overlap.
OVERLAPS = """
var boxes = Array.prototype.map.call(document.querySelectorAll('.gv-graph g.edge text'), function (t) {
  var r = t.getBBox();
  return [t.textContent, r.x, r.x + r.width, r.y, r.y + r.height];
});
var hits = [];
for (var i = 0; i < boxes.length; i++) {
  for (var j = i + 1; j < boxes.length; j++) {
    var a = boxes[i], b = boxes[j];
    if (a[1] < b[2] && b[1] < a[2] && a[3] < b[4] && b[3] < a[4]) { hits.push(a[0] + ' | ' + b[0]); }
  }
}
return hits;
"""


def test_a_highlighted_edge_label_keeps_clear_of_the_others(browser, page, lecture):
    page(lecture)  # (a bold label came out wider than laid out and ran into its neighbour)
    for step in range(16):
        assert browser.run(OVERLAPS) == [], f"step {step + 1}"
        browser.press("ArrowRight")


def test_a_graph_that_fits_has_no_zoom_button(browser, page, lecture):
    page(lecture)
    assert browser.run("return document.querySelector('.gv-zoom').hidden;") is True


def test_on_a_phone_a_tapped_nodes_record_comes_into_view(browser, page, lecture):
    browser.resize(390, 844)
    try:
        page(lecture)
        node = browser.run("var g = Array.prototype.filter.call(document.querySelectorAll('g.node'),"
                           " function (g) { return g.querySelector('title').textContent === 'w3'; })[0];"
                           " return g.id;")
        browser.click("#" + node)
        box = browser.run("var r = document.querySelector('.gv-record').getBoundingClientRect();"
                          "return [r.top, r.bottom, window.innerHeight];")
    finally:
        browser.resize(1400, 1000)
    assert 0 <= box[0] and box[1] <= box[2] + 1, f"the record is at {box[:2]} on a {box[2]} px high screen"


CONTRAST = """
function luminance(colour) {
  var c = colour.match(/[\\d.]+/g).slice(0, 3).map(function (v) {
    v = parseFloat(v) / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function ratio(colour) { return 1.05 / (luminance(colour) + 0.05); }  // against white
var pending = document.querySelector('tr.gv-pending');
var caption = document.querySelector('.gv-table.gv-active caption');
return {pending: ratio(getComputedStyle(pending).color),
        now: ratio(getComputedStyle(caption, '::after').color)};
"""


def test_the_dimmed_rows_and_the_now_mark_are_readable(browser, page, lecture):
    page(lecture)  # at the first step: the rows not computed yet are dimmed
    seen = browser.run(CONTRAST)
    assert seen["pending"] >= 4.5 and seen["now"] >= 4.5, seen  # WCAG's AA for text


def test_the_zoom_button_appears_when_the_window_narrows(browser, page, lecture):
    page(lecture)
    assert browser.run("return document.querySelector('.gv-zoom').hidden;") is True
    browser.resize(390, 844)
    try:
        browser.wait_until("return !document.querySelector('.gv-zoom').hidden;", timeout=5)
    finally:
        browser.resize(1400, 1000)
    browser.wait_until("return document.querySelector('.gv-zoom').hidden;", timeout=5)
