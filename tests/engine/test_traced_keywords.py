"""A traced value passed to a primitive by keyword is recorded as the positional argument it
binds to: the trace shows it as a parent, and both modes differentiate through it (checked
against central finite differences and autograd's positional call)."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.debug.numerical import numerical_jvp
from gradviz.errors import RuleError
from gradviz.extend import defjvp, defvjp, primitive

STEP = 1e-6
X = onp.array([-1.5, -0.2, 0.4, 2.0])
A = onp.array([[2.0, 0.3, -0.4, 0.1], [0.3, 1.5, 0.2, 0.0], [-0.4, 0.2, 3.0, 0.5], [0.1, 0.0, 0.5, 1.2]])


def differences(f, x):
    """The gradient of a real-valued f by central differences, one unit direction at a time."""
    x = onp.asarray(x, dtype=float)
    units = onp.eye(x.size).reshape((x.size,) + x.shape)
    return onp.reshape([numerical_jvp(f, (x,), (unit,), STEP) for unit in units], x.shape)


def assert_both_modes(f, x, expected):
    """grad and jvp (one tangent per element) of f at x both give ``expected``."""
    onp.testing.assert_allclose(gradviz.grad(f)(x), expected, atol=1e-7)
    x = onp.asarray(x, dtype=float)
    forward = onp.zeros_like(x)
    for index in onp.ndindex(x.shape):
        tangent = onp.zeros_like(x)
        tangent[index] = 1.0
        forward[index] = gradviz.jvp(f, (x,), (tangent,))[1]
    onp.testing.assert_allclose(forward, expected, atol=1e-7)


# --- a user's primitive: the case where the keyword's derivative was silently lost ------------


@primitive
def scaled(x, exponent):
    """x·e^exponent, computed on plain numbers (as a primitive may)."""
    return x * math.exp(exponent)


defvjp(scaled, lambda ans, x, exponent: lambda g: g * ans / x, lambda ans, x, exponent: lambda g: g * ans)
defjvp(scaled, lambda t, ans, x, exponent: t * ans / x, lambda t, ans, x, exponent: t * ans)


def test_a_user_primitive_differentiates_an_argument_given_by_keyword():
    # The raw function turned the box into a float: the gradient came out 0 with a warning.
    f = lambda e: scaled(2.0, exponent=e)  # noqa: E731
    expected = differences(lambda e: 2.0 * math.exp(e), 0.3)
    assert_both_modes(f, 0.3, expected)


def test_the_keyword_argument_is_a_parent_on_the_trace():
    trace = gradviz.trace(lambda e: scaled(2.0, exponent=e), 0.3)
    (node,) = [n for n in trace.nodes if n.op == "scaled"]
    assert [argnum for argnum, _ in node.parents] == [1]
    assert node.kwargs == {}


# --- numpy's functions: traced values under their numpy names -----------------------------------


#: name: (the call with the traced value by keyword, the same call positionally, the point).
CALLS = {
    "clip_a_min": (lambda m, low: m.clip(X, a_min=low, a_max=1.0), None, 0.1),
    "clip_a_max": (lambda m, high: m.clip(X, -0.5, a_max=high), None, 0.3),
    "dot_b": (lambda m, b: m.dot(A, b=b), lambda m, b: m.dot(A, b), X),
    "dot_a": (lambda m, a: m.dot(a=a, b=X), lambda m, a: m.dot(a, X), X),
    "tensordot_b": (lambda m, b: m.tensordot(A, b=b, axes=1), lambda m, b: m.tensordot(A, b, 1), X),
    "solve_b": (lambda m, b: m.linalg.solve(A, b=b), lambda m, b: m.linalg.solve(A, b), X),
    "sum_a": (lambda m, a: m.sum(a=a * a, axis=0), lambda m, a: m.sum(a * a, 0), X),
    "outer_b": (lambda m, b: m.outer(X, b=b), lambda m, b: m.outer(X, b), X),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_traced_value_by_keyword_has_its_derivative(name):
    by_keyword, positional, at = CALLS[name]

    def loss(m, call):
        return lambda v: m.sum(m.sin(call(m, v)))

    expected = differences(loss(onp, by_keyword), at)
    assert_both_modes(loss(np, by_keyword), at, expected)
    if positional is not None:  # autograd has no rule for clip's bounds
        onp.testing.assert_allclose(gradviz.grad(loss(np, by_keyword))(at),
                                    autograd.grad(loss(anp, positional))(at))


def test_clip_differentiates_its_bounds():
    # Before, a traced bound raised "no VJP rule for 'clip' (argument 1)".
    low = onp.array([0.0, -1.0, 0.8, 0.5])
    for f, at in [
        (lambda low: np.sum(np.clip(X, low, 1.0) ** 2), low),
        (lambda high: np.sum(np.clip(X, -0.5, high) ** 2), 0.3),
        (lambda high: np.sum(np.clip(X, min=-0.5, max=high) ** 2), 0.3),
        (lambda low: np.sum(np.clip(X, low, 0.2) ** 2), 0.5),  # low above high: high wins
    ]:
        assert_both_modes(f, at, differences(lambda v: onp.sum(f(v)), at))


def test_clip_keyword_bounds_against_autograd_at_x():
    f = lambda m: lambda x: m.sum(m.clip(x, a_min=-0.5, a_max=1.0) ** 2)  # noqa: E731
    onp.testing.assert_allclose(gradviz.grad(f(np))(X), autograd.grad(f(anp))(X))


# --- what cannot take a position is refused, never dropped ---------------------------------------


def test_a_traced_out_argument_is_refused():
    with pytest.raises(RuleError, match=r"add\(…, out=…\)"):
        gradviz.grad(lambda x: np.sum(np.add(X, X, out=x)))(onp.zeros(4))


@primitive
def keyword_only(x, *, weight):
    return x * weight


defvjp(keyword_only, lambda ans, x, *, weight: lambda g: g * weight)


def test_a_traced_keyword_only_argument_is_refused_by_name():
    with pytest.raises(RuleError, match="'weight' is keyword-only"):
        gradviz.grad(lambda w: keyword_only(2.0, weight=w))(1.0)


def test_a_keyword_that_numpy_takes_only_by_position_is_numpys_type_error():
    with pytest.raises(TypeError):
        gradviz.grad(lambda x: np.sum(np.where(X > 0, x=x, y=0.0)))(X)
