"""The lecture's notation written for a whole expression (titles) and for reductions."""

import pytest

import gradviz
import gradviz.numpy as np
from gradviz.expression import parse, trace_expression
from gradviz.notation import expression_text


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
