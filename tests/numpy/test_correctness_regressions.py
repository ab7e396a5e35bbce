"""Calls that failed or gave silently wrong derivatives, each checked against autograd and
against central finite differences, in both modes where the call has both.

Complex gradients follow autograd's convention: for a real loss L of z = x + iy the gradient is
∂L/∂x − i ∂L/∂y, so a change δz moves L by Re Σ gradient·δz.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np

RNG = onp.random.default_rng(11)
STEP = 1e-6


def finite_difference(f, x, direction):
    """(f(x + h·d) − f(x − h·d)) / 2h for a real-valued (or array-valued) f."""
    return (onp.asarray(f(x + STEP * direction)) - onp.asarray(f(x - STEP * direction))) / (2 * STEP)


def complex_gradient_by_differences(f, z):
    """∂f/∂x − i ∂f/∂y at every element of z, f real-valued."""
    z = onp.asarray(z, dtype=complex)
    gradient = onp.zeros_like(z)
    for index in onp.ndindex(z.shape):
        unit = onp.zeros_like(z)
        unit[index] = 1.0
        gradient[index] = finite_difference(f, z, unit) - 1j * finite_difference(f, z, 1j * unit)
    return gradient


# --- creation functions and numpy fallbacks on plain tuples and lists --------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.zeros((2, 3)),
        lambda m: m.ones([2, 3]),
        lambda m: m.empty((2, 3)).shape,
        lambda m: m.asarray([1.0, 2.0]),
        lambda m: m.median([1.0, 5.0, 2.0]),
        lambda m: m.meshgrid((1.0, 2.0), [3.0, 4.0, 5.0]),
        lambda m: m.zeros((2, 2)) + m.eye(2),
    ],
    ids=["zeros", "ones", "empty", "asarray", "median", "meshgrid", "zeros_plus_eye"],
)
def test_tuple_and_list_arguments_are_not_taken_for_traced_values(call):
    onp.testing.assert_array_equal(call(np), call(onp))


def test_zeros_grid_inside_a_differentiated_function():
    def f(m, x):
        grid = m.zeros((2, 3))
        return m.sum((grid + x) ** 2)

    x = RNG.standard_normal(3)
    onp.testing.assert_allclose(gradviz.grad(lambda x: f(np, x))(x), autograd.grad(lambda x: f(anp, x))(x))


# --- clip with keyword bounds ---------------------------------------------------------------


CLIP_INPUT = onp.array([-1.5, -0.2, 0.4, 2.0])


@pytest.mark.parametrize(
    "bounds", [dict(a_min=-0.5, a_max=1.0), dict(a_min=None, a_max=1.0), dict(a_min=0.0, a_max=None), dict(min=-0.5, max=1.0)],
    ids=["a_min_a_max", "a_max", "a_min", "min_max"],
)
def test_clip_keyword_bounds_zero_the_clipped_slopes(bounds):
    expected = autograd.grad(lambda x: anp.sum(anp.clip(x, **bounds) ** 2))(CLIP_INPUT) if "min" not in bounds else None
    direction = onp.ones(4)
    differences = finite_difference(lambda x: onp.clip(x, **bounds), CLIP_INPUT, direction)
    _, tangent = gradviz.jvp(lambda x: np.clip(x, **bounds), (CLIP_INPUT,), (direction,))
    onp.testing.assert_allclose(tangent, differences, atol=1e-8)
    adjoint = gradviz.grad(lambda x: np.sum(np.clip(x, **bounds) ** 2))(CLIP_INPUT)
    onp.testing.assert_allclose(adjoint, 2 * onp.clip(CLIP_INPUT, **bounds) * differences, atol=1e-8)
    if expected is not None:  # autograd 1.9.1 has no min=/max= keywords
        onp.testing.assert_allclose(adjoint, expected)


# --- r_, c_ and append of a list: the forward derivative -------------------------------------


JOINS = {
    "r_": (lambda m, x: m.r_[x, 2.0 * x, 1.0], lambda x: onp.r_[x, 2.0 * x, 1.0]),
    "r_slice": (lambda m, x: m.r_[x[:2], 0:3], lambda x: onp.r_[x[:2], 0:3]),
    "r_directive": (lambda m, x: m.r_["0,2", x, x ** 2], lambda x: onp.r_["0,2", x, x ** 2]),
    "c_": (lambda m, x: m.c_[x, x ** 2], lambda x: onp.c_[x, x ** 2]),
    "c_matrix": (lambda m, x: m.c_[m.reshape(x, (3, 1)), x], lambda x: onp.c_[onp.reshape(x, (3, 1)), x]),
    "append_list": (lambda m, x: m.append([x[0], 3.0 * x[1]], x), lambda x: onp.append([x[0], 3.0 * x[1]], x)),
    "append_list_values": (lambda m, x: m.append(x, [x[2], 1.0]), lambda x: onp.append(x, [x[2], 1.0])),
    "concatenate_list": (lambda m, x: m.concatenate([[x[0], x[1]], x]), lambda x: onp.concatenate([[x[0], x[1]], x])),
}


@pytest.mark.filterwarnings("ignore:.*is slow for array inputs")
@pytest.mark.parametrize("name", sorted(JOINS))
def test_joins_of_traced_pieces_carry_tangents_and_adjoints(name):
    traced, plain = JOINS[name]
    x = RNG.standard_normal(3)
    direction = RNG.standard_normal(3)
    value, tangent = gradviz.jvp(lambda x: traced(np, x), (x,), (direction,))
    onp.testing.assert_allclose(value, plain(x))
    onp.testing.assert_allclose(tangent, finite_difference(plain, x, direction), atol=1e-7)
    weights = RNG.standard_normal(onp.shape(value))
    adjoint = gradviz.grad(lambda x: np.sum(traced(np, x) * weights))(x)
    by_differences = [onp.sum(weights * finite_difference(plain, x, unit)) for unit in onp.eye(3)]
    onp.testing.assert_allclose(adjoint, by_differences, atol=1e-7)
    if name not in AUTOGRAD_CANNOT:
        onp.testing.assert_allclose(adjoint, autograd.grad(lambda x: anp.sum(traced(anp, x) * weights))(x))


#: autograd 1.9.1 makes an array of boxes of a list of traced values inside concatenate.
AUTOGRAD_CANNOT = {"concatenate_list"}


# --- complex var, std, nuclear norm: conjugation ------------------------------------------


COMPLEX_REDUCTIONS = {
    "var": lambda m, z: m.var(z),
    "var_axis_ddof": lambda m, z: m.sum(m.var(z, axis=0, ddof=1)),
    "std": lambda m, z: m.std(z),
    "std_axis_keepdims": lambda m, z: m.sum(m.std(z, axis=1, keepdims=True) * m.array([[1.0], [2.0]])),
    "nuclear_norm": lambda m, z: m.linalg.norm(z, "nuc"),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_REDUCTIONS))
def test_complex_reductions_conjugate_their_gradient(name):
    f = COMPLEX_REDUCTIONS[name]
    z = RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3))
    gradient = gradviz.grad(lambda z: f(np, z))(z)
    onp.testing.assert_allclose(gradient, complex_gradient_by_differences(lambda z: f(onp, z), z), atol=1e-6)
    onp.testing.assert_allclose(gradient, autograd.grad(lambda z: f(anp, z))(z), atol=1e-12)
    direction = RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3))
    _, tangent = gradviz.jvp(lambda z: f(np, z), (z,), (direction,))
    assert onp.isrealobj(tangent)
    onp.testing.assert_allclose(tangent, onp.real(onp.sum(gradient * direction)), atol=1e-10)


# --- complex eigh ----------------------------------------------------------------------------


def _hermitian(rng, n):
    b = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return b + b.conj().T


def eigh_loss(m, a):
    """A function of eigh that does not depend on the eigenvectors' phases."""
    w, v = m.linalg.eigh(a)
    return m.sum(w ** 2 * m.arange(3.0)) + m.sum(m.abs(v[0]) ** 2 * m.array([1.0, -2.0, 0.5]))


def test_complex_eigh_gradient_matches_differences_and_autograd():
    a = _hermitian(RNG, 3)
    gradient = gradviz.grad(lambda a: eigh_loss(np, a))(a)
    # numpy reads the lower triangle (and the real part of the diagonal) only.
    lower = onp.tril(onp.ones((3, 3)))
    by_differences = complex_gradient_by_differences(lambda a: eigh_loss(onp, a), a) * lower
    by_differences[onp.diag_indices(3)] = onp.real(by_differences[onp.diag_indices(3)])
    onp.testing.assert_allclose(gradient, by_differences, atol=1e-6)
    # autograd's gradient is of the Hermitian matrix as a whole: folded onto the lower triangle
    # (each strict entry appears once itself, once conjugated above the diagonal), they agree.
    whole = autograd.grad(lambda a: eigh_loss(anp, a))(a)
    folded = onp.tril(whole + whole.conj().T, -1) + onp.diag(onp.real(onp.diag(whole)))
    onp.testing.assert_allclose(gradient, folded, atol=1e-10)


def test_complex_eigh_tangent_matches_differences():
    a = _hermitian(RNG, 3)
    direction = _hermitian(RNG, 3)
    _, tangent = gradviz.jvp(lambda a: eigh_loss(np, a), (a,), (direction,))
    assert onp.isrealobj(tangent)
    onp.testing.assert_allclose(tangent, finite_difference(lambda a: eigh_loss(onp, a), a, direction), atol=1e-6)


# --- a Python complex input ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_python_complex_input_gets_a_complex_zero_gradient():
    gradient = gradviz.grad(lambda z, w: np.real(w) * 2.0)(1.0 + 2.0j, 3.0)
    reference = autograd.grad(lambda z, w: anp.real(w) * 2.0)(1.0 + 2.0j, 3.0)
    assert onp.iscomplexobj(gradient) and onp.iscomplexobj(reference)
    assert gradient == reference == 0.0


# --- complex cholesky --------------------------------------------------------------------------


def _positive_definite(rng, n):
    b = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return b @ b.conj().T + n * onp.eye(n)


CHOLESKY_WEIGHTS = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))


def cholesky_loss(m, a, upper):
    """A real function of every entry of the factor, real and imaginary parts alike."""
    return m.real(m.sum(CHOLESKY_WEIGHTS * m.linalg.cholesky(a, upper=upper)))


@pytest.mark.parametrize("upper", [False, True], ids=["lower", "upper"])
def test_complex_cholesky_matches_differences_in_both_modes(upper):
    """A = LLᴴ: the rules transposed where they had to conjugate (L⁻ᵀ for L⁻ᴴ, U = Lᵀ for Lᴴ),
    right for real matrices only. Checked in the real and imaginary parts of each entry
    (autograd's convention ∂L/∂x − i ∂L/∂y), since a function of a Cholesky factor is not
    holomorphic; autograd 1.9.1's complex cholesky gradient is wrong too, so differences are
    the reference. numpy reads one triangle only: the gradient of the other is 0 by both."""
    a = _positive_definite(RNG, 3)
    gradient = gradviz.grad(lambda a: cholesky_loss(np, a, upper))(a)
    by_differences = complex_gradient_by_differences(lambda a: cholesky_loss(onp, a, upper), a)
    onp.testing.assert_allclose(gradient, by_differences, atol=1e-6)
    direction = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    _, tangent = gradviz.jvp(lambda a: cholesky_loss(np, a, upper), (a,), (direction,))
    onp.testing.assert_allclose(tangent, finite_difference(lambda a: cholesky_loss(onp, a, upper), a, direction),
                                atol=1e-6)
    assert tangent == pytest.approx(float(onp.real(onp.sum(gradient * direction))), rel=1e-12)


def test_real_cholesky_still_matches_autograd():
    """autograd's gradient is of the symmetric matrix as a whole; folded onto the lower
    triangle numpy reads, they agree."""
    a = onp.real(_positive_definite(RNG, 3))
    weights = onp.real(CHOLESKY_WEIGHTS)
    ours = gradviz.grad(lambda a: np.sum(weights * np.linalg.cholesky(a)))(a)
    theirs = autograd.grad(lambda a: anp.sum(weights * anp.linalg.cholesky(a)))(a)
    onp.testing.assert_allclose(ours, onp.tril(theirs) + onp.triu(theirs, 1).T, rtol=1e-10)
