"""The stepping model, without any UI: moves, history, breakpoints, running adjoints."""

from __future__ import annotations

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import GradvizError
from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state
from gradviz.inspector.breakpoints import AdjointAbove, IterationIs, NonFinite, OperationIs
from gradviz.inspector.state import InspectorState, Position
from gradviz.inspector.run import Run
from gradviz.inspector.phases import running_adjoint
from gradviz.inspector.views import step_text, table_view
from gradviz.train.moons import iterate_training, logistic_model, moons_data


@pytest.fixture
def lecture():
    return make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5"))


def test_phases_follow_the_lecture(lecture):
    titles = [phase.title for phase in lecture.phases]
    assert titles == ["forward sweep 1 of 2, seeded on x1", "forward sweep 2 of 2, seeded on x2",
                      "reverse sweep 1 of 1, seeded on f"]
    assert [info.node for info in lecture.phases[0].steps] == [0, 1, 2, 3, 4]
    # the reverse sweep: the seed, then one step per contribution (w5 sends two, w4 one, w3 two)
    assert len(lecture.phases[2].steps) == 6


def test_step_text_has_the_lecture_numbers(lecture):
    lecture.step()
    lecture.step()
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5" in step_text(lecture).plain


def test_reverse_step_adds_one_contribution_at_a_time(lecture):
    lecture.position = Position(0, 2, 3)  # w4 = sin w1 sends its contribution to w1
    text = step_text(lecture).plain
    assert "w̄1 += w̄4·cos w1 = 1·(-0.4161) = -0.4161" in text
    assert "1 of 2 contributions" in text
    lecture.step()
    assert "w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584  (complete)" in step_text(lecture).plain


def test_running_adjoint_ends_at_the_recorded_adjoint(lecture):
    phase = lecture.phases[2]
    for node, received in phase.received.items():
        assert running_adjoint(phase, node, received[-1]) == phase.sweep.results[node]
        assert running_adjoint(phase, node, received[0] - 1) is None


def test_forward_then_back_returns_to_every_earlier_position(lecture):
    seen = [lecture.position]
    for _ in range(12):
        lecture.step()
        seen.append(lecture.position)
    for expected in reversed(seen[:-1]):
        lecture.back()
        assert lecture.position == expected
    lecture.back()
    assert lecture.position == Position(0, 0, 0) and "nothing to step back" in lecture.message


def test_back_undoes_a_jump_not_just_a_step(lecture):
    lecture.finish_sweep()
    lecture.jump("w3")
    assert lecture.current.node == 2
    lecture.back()
    assert lecture.position == Position(0, 0, 4)


def test_end_of_run_is_reported_not_crossed(lecture):
    lecture.run_to_breakpoint()
    end = lecture.position
    lecture.step()
    assert lecture.position == end and "end of the run" in lecture.message


def test_nan_breakpoint_stops_on_the_node_that_made_it():
    state = make_state(trace_expression("log(1 - p) * x", "p=1,x=2"), breakpoints=[NonFinite()])
    state.run_to_breakpoint()
    node = state.trace.nodes[state.current.node]
    assert node.op == "log" and state.stopped_by and "born at 'log'" in state.stopped_by
    assert node.parents and onp.isfinite(state.trace.nodes[node.parents[0][1]].value)


def test_nan_breakpoint_in_training_stops_in_the_iteration_and_node():
    X, y = moons_data(samples=500)  # at lr 0.1 the first step saturates tanh: ln(1 - 1)
    traces = (it.trace for it in iterate_training(logistic_model(), X, y, steps=20, learning_rate=0.1))
    state = InspectorState(Run(traces, total=20), [NonFinite()])
    state.run_to_breakpoint()
    assert state.position.iteration == 1
    assert state.trace.nodes[state.current.node].op == "log"
    assert state.run.known == 2  # training stopped there: later iterations never ran


def test_adjoint_bound_stops_where_the_adjoint_rises_above_it():
    state = make_state(gradviz.trace(lambda x: np.sin(x) * 1e6, 0.0), breakpoints=[AdjointAbove(1e3)])
    state.run_to_breakpoint()
    assert state.phase.kind == "reverse"
    assert state.trace.nodes[state.current.node].op in ("sin", "input")
    assert abs(running_adjoint(state.phase, state.current.node, state.position.step)) > 1e3


def test_operation_breakpoint_and_toggle(lecture):
    lecture.breakpoints.append(OperationIs("sin"))
    lecture.run_to_breakpoint()
    assert lecture.trace.nodes[lecture.current.node].op == "sin"
    lecture.toggle_operation_breakpoint()
    assert lecture.breakpoints == []


def test_iteration_breakpoint_on_a_recording():
    f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    with gradviz.record() as run:
        w = np.array([0.5, -1.0])
        for _ in range(5):
            w = w - 0.1 * f(w)
    state = make_state(run, breakpoints=[IterationIs(4)])  # counted from 1, as shown
    assert state.run.training
    state.run_to_breakpoint()
    assert state.position == Position(3, 0, 0)
    assert state.run.loss(3) == pytest.approx(float(onp.sum(onp.tanh(run.traces[3].nodes[0].value) ** 2)))


def test_switch_seed_keeps_the_row(lecture):
    lecture.jump("w3")
    lecture.switch_seed()
    assert lecture.phase.title.endswith("seeded on x2") and lecture.current.node == 2
    lecture.position = Position(0, 2, 0)
    lecture.switch_seed()
    assert "no other seed" in lecture.message


@pytest.mark.parametrize("name", ["w0", "w99", "x", ""])
def test_jump_to_a_missing_node_says_so(lecture, name):
    lecture.jump(name)
    assert lecture.position == Position(0, 0, 0) and "no node" in lecture.message


def test_training_traces_run_lazily():
    produced = []

    def traces():
        for k in range(100):
            produced.append(k)
            yield gradviz.trace(lambda x, k=k: x * float(k), 1.0)

    state = InspectorState(Run(traces()))
    state.next_iteration()
    state.next_iteration()
    assert produced == [0, 1, 2]


def test_table_highlights_the_current_row(lecture):
    lecture.jump("w4")
    table = table_view(lecture)
    styles = [row.style for row in table.rows]
    assert styles[3] == "bold black on yellow" and styles[4] == "#808080"


def test_inspect_refuses_what_it_cannot_show():
    with pytest.raises(GradvizError, match="inspect\\(\\) takes a Trace"):
        make_state(42)
    with pytest.raises(GradvizError, match="nothing to inspect"):
        make_state(gradviz.record())
