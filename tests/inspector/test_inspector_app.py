"""The textual app, headless: keys drive the state and the screen shows it."""

from __future__ import annotations

import asyncio
import re
import sys
import types

import pytest

from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state
from gradviz.inspector.app import InspectorApp
from gradviz.inspector.state import InspectorState, Position
from gradviz.inspector.breakpoints import NonFinite
from gradviz.inspector.run import Run
from gradviz.train.moons import iterate_training, logistic_model, moons_data

SIZE = (160, 50)


def lecture_app(tmp_path=None, **options) -> InspectorApp:
    state = make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5"), **options)
    return InspectorApp(state, export_dir=tmp_path or ".")


async def settled(pilot) -> None:
    """Wait, by events and not by time, until the screen shows the app's state."""
    await pilot.pause()
    for _ in range(200):
        if pilot.app.up_to_date:
            return
        await pilot.pause()
    raise AssertionError("the inspector never drew its panels")


def drive(app: InspectorApp, scenario):
    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settled(pilot)
            return await scenario(pilot)

    return asyncio.run(main())


def screen(app: InspectorApp) -> str:
    """The whole screen (as SVG), without the id textual makes unique per export."""
    return re.sub(r"terminal-\d+", "terminal", app.export_screenshot())


def test_stepping_forward_then_back_shows_the_same_screen():
    app = lecture_app()

    async def scenario(pilot):
        before = [screen(app)]
        for key in ["right", "right", "right", "f", "right", "s"]:
            await pilot.press(key)
            await pilot.pause()
            before.append(screen(app))
        assert len(set(before)) == len(before)  # every move changed the screen
        for expected in reversed(before[:-1]):
            await pilot.press("left")
            await pilot.pause()
            assert screen(app) == expected

    drive(app, scenario)


def test_a_nan_breakpoint_stops_on_the_node_that_made_it():
    state = make_state(trace_expression("log(1 - p) * x", "p=1,x=2"), breakpoints=[NonFinite()])
    app = InspectorApp(state)

    async def scenario(pilot):
        await pilot.press("c")
        await pilot.pause()
        node = app.state.trace.nodes[app.state.current.node]
        assert node.op == "log" and app.state.stopped_by
        assert "born at 'log'" in str(app.query_one("#where").render())

    drive(app, scenario)


@pytest.mark.parametrize("keys", [["z"], ["x", "7", "ctrl+y"], ["escape"]])
def test_an_unbound_key_changes_nothing(keys):
    app = lecture_app()

    async def scenario(pilot):
        await pilot.press("right", "right")
        await pilot.pause()
        before, snapshot = screen(app), app.state.snapshot()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        assert app.state.snapshot() == snapshot and screen(app) == before

    drive(app, scenario)


def test_jump_to_a_node_by_typing_its_name():
    app = lecture_app()

    async def scenario(pilot):
        await pilot.press("g", "w", "4", "enter")
        await pilot.pause()
        assert app.state.current.node == 3
        await pilot.press("right")  # the keys are back with the bindings
        assert app.state.current.node == 4

    drive(app, scenario)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
def test_keys_typed_at_once_after_g_reach_the_jump_box(size):
    """Type-ahead: the terminal delivers ``g w 5 Enter`` in one read, before the app has
    opened the jump box; every key must still land in it (none taken by the bindings)."""
    from textual import events

    app = InspectorApp(make_state(trace_expression("sin(x1*x2) + x1*x2*x1", "x1=2,x2=5")))

    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key, character in [("g", "g"), ("w", "w"), ("5", "5"), ("enter", "\r")]:
                app.post_message(events.Key(key, character))  # all queued before any runs
            await pilot.pause()
            await pilot.pause()
            assert app.state.current.node == 4 and app.state.message == "jumped to w5"
            assert not app.query_one("#jump").display  # closed again, keys back with the bindings

    asyncio.run(main())


def test_export_without_the_renderer_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "gradviz.renderer", None)  # makes the import fail
    app = lecture_app()

    async def scenario(pilot):
        await pilot.press("e")
        assert "needs the renderer" in app.state.message

    drive(app, scenario)


def test_export_draws_the_current_trace(monkeypatch, tmp_path):
    drawn = []
    fake = types.ModuleType("gradviz.renderer")
    fake.render = lambda trace, path: drawn.append((trace, path))
    monkeypatch.setitem(sys.modules, "gradviz.renderer", fake)
    app = lecture_app(tmp_path)

    async def scenario(pilot):
        await pilot.press("e")
        assert drawn == [(app.state.trace, tmp_path / "f.svg")]
        assert "exported" in app.state.message

    drive(app, scenario)


def test_help_opens_and_closes():
    app = lecture_app()

    async def scenario(pilot):
        await pilot.press("question_mark")
        assert "Breakpoints" in str(app.screen.query_one("#help").render())
        await pilot.press("escape")
        assert not app.screen.query("#help")

    drive(app, scenario)


def test_training_run_shows_its_panels_and_stops_at_the_nan():
    X, y = moons_data()
    model = logistic_model()
    traces = (it.trace for it in iterate_training(model, X, y, steps=10, learning_rate=0.1))
    run = Run(traces, total=10, inputs=X, labels=y, predict=model.predict, training=True)
    app = InspectorApp(InspectorState(run, [NonFinite()]))

    async def scenario(pilot):
        assert "iteration 1 of 10" in str(app.query_one("#where").render())
        assert "loss 506.872" in str(app.query_one("#loss").render())
        await pilot.press("c")
        await pilot.pause()
        assert app.state.position.iteration == 1
        assert app.state.trace.nodes[app.state.current.node].op == "log"
        await pilot.press("left", "n")
        assert app.state.position == Position(1, 0, 0)

    drive(app, scenario)
