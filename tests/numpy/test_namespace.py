"""``gradviz.numpy`` as users meet it: broadcasting, dtypes, indexing, methods, errors."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import RuleError
from gradviz.rules import numpy_rules

RNG = onp.random.default_rng(0)


# --- broadcasting: adjoints come back summed to each input's shape -----------------------------


def test_broadcast_adjoints_are_summed_to_input_shapes():
    x, y = RNG.standard_normal((3, 1)), RNG.standard_normal((1, 4))
    gx = gradviz.grad(lambda x, y: np.sum(np.sin(x * y)), argnum=0)(x, y)
    gy = gradviz.grad(lambda x, y: np.sum(np.sin(x * y)), argnum=1)(x, y)
    cos = onp.cos(x * y)
    assert gx.shape == (3, 1) and gy.shape == (1, 4)
    onp.testing.assert_allclose(gx, onp.sum(cos * y, axis=1, keepdims=True))
    onp.testing.assert_allclose(gy, onp.sum(cos * x, axis=0, keepdims=True))


def test_scalar_broadcast_against_a_matrix_gets_the_sum():
    m = RNG.standard_normal((2, 3))
    slope = gradviz.grad(lambda s: np.sum(np.maximum(s * m, 0.0)))(0.7)
    assert onp.shape(slope) == ()
    assert float(slope) == pytest.approx(float(onp.sum(m * (m > 0))))


# --- float32 stays float32 ---------------------------------------------------------------------

FLOAT32_CALLS = {
    "tanh": lambda x: np.tanh(x),
    "sqrt": lambda x: np.sqrt(x * x + 1.0),
    "power": lambda x: x ** 2 + 2.0 ** x + np.power(np.abs(x) + 1.0, 1.5),
    "divide": lambda x: 1.0 / (x * x + 1.0),
    "exp_log": lambda x: np.log(np.exp(x) + 1.0) + np.log2(x * x + 1.0) + np.exp2(x),
    "trig": lambda x: np.sin(x) * np.arctan(x) + np.sinc(x + 4.0) + np.deg2rad(x),
    "selection": lambda x: np.where(x > 0, x, 0.5 * x) + np.maximum(x, 0.1) + np.clip(x, -0.5, 0.5),
    "reductions": lambda x: np.mean(x) + np.var(x, axis=0) + np.std(x) + x.max() + x.prod() * 0.0,
    "products": lambda x: np.dot(x, x.T).sum() + np.einsum("ij,ij->", x, x) + np.outer(x[0], x[1]).sum(),
    "shapes": lambda x: np.concatenate([x, x[::-1]]).sum(axis=0) + np.stack([x, x]).mean() + np.cumsum(x).sum(),
    "indexing": lambda x: x[[0, 0, 1], 1] + np.sort(x[1]) + np.array([x[0, 0], x[1, 1], 2.0]),
    "linspace_full": lambda x: np.linspace(x[0, 0], x[1, 1], 3) + np.full(3, x[0, 1]),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_CALLS))
def test_float32_values_tangents_and_adjoints(name):
    f = FLOAT32_CALLS[name]
    x = onp.array([[0.3, -1.2, 0.8], [1.5, 0.4, -0.6]], dtype=onp.float32)
    out, tangent = gradviz.jvp(f, (x,), (onp.ones_like(x),))
    _, vjp_fn = gradviz.vjp(f, x)
    (adjoint,) = vjp_fn(onp.ones(onp.shape(out), onp.float32))
    assert out.dtype == onp.float32, f"value is {out.dtype}"
    assert tangent.dtype == onp.float32, f"tangent is {tangent.dtype}"
    assert adjoint.dtype == onp.float32, f"adjoint is {adjoint.dtype}"


def test_float32_second_derivative_stays_float32():
    x = onp.float32(0.5)
    second = gradviz.grad(gradviz.grad(lambda x: np.tanh(x) * x ** 2))(x)
    assert second.dtype == onp.float32


# --- indexing ---------------------------------------------------------------------------------


def test_fancy_index_with_repeats_accumulates_adjoints():
    w = onp.array([1.0, 10.0, 100.0, 1000.0])
    gradient = gradviz.grad(lambda x: np.sum(x[[0, 0, 2, 0]] * w))(onp.zeros(3))
    onp.testing.assert_array_equal(gradient, [1.0 + 10.0 + 1000.0, 0.0, 100.0])


def test_fancy_index_along_a_column_accumulates_adjoints():
    gradient = gradviz.grad(lambda x: np.sum(x[:, [1, 1]] ** 2))(onp.ones((2, 3)))
    onp.testing.assert_array_equal(gradient, [[0.0, 4.0, 0.0], [0.0, 4.0, 0.0]])


def test_take_with_repeats_accumulates_adjoints():
    gradient = gradviz.grad(lambda x: np.sum(np.take(x, [2, 2, 2])))(onp.zeros(3))
    onp.testing.assert_array_equal(gradient, [0.0, 0.0, 3.0])


def test_boolean_mask_sends_adjoints_to_selected_elements():
    x = onp.array([-1.0, 2.0, -3.0, 4.0])
    gradient = gradviz.grad(lambda x: np.sum(x[x > 0] ** 2))(x)
    onp.testing.assert_array_equal(gradient, [0.0, 4.0, 0.0, 8.0])


def test_len_and_iteration_record_one_getitem_per_row():
    t = gradviz.trace(lambda x: sum(row * row for row in x) + len(x), onp.arange(3.0))
    assert [node.op for node in t.nodes].count("getitem") == 3
    onp.testing.assert_array_equal(t.adjoint(0), [0.0, 2.0, 4.0])


# --- operators and methods --------------------------------------------------------------------


def test_pow_and_rpow():
    x = 1.5
    assert float(gradviz.grad(lambda x: x ** 3)(x)) == pytest.approx(3 * x**2)
    assert float(gradviz.grad(lambda x: 2.0 ** x)(x)) == pytest.approx(2.0**x * onp.log(2.0))


def test_mod_keeps_slope_one_in_the_dividend():
    assert float(gradviz.grad(lambda x: x % 1.0)(2.25)) == 1.0
    assert float(gradviz.grad(lambda y: 7.0 % y)(2.0)) == pytest.approx(-3.0)


def test_methods_match_functions():
    x = RNG.standard_normal((2, 3))

    def by_methods(x):
        return (x.T.reshape(3, 2).sum(axis=1).mean() + x.max() + x.min(0).sum() + x.prod()
                + x.var() + x.std(1).sum() + x.dot(x.T).ravel().sum() + x.transpose().flatten()[0]
                + x.clip(-0.5, 0.5).sum() + x.cumsum()[-1] + x.astype(onp.float64).real.sum()
                + x.imag.sum() + x.conj().sum() + x.swapaxes(0, 1)[0, 1] + x[None].squeeze()[1, 2])

    def by_functions(x):
        return (np.mean(np.sum(np.reshape(np.transpose(x), (3, 2)), axis=1)) + np.max(x)
                + np.sum(np.min(x, axis=0)) + np.prod(x) + np.var(x) + np.sum(np.std(x, axis=1))
                + np.sum(np.ravel(np.dot(x, np.transpose(x)))) + np.ravel(np.transpose(x))[0]
                + np.sum(np.clip(x, -0.5, 0.5)) + np.cumsum(x)[-1] + np.sum(x)
                + 0.0 + np.sum(x) + np.swapaxes(x, 0, 1)[0, 1] + x[1, 2])

    onp.testing.assert_allclose(gradviz.grad(by_methods)(x), gradviz.grad(by_functions)(x))


def test_comparisons_return_plain_booleans():
    def f(x):
        mask = (x > 0.0) & (x <= 2.0) | (x == 3.0) | (x != x) | (x >= 5.0) | (x < -5.0)
        assert type(mask) is onp.ndarray and mask.dtype == bool
        return np.sum(np.where(mask, x, 0.0))

    onp.testing.assert_array_equal(gradviz.grad(f)(onp.array([-1.0, 1.0, 3.0])), [0.0, 1.0, 1.0])


# --- non-differentiable functions -------------------------------------------------------------


@pytest.mark.parametrize(
    "function", [np.floor, np.sign, np.round, np.argmax, np.isnan, np.zeros_like, np.shape]
)
def test_nondifferentiable_function_is_recorded_but_returns_a_plain_value(function):
    seen = []

    def f(x):
        value = function(x)
        seen.append(value)
        return np.sum(x * 2.0)

    t = gradviz.trace(f, onp.array([0.5, -1.5]))
    assert function.name in [node.op for node in t.nodes]
    assert type(seen[0]).__name__ != "Box"
    onp.testing.assert_array_equal(t.adjoint(0), [2.0, 2.0])


def test_nondifferentiable_result_contributes_no_derivative():
    gradient = gradviz.grad(lambda x: np.sum(np.floor(x) * x))(onp.array([0.5, 2.5]))
    onp.testing.assert_array_equal(gradient, [0.0, 2.0])


# --- numpy's own namespace and the clear error ------------------------------------------------


def test_the_rest_of_numpy_is_numpys():
    assert np.pi == onp.pi and np.float32 is onp.float32 and np.newaxis is None
    onp.testing.assert_array_equal(np.c_[[1, 2], [3, 4]], onp.c_[[1, 2], [3, 4]])
    grid = np.meshgrid(np.arange(2), np.linspace(0.0, 1.0, 3))
    assert grid[0].shape == (3, 2)
    assert np.array([[1.0, 2.0]]).shape == (1, 2) and np.array([1, 2]).dtype.kind == "i"
    assert np.random.default_rng(0).standard_normal(2).shape == (2,)
    assert np.zeros(3).sum() == 0.0 and np.eye(2)[0, 0] == 1.0


def test_function_without_a_rule_refuses_a_traced_value_in_one_line():
    with pytest.raises(RuleError) as caught:
        gradviz.grad(lambda x: np.sum(np.fmod(x, 2.0)))(onp.ones(2))
    message = str(caught.value)
    assert "gradviz.numpy.fmod" in message and "argument 0" in message and "\n" not in message


def test_function_without_a_rule_sees_a_traced_value_inside_a_list():
    with pytest.raises(RuleError, match="median"):
        gradviz.grad(lambda x: np.sum(np.median([x, x])))(onp.ones(2))


def test_rules_keep_their_info_for_the_renderer():
    assert numpy_rules.sin.partials[0] == "cos {0}"
    assert numpy_rules.multiply.partials == {0: "{1}", 1: "{0}"}


# --- against an independent reference ---------------------------------------------------------

COMPOSITES = {
    "mlp": lambda x: np.sum(np.tanh(np.dot(np.tanh(np.dot(x, x.T)), x)) ** 2),
    "softmax": lambda x: np.sum(np.exp(x - np.max(x, axis=1, keepdims=True)) / np.sum(np.exp(x), axis=1, keepdims=True)),
    "joins": lambda x: np.sum(np.concatenate([x, np.sin(x)], axis=1) * np.vstack([x, x]).T.sum()),
    "stats": lambda x: np.std(x, axis=0).sum() * np.var(x) + np.prod(np.abs(x) + 1.0),
    "shapes": lambda x: np.sum(np.cumsum(np.tile(np.roll(x, 1, axis=1), (2, 1)), axis=0) ** 2),
    "kron_einsum": lambda x: np.sum(np.kron(x, x) * 0.5) + np.einsum("ij,kj->", x, x),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_gradient_matches_autograd(name):
    x = RNG.standard_normal((2, 3))
    source = COMPOSITES[name]
    reference = autograd.grad(_with(anp, source))(x)
    onp.testing.assert_allclose(gradviz.grad(source)(x), reference, rtol=1e-10, atol=1e-12)


def _with(module, function):
    """``function`` with ``np`` bound to ``module`` (run it on autograd's numpy)."""
    import types

    return types.FunctionType(function.__code__, {**function.__globals__, "np": module})
