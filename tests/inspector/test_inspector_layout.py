"""The inspector's layout at the two sizes it is made for: 80×24 (one panel at a time, tab
switches) and 140×45 (every panel side by side); deep traces and training panels readable."""

from __future__ import annotations

import asyncio

import pytest

from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state, views
from gradviz.inspector.app import InspectorApp
from gradviz.inspector.breakpoints import NonFinite
from gradviz.inspector.run import Run
from gradviz.train.moons import iterate_training, mlp_model, moons_data

SMALL, LARGE = (80, 24), (140, 45)


def lecture_app() -> InspectorApp:
    return InspectorApp(make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")))


def training_app(model=None, steps: int = 5) -> InspectorApp:
    X, y = moons_data(100, 0.1, seed=0)
    model = model or mlp_model(8, 0)
    traces = (it.trace for it in iterate_training(model, X, y, steps=steps, learning_rate=0.003))
    run = Run(traces, total=steps, inputs=X, labels=y, predict=model.predict, training=True)
    return InspectorApp(make_state(run, breakpoints=[NonFinite()]))


async def settled(pilot) -> None:
    """Wait, by events and not by time, until the screen shows the app's state."""
    await pilot.pause()
    for _ in range(200):
        if pilot.app.up_to_date:
            return
        await settled(pilot)
    raise AssertionError("the inspector never drew its panels")


def drive(app: InspectorApp, size, scenario):
    async def main():
        async with app.run_test(size=size) as pilot:
            await settled(pilot)
            return await scenario(pilot)

    return asyncio.run(main())


def shown(app: InspectorApp, selector: str) -> bool:
    widget = app.query_one(selector)
    return widget.display and all(a.display for a in widget.ancestors if hasattr(a, "display"))


def footer_keys(app: InspectorApp) -> list[str]:
    from textual.widgets import Footer

    footer = app.query_one(Footer)
    if not any(item.region.width for item in footer.query("FooterKey")):
        return None  # not laid out yet: see laid_out_footer
    return [item.description for item in footer.query("FooterKey") if item.region.width > 0
            and item.region.right <= app.size.width]


def test_at_80x24_one_panel_at_a_time_and_tab_switches():
    app = lecture_app()

    async def scenario(pilot):
        assert app.compact and shown(app, "#graph") and not shown(app, "#table")
        assert shown(app, "#step")
        await pilot.press("tab")
        await settled(pilot)
        assert app.view == "tables" and shown(app, "#table") and not shown(app, "#graph")
        await pilot.press("tab")
        await settled(pilot)
        assert app.view == "graph" and shown(app, "#graph")

    drive(app, SMALL, scenario)


async def laid_out_footer(pilot) -> list[str]:
    """The footer's keys once the footer is laid out (waited for by pauses, not by time)."""
    for _ in range(200):
        keys = footer_keys(pilot.app)
        if keys is not None:
            return keys
        await pilot.pause()
    raise AssertionError("the footer was never laid out")


def test_at_80x24_the_footer_shows_help_and_quit():
    app = lecture_app()

    async def scenario(pilot):
        keys = await laid_out_footer(pilot)
        assert "help" in keys and "quit" in keys and "step" in keys

    drive(app, SMALL, scenario)


def test_at_140x45_every_panel_is_shown():
    app = training_app()

    async def scenario(pilot):
        assert not app.compact
        for selector in ("#graph", "#step", "#table", "#loss", "#weights", "#boundary"):
            assert shown(app, selector), selector
        keys = await laid_out_footer(pilot)
        assert "help" in keys and "panel" not in keys

    drive(app, LARGE, scenario)


def test_training_at_80x24_shows_graph_tables_and_training_in_turn():
    app = training_app()

    async def scenario(pilot):
        seen = []
        for _ in range(3):
            seen.append([s for s in ("#graph", "#table", "#loss", "#weights") if shown(app, s)])
            await pilot.press("tab")
            await settled(pilot)
        assert seen == [["#graph"], ["#table"], ["#loss", "#weights"]]
        assert app.view == "graph"

    drive(app, SMALL, scenario)


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_mlp_weights_and_their_whole_gradient_fit_the_box(size):
    app = training_app()

    async def scenario(pilot):
        while app.view != "training" and app.compact:
            await pilot.press("tab")
            await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        text = views.weights_text(app.state).plain
        for name in ("W1", "b1", "W2", "b2"):
            assert f"\n{name} = " in "\n" + text and f"∂L/∂{name} = " in text
        assert "…" not in text and "max" in text.split("∂L/∂W1 = ")[1].split("\n")[0]
        from rich.console import Console

        size = app.query_one("#weights").content_size
        wrapped = views.weights_text(app.state).wrap(Console(width=size.width), size.width)
        assert len(wrapped) <= size.height  # every line of it is inside the box

    drive(app, size, scenario)


def test_a_key_redraws_only_the_panels_on_the_screen_that_it_changes(monkeypatch):
    """At 80×24 the training panels are hidden behind tab: stepping does not draw them; the
    step panel is drawn once per move, and a key that changes nothing draws nothing."""
    drawn = {"boundary": 0, "step": 0}
    for name in drawn:
        original = getattr(views, f"{name}_view" if name == "boundary" else "step_text")

        def counted(*args, _original=original, _name=name, **kwargs):
            drawn[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(views, f"{name}_view" if name == "boundary" else "step_text", counted)
    app = training_app()

    async def scenario(pilot):
        start = dict(drawn)
        for _ in range(3):
            await pilot.press("right")
            await settled(pilot)
        await pilot.press("z")  # bound to nothing
        await settled(pilot)
        assert drawn["boundary"] == start["boundary"] == 0
        assert drawn["step"] == start["step"] + 3
        while app.view != "training":
            await pilot.press("tab")
            await settled(pilot)
        await settled(pilot)
        assert drawn["boundary"] == 1

    drive(app, SMALL, scenario)


def test_ctrl_c_quits():
    app = lecture_app()

    async def scenario(pilot):
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit_renderables is not None or not app.is_running

    drive(app, SMALL, scenario)


def test_a_deep_sum_keeps_its_labels_and_follows_the_current_node():
    """A 29-term sum: the chain of adds is 28 levels deep, yet every line shows a label."""
    expression = " + ".join(f"sin(x*{k})" for k in range(1, 30))
    state = make_state(trace_expression(expression, "x=0.5"))
    for _ in range(60):
        state.step()
    text = views.graph_view(state, height=14, width=76).plain
    rows = text.splitlines()[1:-1]
    assert len(rows) == 14
    assert all(" = " in row or "↑" in row for row in rows)
    assert all(len(row) - len(row.lstrip(" │├└─┆")) <= 76 // 12 * 3 + 1 for row in rows)
    assert any(row.lstrip(" │├└─┆").startswith(state.trace.label(state.current.node) + " =")
               for row in rows)
    assert "levels deep" in text.splitlines()[-1]


def test_array_values_read_as_the_renderer_summarises_them():
    import numpy

    assert views.compact(numpy.arange(500.0)) == "(500,) min 0 mean 250 max 499"
    assert views.compact(numpy.array([1.0, 2.0])) == "[1, 2]"


def test_table_headers_are_whole_when_there_is_room():
    state = make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5"))
    wide = views.table_text(state, 10, 80).plain
    assert "Operations to compute value" in wide and "Operations to compute derivative" in wide
    narrow = views.table_text(state, 10, 40).plain
    assert "…" not in narrow.splitlines()[1] and "value" in narrow.splitlines()[1]


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_v_draws_the_graph_in_layers_around_the_current_node(size):
    """The 2-D view of a 29-term sum: boxes in layers by depth, the current node's box among
    them with its label and numbers, every line inside the panel; v again gives the tree."""
    expression = " + ".join(f"sin(x*{k})" for k in range(1, 30))
    app = InspectorApp(make_state(trace_expression(expression, "x=0.5")))

    async def scenario(pilot):
        await pilot.press("f", "v")
        for _ in range(20):
            await pilot.press("right")
        await settled(pilot)
        graph = app.query_one("#graph")
        text = graph.text.plain
        label = app.state.trace.label(app.state.current.node)
        assert app.two_d and "╭" in text and "╰" in text and f"│ {label} = " in text
        assert "w̄=" in text and "layers " in text.splitlines()[-1]
        assert all(len(line) <= graph.content_size.width for line in text.splitlines())
        assert len(text.splitlines()) <= graph.content_size.height
        await pilot.press("v")
        await settled(pilot)
        assert not app.two_d and "╭" not in graph.text.plain

    drive(app, size, scenario)


def test_the_2d_view_of_the_mlp_summarises_arrays_as_the_renderer_does():
    app = training_app()

    async def scenario(pilot):
        await pilot.press("v", "f")
        await settled(pilot)
        text = app.query_one("#graph").text.plain
        assert " min " in text and " max " in text  # (200, 8) min … mean … max …
        assert "[…" not in text and "w̄=[" not in text

    drive(app, LARGE, scenario)
