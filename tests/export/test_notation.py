"""The lecture's notation written for a whole expression (titles) and for reductions."""

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli.expression import parse, trace_expression
from gradviz.export.notation import expression_text


@pytest.mark.parametrize("text, written", [
    ("x1*x2 + sin(x1)", "x1·x2 + sin x1"),
    ("-log(p)*t", "-log p·t"),
    ("a - (b - c)", "a - (b - c)"),
    ("a - b - c", "a - b - c"),
    ("(a + b)*c/(d*f)", "(a + b)·c / (d·f)"),
    ("x/(y/2)", "x / (y / 2)"),
    ("x**y**2", "x^y^2"),
    ("(x**2)**y", "(x^2)^y"),
    ("sin(x)**2", "(sin x)^2"),
    ("-(-x)", "-(-x)"),
    ("exp(-x*x)", "exp(-x·x)"),
    ("maximum(x, 0)", "maximum(x, 0)"),
])
def test_an_expression_is_written_as_its_nodes_are(text, written):
    point = ",".join(f"{name}=0.5" for name in parse(text).variables)
    assert expression_text(trace_expression(text, point)) == written


def test_too_long_to_write_out_is_none():
    terms = " + ".join(f"sin(x*{k})" for k in range(1, 40))
    assert expression_text(trace_expression(terms, "x=0.5")) is None
    assert expression_text(trace_expression(terms, "x=0.5"), limit=10_000).startswith("sin(x·1) + ")


def test_python_functions_are_written_too():
    t = gradviz.trace(lambda a, b: np.sin(a * b) / (a - b), 1.0, 2.0)
    assert expression_text(t) == "sin(a·b) / (a - b)"


def _rows(trace):
    from gradviz.export.tables import forward_rows, reverse_rows

    return [cell for row in forward_rows(trace, 0) + reverse_rows(trace, 0) for cell in row[1:]]


def test_a_reduction_shows_its_axis_and_reduces_its_tangent():
    x = numpy.arange(6.0).reshape(2, 3)
    t = gradviz.trace(lambda x: np.sum(np.sum(x * x, axis=1, keepdims=True) * 3.0), x)
    rows = _rows(t)
    assert "w3 = sum(w2, axis=1, keepdims=True) = [[5], [50]]" in rows
    assert "ẇ3 = sum(ẇ2, axis=1, keepdims=True) = [[0], [0]]" in rows
    assert "ẇ5 = sum(ẇ4) = 0" in rows  # ẇ4 is [[0], [0]]: summed, not equated
    assert "w1 = x = [[0, 1, 2], [3, 4, 5]]" in rows  # an array keeps its rows


def test_an_adjoint_sent_back_over_a_reduced_axis_broadcasts_as_written():
    x = numpy.arange(6.0).reshape(2, 3)
    t = gradviz.trace(lambda x: np.sum(np.sum(np.sin(x), axis=1) * numpy.array([1.0, -2.0])), x)
    rows = _rows(t)
    assert any(row.startswith("w̄2 = expand_dims(w̄3, 1) = ") for row in rows), rows
    # the formula is true as numpy reads it: w̄3 expanded broadcasts to w̄2
    w2, w3 = t.nodes[1].value, t.adjoint(2)
    assert numpy.array_equal(numpy.broadcast_to(numpy.expand_dims(w3, 1), w2.shape), t.adjoint(1))


def test_an_argument_numpy_broadcast_gets_its_adjoint_summed():
    t = gradviz.trace(lambda a, x: np.sum(a * x), 2.0, numpy.array([1.0, 2.0, 3.0]))
    rows = _rows(t)
    assert "w̄1 = sum(w̄3·w2) = 6" in rows and "w̄2 = w̄3·w1 = [2, 2, 2]" in rows
    assert float(t.adjoint(0)) == numpy.sum(t.adjoint(2) * t.nodes[1].value)


def test_a_constant_partial_is_written_once():
    from gradviz.renderer import to_dot

    data = numpy.linspace(0, 1, 1600).reshape(200, 8)
    t = gradviz.trace(lambda w: np.sum(np.tanh(data * w) + 1.0), numpy.ones((200, 8)))
    source = to_dot(t).source
    assert "∂w4/∂w3 = 1>" in source and "min 1 mean 1 max 1" not in source
    scaled = to_dot(gradviz.trace(lambda a, x: np.sum(a * x), 2.0, numpy.ones(5))).source
    assert "∂w3/∂w2 = w1 = 2>" in scaled  # every element 2: one number
