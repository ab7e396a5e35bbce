"""``einsum`` in sublist form, ``row_stack``, ``select``, ``block``, and the functions autograd
gives zero derivatives (``around``, ``fix``, ``isscalar``, ``isposinf``, ``isneginf``,
``array_equiv``): values as numpy's, derivatives as autograd's."""

from __future__ import annotations

import warnings

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np

X = onp.array([[-1.7, 0.4, 2.6], [0.9, -0.2, 1.3]])
W = onp.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])

def _row_stack(m):
    # numpy 2.5 removed its deprecated alias of vstack; gradviz keeps it for autograd programs,
    # so on such a numpy gradviz's row_stack is compared with numpy's and autograd's vstack.
    return m.row_stack if m is np or hasattr(m, "row_stack") else m.vstack


CALLS = {
    "einsum_sublists": lambda m, x: m.einsum(x, [0, 1], x, [2, 1], [0, 2]),
    "einsum_sublists_ellipsis": lambda m, x: m.einsum(x, [Ellipsis, 1], m.ones(3), [1], [Ellipsis]),
    "row_stack": lambda m, x: _row_stack(m)([x[0], x]),
    "select": lambda m, x: m.select([x < 0, x > 1], [x ** 2, 3 * x], default=m.sin(x)),
    "around": lambda m, x: m.around(x) * x,
    "fix": lambda m, x: m.fix(x) * x + m.fix(2.0 * x),
    "isscalar": lambda m, x: x * m.isscalar(x) + x * m.isscalar(1.0),
    "isposinf": lambda m, x: x * m.isposinf(x) + x * m.isposinf(m.log(x * 0.0 + 1.0) - m.log(0.0 * x)),
    "isneginf": lambda m, x: x * m.isneginf(x) + x * m.isneginf(m.log(0.0 * x)),
    "array_equiv": lambda m, x: x * m.array_equiv(x, x) + x * m.array_equiv(x, x[0]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_value_and_gradient_match_numpy_and_autograd(name):
    call = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log(0) on purpose; numpy deprecates row_stack
        value = call(np, X)
        onp.testing.assert_array_equal(value, call(onp, X))
        weights = onp.resize(W, onp.shape(value))
        gradient = gradviz.grad(lambda x: np.sum(call(np, x) * weights))(X)
        expected = autograd.grad(lambda x: anp.sum(call(anp, x) * weights))(X)
    onp.testing.assert_allclose(gradient, expected, rtol=1e-12)


def test_block_matches_numpy_and_finite_differences():
    def f(m, x):
        return m.block([[x, m.zeros((2, 1))], [m.ones((1, 3)), x[:1, :1]]])

    onp.testing.assert_array_equal(f(np, X), f(onp, X))
    weights = onp.arange(12.0).reshape(3, 4)
    gradient = gradviz.grad(lambda x: np.sum(f(np, x) * weights))(X)
    expected = weights[:2, :3].copy()
    expected[0, 0] += weights[2, 3]
    onp.testing.assert_array_equal(gradient, expected)


@pytest.mark.parametrize("name", ["around", "fix", "isscalar", "isposinf", "isneginf", "array_equiv"])
def test_zero_derivative_functions_are_recorded_without_a_derivative(name):
    assert name in np.NONDIFFERENTIABLE
    assert not getattr(np, name).differentiable
