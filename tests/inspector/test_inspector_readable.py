"""What a student reads in the inspector's panels past the lecture's first screen: the
tables of a sweep to come, and the tree of a deep trace, driven at 80×24 and 140×45."""

from __future__ import annotations

import asyncio
import re

import pytest

from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state, views
from gradviz.inspector.app import InspectorApp

SIZES = [(80, 24), (140, 45)]


def sum_of_sines(terms: int) -> str:
    return " + ".join(f"sin(x*{k})" for k in range(1, terms + 1))


async def settled(pilot) -> None:
    """Wait, by events and not by time, until the screen shows the app's state."""
    for _ in range(200):
        await pilot.pause()
        if pilot.app.up_to_date:
            return
    raise AssertionError("the inspector never drew its panels")


def drive(app: InspectorApp, size, keys: list[str], panel: str) -> str:
    """The text of ``panel`` after ``keys``, once the screen shows it."""
    async def main():
        async with app.run_test(size=size) as pilot:
            await settled(pilot)
            for key in keys:
                await pilot.press(key)
            await settled(pilot)
            return app.query_one(panel).text.plain

    return asyncio.run(main())


@pytest.mark.parametrize("size", SIZES)
def test_the_reverse_table_to_come_names_each_adjoint_of_its_rows(size):
    """w5 = w3 + w4 uses both w3 and w4: their rows of the reverse table share the value
    column, so while they are to come each still says which adjoint it will compute."""
    app = InspectorApp(make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")))
    keys = ["right"] + (["tab"] if size == (80, 24) else [])
    text = drive(app, size, keys, "#table")
    table = text[text.index("reverse sweep"):]
    assert "(to come)" in table.splitlines()[0]
    rows = [line for line in table.splitlines()[3:] if "│" in line]
    window = re.search(r"rows (\d+)–(\d+) of 5", table)
    start, end = (int(window.group(1)), int(window.group(2))) if window else (1, 5)
    assert len(rows) == end - start + 1 >= 3
    assert len(set(rows)) == len(rows), rows  # no row reads as another
    adjoints = [re.search(r"│ (w̄\d)", row).group(1) for row in rows]
    assert adjoints == ["w̄5", "w̄4", "w̄3", "w̄2", "w̄1"][start - 1 : end]
    # symbols, not numbers: the sweep has not run yet
    assert "w̄1 = w̄3·w2 + w̄4·cos w1" in rows[-1] and "4.584" not in table


@pytest.mark.parametrize("size", SIZES)
def test_the_reverse_sweep_numbers_a_row_only_once_it_is_reached(size):
    app = InspectorApp(make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")))
    keys = ["f", "f", "right", "right"] + (["tab"] if size == (80, 24) else [])
    text = drive(app, size, keys, "#table")
    rows = {re.search(r"│ (w̄\d)", line).group(1): line for line in text.splitlines()
            if re.search(r"│ w̄\d", line) and "so far" not in line}
    assert rows["w̄3"].rstrip().endswith("w̄3 = w̄5 = 1")  # reached: with its numbers
    assert rows["w̄2"].rstrip().endswith("w̄2 = w̄3·w1")  # to come: in symbols only


def _prefix(line: str) -> str:
    match = re.match(r"[ │├└─┆]*", line)
    return match.group(0)


@pytest.mark.parametrize(("size", "terms", "keys"), [((80, 24), 29, ["g", "w", "8", "7", "enter"]), ((140, 45), 29, ["right"] * 12)])
def test_the_tree_draws_one_level_per_column_when_its_window_starts_deep(size, terms, keys):
    """Every line of the tree's window draws the same level in the same column, so a vertical
    line is one node's branch; a line too deep for the panel keeps those first columns and
    marks the levels left out with ┆ (it drew its own last levels there, so ┆ │ │ on one line
    and │ │ │ on the next meant different levels)."""
    state = make_state(trace_expression(sum_of_sines(terms), "x=0.5"))
    app = InspectorApp(state)
    text = drive(app, size, keys, "#graph")
    caption = re.search(r"lines (\d+)–(\d+) of \d+(?:, (\d+) levels? deep)?", text)
    assert caption, text
    first, base = int(caption.group(1)), int(caption.group(3) or 0)
    shown = [line for line in text.splitlines()[1:] if not line.startswith("…")]
    lines = views.graph_lines(state)[first - 1 : first - 1 + len(shown)]
    assert any("┆" in line for line in shown), "the window is meant to start deep"
    for screen, (prefix, node, _repeated, depth) in zip(shown, lines):
        assert f"w{node + 1} " in screen, (screen, node)  # the screen line is this tree line
        full = prefix[len(prefix) - 3 * (depth - base):] if depth > base else ""
        drawn = _prefix(screen)
        kept = drawn.split("┆")[0]
        assert full.startswith(kept), (screen, full)
        assert len(kept) >= min(len(full), 6), (screen, full)
        if "┆" in drawn:  # then only the line's own branch mark after it
            assert drawn.endswith("┆  " + prefix[-3:]), screen


def test_the_tree_window_one_level_down_says_level_not_levels():
    state = make_state(trace_expression(sum_of_sines(29), "x=0.5"))
    text = drive(InspectorApp(state), (80, 24), ["g", "w", "8", "6", "enter"], "#graph")
    assert text.splitlines()[-1].endswith("of 115, 1 level deep"), text


@pytest.mark.parametrize("size", SIZES)
def test_the_sweeps_seeded_on_an_arrays_elements_are_told_apart(size):
    """W is 2×2: four forward sweeps seed one element each; each says which."""
    trace = trace_expression("sum(tanh(W*x))", "W=[[1,2],[3,4]],x=[0.5,-1]")
    app = InspectorApp(make_state(trace))
    where = drive(app, size, ["f", "right"], "#where")
    assert where.startswith("forward sweep 2 of 6, seeded on W[0, 1] · step 1 of 5"), where
    graph = drive(InspectorApp(make_state(trace)), size, ["f", "right"], "#graph")
    assert graph.splitlines()[0].startswith("value, ẇ seeded on W[0, 1]")


def test_the_loss_charts_axis_reads_1_steps_100_at_80x24():
    from gradviz.inspector.breakpoints import NonFinite
    from gradviz.inspector.run import Run
    from gradviz.train.moons import iterate_training, logistic_model, moons_data

    X, y = moons_data(100, 0.1, seed=0)
    model = logistic_model()
    traces = (it.trace for it in iterate_training(model, X, y, steps=100, learning_rate=0.003))
    run = Run(traces, total=100, inputs=X, labels=y, predict=model.predict, training=True)
    app = InspectorApp(make_state(run, breakpoints=[NonFinite()]))

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("tab", "tab")
            await settled(pilot)
            return str(app.query_one("#loss").render())

    axis = asyncio.run(main()).splitlines()[-1].split()
    assert axis == ["1", "steps", "100"], axis
