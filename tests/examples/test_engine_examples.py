"""The engine's examples run, at a small size, and print numbers a person can check."""

import io
import math

import numpy
import pytest
from _example_loader import load
from rich.console import Console


def test_lecture_trace_prints_the_three_tables_with_the_lecture_numbers():
    console = Console(file=io.StringIO(), width=120, color_system=None)
    trace = load("lecture_trace").main(2.0, 5.0, console)
    text = console.file.getvalue()
    assert "ẇ1 = 1 (seed)" in text and "ẇ2 = 0 (seed)" in text
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5" in text
    assert "w̄1 = w̄3·w2 + w̄4·cos w1" in text
    assert float(trace.adjoint(0)) == pytest.approx(5 + math.cos(2.0))


def test_custom_primitive_is_one_node_and_its_gradient_is_the_softmax():
    trace, gradient = load("custom_primitive").main()
    assert "logsumexp" in [node.op for node in trace]
    x = numpy.array([1.0, 2.0, 3.0])
    softmax = numpy.exp(2 * x) / numpy.exp(2 * x).sum()
    numpy.testing.assert_allclose(gradient, 2 * softmax - [1, 0, 0], rtol=1e-12)


def test_sweeps_cost_counts_one_sweep_per_input_forward_and_per_output_reverse():
    rows = load("sweeps_cost").main(30)
    (wide, wide_forward, wide_reverse, *_), (narrow, narrow_forward, narrow_reverse, *_) = rows
    assert (wide_forward, wide_reverse) == (30, 2)
    assert (narrow_forward, narrow_reverse) == (2, 30)


def test_mlp_moons_trains_and_every_iteration_is_inspectable(capsys):
    run, losses, accuracy = load("mlp_moons").main(40, plain=True)
    assert len(run.traces) == 40 and all(trace.reverse_sweeps for trace in run.traces)
    assert losses[-1] < 0.5 * losses[0] and accuracy > 0.8
    printed = capsys.readouterr().out
    assert "iteration   39" in printed and "40 iterations kept" in printed
