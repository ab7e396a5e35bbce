"""Rows that state their derivative once (``defrule(partial=…)``): the tangent rule, the adjoint
rule and the partial the tables and the graph show all come from that one partial.

Every such row of every table, each argument with a partial: the partial, the tangent and
adjoint rules and :func:`~gradviz.export.notation.partial_value` of a traced call are compared
with central finite differences of the raw function, elementwise.
"""

from __future__ import annotations

import inspect

import numpy as onp
import pytest

import gradviz
import gradviz.scipy  # noqa: F401 - registers the scipy table
from gradviz.export.notation import partial_value
from gradviz.rules import RULES, defrule
from gradviz.rules.scipy_rules import SCIPY_RULES

from test_numpy_rules import draw_array

STEP = 1e-6
SHAPE = (5,)


def _rows() -> dict[str, gradviz.engine.tracer.Primitive]:
    return {name: p for table in (RULES, SCIPY_RULES) for name, p in table.items() if p.local_partials}


ROWS = _rows()
CASES = [(name, argnum) for name in sorted(ROWS) for argnum in sorted(ROWS[name].local_partials)]


def _arguments(primitive, seed: int) -> list:
    """Drawn arrays for the arguments with a partial; 1 for the others (an order ``n``, a
    ``df``), which every such row accepts."""
    rng = onp.random.default_rng(seed)
    some_partial = next(iter(primitive.local_partials.values()))
    count = len(inspect.signature(some_partial).parameters) - 1  # after ``ans``
    domain = primitive.info["domain"]
    return [draw_array(rng, SHAPE, domain.of(k)) if k in primitive.local_partials else 1
            for k in range(count)]


def _finite_difference(primitive, args: list, argnum: int):
    """∂ans/∂arg elementwise, by central differences (the rows are elementwise)."""
    up, down = list(args), list(args)
    up[argnum] = args[argnum] + STEP
    down[argnum] = args[argnum] - STEP
    return (primitive.fun(*up) - primitive.fun(*down)) / (2 * STEP)


def test_there_are_rows_stated_by_their_partial():
    assert {"sin", "cos", "sqrt", "reciprocal", "exp", "exp2", "tanh", "hypot", "erf", "xlogy"} <= set(ROWS)


@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.parametrize(("name", "argnum"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_rules_and_shown_partial_come_from_the_one_partial(name, argnum):
    primitive = ROWS[name]
    args = _arguments(primitive, seed=sum(map(ord, name)) + argnum)
    ans = primitive.fun(*args)
    expected = _finite_difference(primitive, args, argnum)
    tolerance = {"rtol": 1e-5, "atol": 1e-6}

    local = onp.broadcast_to(primitive.local_partials[argnum](ans, *args), SHAPE)
    onp.testing.assert_allclose(local, expected, **tolerance)

    rng = onp.random.default_rng(argnum)
    t, g = rng.normal(size=SHAPE), rng.normal(size=SHAPE)
    onp.testing.assert_allclose(primitive.jvps[argnum](t, ans, *args), t * expected, **tolerance)
    onp.testing.assert_allclose(primitive.vjps[argnum](g, ans, *args), g * expected, **tolerance)

    def call(x):
        return primitive(*args[:argnum], x, *args[argnum + 1:])

    trace = gradviz.trace(call, args[argnum])
    (node,) = [n for n in trace.nodes if n.primitive is primitive]
    onp.testing.assert_allclose(partial_value(trace, node.index, argnum), expected, **tolerance)


def test_the_shown_partial_is_the_rows_partial_not_its_tangent_rule():
    """A row stated by its partial shows that partial: its tangent rule is not asked (a tangent
    rule applied to ones would give the same number only while the two agree)."""
    asked = []
    row = defrule(onp.sin, "cos {0}", reads="x", name="sin_with_a_spy", table={},
                  partial=lambda ans, x: onp.cos(x), elementwise=True)
    tangent = row.jvps[0]
    row.jvps[0] = lambda t, ans, x: asked.append("tangent") or tangent(t, ans, x)

    trace = gradviz.trace(lambda x: row(x), 2.0)  # (its forward sweep runs the tangent rule)
    (node,) = [n for n in trace.nodes if n.primitive is row]
    asked.clear()
    assert partial_value(trace, node.index, 0) == pytest.approx(onp.cos(2.0))
    assert asked == []
