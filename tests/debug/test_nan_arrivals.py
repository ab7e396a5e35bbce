"""A NaN or Inf that comes from outside (an input, a constant, the data, a seed) is reported as
an arrival in every tool, never as an all-clear: the false all-clear of issue 15, item 1."""

from __future__ import annotations

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli import main
from gradviz.debug import nan_birth
from gradviz.errors import NonFiniteError
from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state
from gradviz.inspector.breakpoints import NonFinite
from gradviz.train.moons import logistic_model, moons_data, train

Y = onp.array([1.0, onp.nan, 3.0])  # data with a hole in it, read by the loss below


def squared_error(x):
    return np.sum((x - Y) ** 2)


def test_nan_in_global_data_is_an_arrival_named_after_the_data():
    report = nan_birth(gradviz.trace(squared_error, onp.zeros(3)))
    first = report.first
    assert first is not None and first.kind == "arrived" and first.origin == "data"
    assert (first.name, first.op, first.sweep) == ("w2", "subtract", "primal")
    text = first.describe()
    assert "arrived with the data" in text and "Y[1] is nan" in text
    assert "Y is assigned at test_nan_arrivals.py:" in text
    assert report.status(1) == "arrived" and report.status(2) == "passed"


def test_nan_in_a_closure_constant_is_an_arrival():
    scale = onp.array([1.0, onp.inf])

    def scaled(x):
        return np.sum(np.sin(x) * scale)

    report = nan_birth(gradviz.trace(scaled, onp.array([0.5, 1.0])))
    assert {b.sweep for b in report.births} == {"primal", "forward", "reverse"}
    assert all(b.kind == "arrived" and b.op == "multiply" for b in report.births)
    assert "scale[1] is inf" in report.first.describe()


def test_debug_nans_raises_on_nan_data_instead_of_staying_silent():
    with pytest.raises(NonFiniteError, match=r"arrived with the data .* Y\[1\] is nan"):
        with np.errstate(all="ignore"), gradviz.debug_nans():
            gradviz.grad(squared_error)(onp.zeros(3))


def test_debug_nans_raises_on_a_non_finite_input():
    with pytest.raises(NonFiniteError, match=r"arrived with the input .* w1 is inf"):
        with np.errstate(all="ignore"), gradviz.debug_nans():
            gradviz.grad(lambda x: x * 2.0)(float("inf"))


def test_masked_data_is_not_an_arrival():
    """Data whose NaN is replaced before it is used makes nothing non-finite: no report."""
    clean = lambda x: np.sum(x * np.where(onp.isnan(Y), 0.0, Y))  # noqa: E731
    assert not nan_birth(gradviz.trace(clean, onp.ones(3)))
    with gradviz.debug_nans():
        gradviz.grad(clean)(onp.ones(3))


def test_a_non_finite_seed_is_an_arrival():
    trace = gradviz.trace(lambda x: x * 3.0, 2.0, reverse=False)
    with np.errstate(all="ignore"):
        trace.run_reverse({trace.outputs[0]: onp.float64("nan")}, label="seed nan")
    seeds = [b for b in nan_birth(trace).births if b.origin == "seed"]
    assert len(seeds) == 1 and seeds[0].sweep == "reverse" and seeds[0].name == "w2"


def test_check_reports_the_input_instead_of_an_all_clear(capsys):
    assert main(["check", "x*y", "--at", "x=0,y=inf", "--nans"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "no NaN or Inf anywhere" not in out
    assert "arrived with the input in the primal pass at w2 = y ('input'): y is inf" in out


def test_render_marks_the_arrival():
    trace = gradviz.trace(squared_error, onp.zeros(3))
    source = gradviz.to_dot(trace, nans=True).source
    assert "NaN arrived here" in source and "NaN/Inf born or arrived at w2 (subtract)" in source


def test_the_inspector_stops_where_the_data_arrives():
    with np.errstate(all="ignore"):
        trace = trace_expression("x*y", "x=0,y=inf")
    state = make_state(trace, breakpoints=[NonFinite()])
    state.run_to_breakpoint()
    assert state.stopped_by and "arrived with the input" in state.stopped_by
    assert state.current.node == 1


def test_training_on_data_with_a_nan_reports_the_data():
    inputs, labels = moons_data(samples=20)
    inputs = inputs.copy()
    inputs[3, 1] = onp.nan
    reports = []
    with np.errstate(all="ignore"):
        train(logistic_model(), inputs, labels, steps=1, record=True,
              on_step=lambda iteration: reports.append(nan_birth(iteration.trace)))
    first = reports[0].first
    assert first is not None and first.kind == "arrived" and first.origin == "data"
    assert "at [3, 1] is nan" in first.describe()


# --- blame granularity: issue 15, item 10 ------------------------------------------------------


def _block(x):
    return np.sqrt(x - 1.0) * 2.0


def test_a_nan_inside_a_checkpoint_is_blamed_on_the_op_inside():
    from gradviz.checkpoint import checkpoint

    block = checkpoint(_block)
    with np.errstate(all="ignore"):
        report = nan_birth(gradviz.trace(lambda x: np.sum(block(x)), onp.array([0.5, 2.0])))
    assert {(b.sweep, b.op, b.name) for b in report.births} == {
        ("primal", "sqrt", "w2"), ("forward", "sqrt", "w2"), ("reverse", "sqrt", "w2")}
    first = report.first
    assert "inside it v3 = sqrt(v2)" in first.formula and "np.sqrt(x - 1.0)" in first.site
    with pytest.raises(NonFiniteError, match=r"\('sqrt'\) at test_nan_arrivals.py:\d+ \(_block\)"):
        with np.errstate(all="ignore"), gradviz.debug_nans():
            gradviz.grad(lambda x: np.sum(block(x)))(onp.array([0.5, 2.0]))
