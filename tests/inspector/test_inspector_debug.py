"""The inspector's debugger: its breakpoints and marks are gradviz.debug's own verdicts."""

from __future__ import annotations

import asyncio

import numpy as onp

import gradviz
import gradviz.numpy as np
from gradviz.cli import main
from gradviz.debug import check_trace, nan_birth
from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state
from gradviz.inspector.app import InspectorApp
from gradviz.inspector.breakpoints import NonFinite, RuleCheckFails, born_reason
from gradviz.inspector.views import graph_view, step_text


def _masked_log():
    with onp.errstate(all="ignore"):
        return gradviz.trace(lambda x: np.sum(np.where(x > 0, np.log(x), 0.0)), onp.array([0.0, 2.0]))


def test_a_seeded_nan_stops_on_the_birth_that_nan_birth_names():
    trace = trace_expression("log(x)*y + sqrt(x - 3)", "x=2,y=3")
    state = make_state(trace, breakpoints=[NonFinite()])
    state.run_to_breakpoint()
    first = nan_birth(trace).first
    assert state.current.node == first.index and state.trace.nodes[first.index].op == "sqrt"
    assert state.stopped_by == born_reason(first)


def test_a_masked_log_stops_at_log_going_backward_never_at_where():
    trace = _masked_log()
    state = make_state(trace, breakpoints=[NonFinite()])
    stops = []
    while True:
        state.run_to_breakpoint()
        if not state.stopped_by:
            break
        info = state.current
        sender = info.source if state.phase.kind == "reverse" else info.node
        stops.append((state.phase.kind, trace.nodes[sender].op))
    assert stops[0] == ("forward", "log") and stops[-1] == ("reverse", "log")
    assert all(op == "log" for _, op in stops)
    reverse = [b for b in nan_birth(trace).births if b.sweep == "reverse"]
    assert sum(kind == "reverse" for kind, _ in stops) == len(reverse)


def test_the_graph_and_step_panel_mark_the_birth():
    state = make_state(_masked_log(), breakpoints=[NonFinite()])
    state.run_to_breakpoint()
    graph = graph_view(state).plain
    assert "w3 = log w1 [NaN/Inf born]" in graph and "where" in graph
    assert graph.count("[NaN/Inf born]") == 1
    assert "⚠ w3 = -inf: a non-finite value is born at 'log'" in step_text(state).plain


def test_a_wrong_user_vjp_is_a_breakpoint_and_a_mark(wrong_cube_trace):
    trace = wrong_cube_trace
    state = make_state(trace, breakpoints=[RuleCheckFails()])
    assert "rule ✗" not in graph_view(make_state(trace)).plain  # checks run only when asked
    assert "[rule ✗ VJP]" in graph_view(state).plain
    state.run_to_breakpoint()
    assert state.phase.kind == "reverse"
    assert trace.nodes[state.current.source].op == "cube"
    assert state.stopped_by == check_trace(trace).first.describe()
    assert "✗ the VJP rule of 'cube' (argument 0) is wrong" in step_text(state).plain
    state.run_to_breakpoint()
    assert not state.stopped_by  # one wrong rule, one stop


def test_correct_rules_never_stop_the_check_breakpoint():
    state = make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5"), breakpoints=[RuleCheckFails()])
    state.run_to_breakpoint()
    assert not state.stopped_by and "rule ✗" not in graph_view(state).plain


def test_the_command_line_break_check(capsys):
    assert main(["inspect", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5", "--break-check", "--plain"]) == 0
    assert "breakpoints: a NaN or Inf is born, a rule fails its check" in capsys.readouterr().out


def test_the_app_shows_the_mark_in_its_graph_panel():
    app = InspectorApp(make_state(_masked_log(), breakpoints=[NonFinite()]))

    async def scenario():
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            assert "[NaN/Inf born]" in str(app.query_one("#graph").render())
            assert "born at 'log'" in str(app.query_one("#where").render())

    asyncio.run(scenario())
