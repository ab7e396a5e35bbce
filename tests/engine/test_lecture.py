"""The lecture's example z = x1·x2 + sin x1, node by node and number by number."""

import math

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.export.notation import adjoint_formula, tangent_formula, value_formula


def lecture(x1, x2):
    return x1 * x2 + np.sin(x1)


@pytest.fixture
def trace():
    return gradviz.trace(lecture, 2.0, 5.0)


def test_exactly_five_nodes_in_evaluation_order(trace):
    assert [node.name for node in trace] == ["w1", "w2", "w3", "w4", "w5"]
    assert [node.op for node in trace] == ["input", "input", "multiply", "sin", "add"]
    assert [[p for _, p in node.parents] for node in trace] == [[], [], [0, 1], [0], [2, 3]]


def test_values_are_the_lecture_values(trace):
    assert trace.value(3) == pytest.approx(math.sin(2.0))
    assert trace.value(4) == pytest.approx(10.0 + math.sin(2.0))


def test_two_forward_sweeps_one_per_input(trace):
    assert len(trace.forward_sweeps) == 2
    assert trace.tangent(4, sweep=0) == pytest.approx(5.0 + math.cos(2.0))  # ∂z/∂x1 = x2 + cos x1
    assert trace.tangent(4, sweep=1) == pytest.approx(2.0)  # ∂z/∂x2 = x1


def test_one_reverse_sweep_gives_both_derivatives(trace):
    assert len(trace.reverse_sweeps) == 1
    assert trace.adjoint(0) == pytest.approx(5.0 + math.cos(2.0))
    assert trace.adjoint(1) == pytest.approx(2.0)


def test_forward_formulas_read_like_the_lecture(trace):
    sweep = trace.forward_sweeps[0]
    formulas = [tangent_formula(trace, sweep, step) for step in sweep.steps]
    assert formulas[0] == "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5"
    assert formulas[1].startswith("ẇ4 = cos w1·ẇ1")
    assert formulas[2].startswith("ẇ5 = ẇ3 + ẇ4")


def test_reverse_formulas_read_like_the_lecture(trace):
    sweep = trace.reverse_sweeps[0]
    assert adjoint_formula(trace, sweep, 4) == "w̄5 = 1 (seed)"
    assert adjoint_formula(trace, sweep, 3) == "w̄4 = w̄5 = 1"
    assert adjoint_formula(trace, sweep, 1) == "w̄2 = w̄3·w1 = 1·2 = 2"
    assert adjoint_formula(trace, sweep, 0).startswith("w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161)")


def test_value_formulas(trace):
    assert value_formula(trace, 0) == "w1 = x1 = 2"
    assert value_formula(trace, 2) == "w3 = w1·w2 = 10"
    assert value_formula(trace, 3) == "w4 = sin w1 = 0.9093"


@pytest.mark.parametrize("x1, x2", [(2.0, 5.0), (-1.3, 0.7), (0.0, 3.0)])
def test_both_modes_agree_with_finite_differences(x1, x2):
    eps = 1e-6
    fd = [(lecture(x1 + eps, x2) - lecture(x1 - eps, x2)) / (2 * eps),
          (lecture(x1, x2 + eps) - lecture(x1, x2 - eps)) / (2 * eps)]
    reverse = [gradviz.grad(lecture, 0)(x1, x2), gradviz.grad(lecture, 1)(x1, x2)]
    forward = [gradviz.jvp(lecture, (x1, x2), (1.0, 0.0))[1], gradviz.jvp(lecture, (x1, x2), (0.0, 1.0))[1]]
    numpy.testing.assert_allclose(reverse, fd, rtol=1e-7)
    numpy.testing.assert_allclose(forward, fd, rtol=1e-7)


def test_source_line_of_each_node_is_the_users(trace):
    from gradviz.engine.source import describe_site

    assert "x1 * x2 + np.sin(x1)" in describe_site(trace[2].site)
    assert describe_site(trace[3].site).startswith("test_lecture.py:")
