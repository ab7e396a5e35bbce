"""A NaN born inside a derivative rule that runs traced (a second derivative) is blamed on the
user's operation whose rule it is, at the user's line, naming the operation inside the rule
too: issue 15, item 10 (second half)."""

from __future__ import annotations

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.debug import nan_birth
from gradviz.debug.localise import check_trace
from gradviz.debug.nans import rule_origin
from gradviz.errors import NonFiniteError


def root(x):
    y = np.sqrt(x)  # the line to blame
    return y * 3.0


def _line_of_sqrt() -> str:
    return "y = np.sqrt(x)"


def test_second_derivative_nan_is_blamed_on_sqrt_not_the_divide_in_its_rule():
    with np.errstate(all="ignore"):
        report = nan_birth(gradviz.trace(gradviz.grad(root), 0.0))
    inside = [b for b in report.births if b.inner_op]
    assert inside, report.births
    for birth in inside:
        assert birth.op == "sqrt" and birth.inner_op in ("divide", "multiply", "true_divide")
        assert _line_of_sqrt() in birth.site and "(root)" in birth.site
        assert "sqrt's derivative rule" in birth.describe()
        assert f"('{birth.inner_op}')" in birth.describe()
    assert {b.sweep for b in inside} == {"primal", "reverse"}


def test_the_first_birth_of_an_elementwise_second_derivative_is_sqrt_at_the_users_line():
    with np.errstate(all="ignore"):
        first = nan_birth(gradviz.trace(gradviz.elementwise_grad(root), onp.array([0.0, 1.0]))).first
    assert (first.sweep, first.op, first.name) == ("primal", "sqrt", "w4")
    assert first.inner_op == "divide" and first.inputs[-1] == ("w2", "0")
    assert first.describe().startswith(
        "non-finite value born in the primal pass inside sqrt's derivative rule 1/(2√x) (its "
        "reverse rule) at test_rule_blame.py:")
    assert _line_of_sqrt() in first.site


def test_rule_origin_follows_a_third_derivative_out_to_the_users_operation():
    second = gradviz.grad(gradviz.grad(root))
    with np.errstate(all="ignore"):
        t = gradviz.trace(second, 4.0)  # three tapes: second derivative rules run traced
    origins = [rule_origin(node) for node in t.nodes]
    assert origins[0] is None and origins[1] is None  # the input, and the user's own sqrt
    made = [o for o in origins if o is not None]
    assert made and all(op == "sqrt" or "sqrt's" in rule for op, rule, _ in made)
    assert any(", in " in rule for _, rule, _ in made)  # a rule run inside another rule
    assert all(_line_of_sqrt() in site for op, _, site in made if op == "sqrt")
    # and the values are untouched: d²/dx² 3√x = -(3/4)·x^(-3/2)
    assert float(second(4.0)) == pytest.approx(-0.75 * 4.0 ** -1.5)


def test_nodes_of_first_order_code_have_no_rule():
    t = gradviz.trace(root, 4.0)
    assert [rule_origin(node) for node in t.nodes] == [None, None, None]


def test_rule_checks_of_nodes_inside_a_rule_name_the_rule():
    t = gradviz.trace(gradviz.grad(root), 4.0)
    inside = [c for c in check_trace(t).checks if c.in_rule]
    assert inside and all("sqrt's derivative rule" in c.describe() for c in inside)
    assert all(_line_of_sqrt() in c.site for c in inside)


def test_compare_traces_names_the_rule_of_a_node_inside_one():
    from gradviz.debug.attribution import compare_traces

    a, b = (gradviz.trace(gradviz.grad(root), x) for x in (4.0, 9.0))
    changes = {c.name: c for c in compare_traces(a, b, top=10)}
    assert changes["w4"].op == "divide" and "sqrt's derivative rule" in changes["w4"].in_rule
    assert changes["w2"].in_rule == ""
