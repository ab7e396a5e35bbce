"""Every differential operator autograd has, called as autograd users call it, gives
autograd 1.9.1's numbers and agrees with finite differences."""

from __future__ import annotations

import warnings

import autograd
import autograd.differential_operators as adiff
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.differential_operators as gdiff
import gradviz.numpy as gnp
from gradviz.errors import OutputTypeError
from gradviz.extend import defvjp, primitive

rng = onp.random.default_rng(11)
X = rng.normal(size=3)
V = rng.normal(size=3)
W = rng.normal(size=(3, 2))


def scalar_program(np):
    """A loss over two arguments, written once for both namespaces."""
    def loss(x, w, scale=1.5):
        hidden = np.tanh(np.dot(x, w))
        return scale * np.sum(hidden ** 2) + np.prod(np.sin(x)) + np.mean(w) * x[0]
    return loss


def vector_program(np):
    def f(x):
        return np.concatenate([np.sin(x) * x[0], np.exp(x[1:]) / (1.0 + x[2] ** 2)])
    return f


def same(a, b, rtol=1e-10):
    for p, q in zip(onp.atleast_1d(onp.asarray(a, dtype=complex)).ravel(),
                    onp.atleast_1d(onp.asarray(b, dtype=complex)).ravel()):
        assert abs(p - q) <= rtol * max(abs(p), abs(q), 1e-300) + 1e-300, (a, b)


def numeric_gradient(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    out = onp.zeros_like(x)
    for k in range(x.size):
        step = onp.zeros_like(x)
        step.flat[k] = eps
        out.flat[k] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


@pytest.mark.parametrize("argnum", [(0, 1), [1, 0], (1,)])
def test_grad_with_a_tuple_or_list_of_argnums_returns_a_tuple(argnum):
    ours = gradviz.grad(scalar_program(gnp), argnum)(X, W, scale=0.7)
    theirs = autograd.grad(scalar_program(anp), argnum)(X, W, scale=0.7)
    assert type(ours) is tuple and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        same(a, b)


def test_value_and_grad_with_tuple_argnum_matches_finite_differences():
    loss = scalar_program(gnp)
    value, (gx, gw) = gradviz.value_and_grad(loss, argnum=(0, 1))(X, W)
    assert float(value) == pytest.approx(float(loss(X, W)), rel=1e-14)
    onp.testing.assert_allclose(gx, numeric_gradient(lambda x: loss(x, W), X), rtol=1e-6)
    onp.testing.assert_allclose(gw, numeric_gradient(lambda w: loss(X, w), W), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1,), (1, 1), (1, 1, 1)])
def test_grad_of_a_size_one_output(shape):
    def f(np):
        return lambda x: np.reshape(np.sum(np.sin(x) * x), shape)
    same(gradviz.grad(f(gnp))(X), autograd.grad(f(anp))(X))


def test_grad_of_a_complex_output_is_a_type_error_as_in_autograd():
    with pytest.raises(TypeError):
        autograd.grad(lambda x: x * 1j)(1.5)
    with pytest.raises(TypeError, match="real output, got complex128.*holomorphic_grad"):
        gradviz.grad(lambda x: x * 1j)(1.5)


def test_grad_of_a_boolean_output_is_a_type_error_as_in_autograd():
    with pytest.raises(TypeError):
        autograd.grad(lambda x: x > 0)(1.5)
    with pytest.raises(OutputTypeError, match="boolean"):
        gradviz.grad(lambda x: x > 0)(1.5)


def test_grad_of_a_vector_output_is_a_type_error_and_a_shape_error():
    with pytest.raises(TypeError, match=r"got shape \(3,\)"):
        gradviz.grad(gnp.sin)(X)


def test_deriv_is_elementwise_grad():
    same(gradviz.deriv(gnp.tanh)(X), autograd.deriv(anp.tanh)(X))
    assert gdiff.deriv is gradviz.elementwise_grad


def test_holomorphic_grad():
    def f(np):
        return lambda z: np.sin(z) * z ** 2 + np.exp(z)
    z = 0.3 + 1.2j
    same(gradviz.holomorphic_grad(f(gnp))(z), autograd.holomorphic_grad(f(anp))(z))
    # f′(z) by a complex finite difference along the real axis
    h = 1e-7
    numeric = (f(onp)(z + h) - f(onp)(z - h)) / (2 * h)
    assert abs(complex(gradviz.holomorphic_grad(f(gnp))(z)) - numeric) < 1e-6


def test_holomorphic_grad_warns_on_a_real_input():
    with pytest.warns(UserWarning, match="not complex"):
        gradviz.holomorphic_grad(gnp.sin)(0.5)


def test_grad_and_aux_returns_the_aux_untouched():
    def f(np):
        def loss(w, x):
            predictions = np.tanh(np.dot(x, w))
            return np.sum(predictions ** 2), predictions
        return loss
    (g_ours, aux_ours) = gradviz.grad_and_aux(f(gnp))(W, X)
    (g_theirs, aux_theirs) = autograd.grad_and_aux(f(anp))(W, X)
    same(g_ours, g_theirs)
    same(aux_ours, aux_theirs)
    assert type(aux_ours) is onp.ndarray  # not a traced value


def test_grad_named_by_position_and_by_keyword():
    loss = scalar_program(gnp)
    expected = autograd.grad_named(scalar_program(anp), "w")(X, W)
    same(gradviz.grad_named(loss, "w")(X, W), expected)
    same(gradviz.grad_named(loss, "w")(X, w=W), expected)
    same(gradviz.grad_named(loss, "scale")(X, W, 2.0),
         autograd.grad_named(scalar_program(anp), "scale")(X, W, 2.0))


def test_grad_named_of_an_unknown_argument_says_which_exist():
    with pytest.raises(gradviz.GradvizError, match="no argument 'z'.*x, w, scale"):
        gradviz.grad_named(scalar_program(gnp), "z")


def test_multigrad_dict_against_finite_differences():
    # autograd 1.9.1's multigrad_dict imports the removed funcsigs package and cannot run,
    # so the reference here is finite differences and grad with respect to each argument.
    loss = scalar_program(gnp)
    grads = gradviz.multigrad_dict(loss)(X, w=W)
    assert list(grads) == ["x", "w", "scale"]
    onp.testing.assert_allclose(grads["x"], numeric_gradient(lambda x: loss(x, W), X), rtol=1e-6)
    same(grads["w"], gradviz.grad(loss, 1)(X, W))
    same(grads["scale"], (loss(X, W, 1.5 + 1e-7) - loss(X, W, 1.5 - 1e-7)) / 2e-7, rtol=1e-6)


@pytest.mark.parametrize("name", ["hessian_tensor_product", "hessian_vector_product"])
def test_hessian_products(name):
    def f(np):
        return lambda x, w: np.sum(np.tanh(np.dot(x, w)) ** 2) * np.sum(x ** 3)
    ours = getattr(gradviz, name)(f(gnp))(X, W, V)
    same(ours, getattr(autograd, name)(f(anp))(X, W, V))
    hessian = gradviz.hessian(f(gnp))(X, W)
    onp.testing.assert_allclose(ours, hessian @ V, rtol=1e-10)


def test_hessian_tensor_product_with_a_matrix_argument():
    def f(np):
        return lambda w: np.sum(np.sin(w) * np.cos(w[::-1]))
    tensor = rng.normal(size=W.shape)
    same(gradviz.hessian_tensor_product(f(gnp))(W, tensor),
         autograd.hessian_tensor_product(f(anp))(W, tensor))


@pytest.mark.parametrize("name", ["tensor_jacobian_product", "vector_jacobian_product"])
def test_jacobian_products(name):
    u = rng.normal(size=5)
    ours = getattr(gradviz, name)(vector_program(gnp))(X, u)
    same(ours, getattr(autograd, name)(vector_program(anp))(X, u))
    onp.testing.assert_allclose(ours, u @ gradviz.jacobian(vector_program(gnp))(X), rtol=1e-12)


def test_make_hvp_reuses_one_gradient():
    def f(np):
        return lambda x: np.sum(np.sin(x) * np.roll(x, 1) ** 2)
    hvp_ours, grad_ours = gradviz.make_hvp(f(gnp))(X)
    hvp_theirs, grad_theirs = autograd.make_hvp(f(anp))(X)
    same(grad_ours, grad_theirs)
    for v in (V, onp.eye(3)[1]):
        same(hvp_ours(v), hvp_theirs(v))


def test_make_jvp_reversemode_equals_forward_mode():
    jvp_fn = gradviz.make_jvp_reversemode(vector_program(gnp))(X)
    same(jvp_fn(V), adiff.make_jvp_reversemode(vector_program(anp))(X)(V))
    same(jvp_fn(V), gradviz.make_jvp(vector_program(gnp))(X)(V)[1], rtol=1e-12)


def test_make_ggnvp_default_and_custom_outer_function():
    def f(np):
        return lambda w, x: np.ravel(np.tanh(np.dot(x, w)))
    x = rng.normal(size=(4, 3))
    v = rng.normal(size=W.shape)
    same(gradviz.make_ggnvp(f(gnp))(W, x)(v), autograd.make_ggnvp(f(anp))(W, x)(v))

    def g(np):
        return lambda y: np.sum(np.log1p(y ** 2))
    same(gradviz.make_ggnvp(f(gnp), g(gnp))(W, x)(v), autograd.make_ggnvp(f(anp), g(anp))(W, x)(v))
    # J^T H_g J v by hand
    jac = gradviz.jacobian(f(gnp))(W, x).reshape(4 * 2, 6)
    h_g = gradviz.hessian(g(gnp))(f(onp)(W, x))
    onp.testing.assert_allclose(gradviz.make_ggnvp(f(gnp), g(gnp))(W, x)(v).ravel(),
                                jac.T @ h_g @ jac @ v.ravel(), rtol=1e-10)


def test_make_vjp_and_make_jvp_with_tuple_argnum():
    def f(np):
        return lambda x, w: np.dot(np.sin(x), w)
    vjp_ours, ans = gradviz.make_vjp(f(gnp), (0, 1))(X, W)
    vjp_theirs, _ = autograd.make_vjp(f(anp), (0, 1))(X, W)
    u = onp.array([1.0, -2.0])
    for a, b in zip(vjp_ours(u), vjp_theirs(u)):
        same(a, b)
    _, tangent = gradviz.make_jvp(f(gnp), (0, 1))(X, W)((V, W))
    _, expected = autograd.make_jvp(f(anp), (0, 1))(X, W)((V, W))
    same(tangent, expected)


def test_every_autograd_operator_is_at_the_top_level_and_in_the_module():
    names = [name for name in dir(autograd) if not name.startswith("_")
             and callable(getattr(autograd, name))
             and name not in ("differential_operators", "builtins", "wrap_util", "util",
                              "tracer", "core", "extend", "numpy", "scipy", "misc")]
    names += ["make_jvp_reversemode"]
    missing = [name for name in names if not hasattr(gradviz, name)]
    assert missing == []
    module_names = [name for name in dir(adiff) if callable(getattr(adiff, name))
                    and getattr(getattr(adiff, name), "__module__", "").startswith("autograd.differential")]
    assert [name for name in module_names if not hasattr(gdiff, name)] == []


def test_primitive_at_the_top_level():
    @gradviz.primitive
    def twice(x):
        return 2 * x
    defvjp(twice, lambda ans, x: lambda g: 2 * g)
    assert [node.op for node in gradviz.trace(twice, 1.0, forward=False)] == ["input", "twice"]


def vjp_only_primitive():
    @primitive
    def softplus(x):
        return onp.log1p(onp.exp(x))
    defvjp(softplus, lambda ans, x: lambda g: g / (1.0 + gnp.exp(-x)))
    return softplus


def test_hessian_falls_back_to_reverse_over_reverse_for_a_vjp_only_primitive():
    softplus = vjp_only_primitive()
    f = lambda x: gnp.sum(softplus(x) * x)  # noqa: E731
    sigma = 1 / (1 + onp.exp(-X))
    expected = onp.diag(2 * sigma + X * sigma * (1 - sigma))
    onp.testing.assert_allclose(gradviz.hessian(f)(X), expected, rtol=1e-10, atol=1e-14)
    onp.testing.assert_allclose(gradviz.hvp(f)(X, V), expected @ V, rtol=1e-10)
    onp.testing.assert_allclose(gradviz.hessian_vector_product(f)(X, V), expected @ V, rtol=1e-10)


def test_hessian_still_reports_a_missing_adjoint_rule():
    @primitive
    def mystery(x):
        return x * 2
    with pytest.raises(gradviz.GradvizError, match="no VJP rule for 'mystery'"):
        gradviz.hessian(lambda x: gnp.sum(mystery(x)))(X)


def test_a_constant_output_still_warns_not_raises():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(gradviz.grad(lambda x: 3.0)(1.0)) == 0.0
    assert any("does not depend" in str(w.message) for w in caught)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_a_0d_array_input_gets_a_0d_array_zero_gradient(dtype):
    """As autograd: the gradient of an output that does not depend on a 0-d array input is a
    0-d array of the input's dtype (it was a numpy scalar)."""
    x = onp.array(2.0, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gradviz.grad(lambda x: 3.0)(x)
        theirs = autograd.grad(lambda x: 3.0)(x)
    assert type(ours) is type(theirs) is onp.ndarray
    assert ours.shape == theirs.shape == () and ours.dtype == theirs.dtype == dtype
    assert float(ours) == 0.0
