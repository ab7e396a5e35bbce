"""The rules at the edges of their domains, where a formula that is right on paper loses its
digits to cancellation or overflows: each checked against a reference computed in extended
precision (``numpy.longdouble``) or an analytic limit, and against autograd where autograd is
right. The hypothesis table in ``test_numpy_rules.py`` draws from the middle of each domain;
these are the points it cannot reach."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
import gradviz.scipy.special as special
from gradviz.debug.gradcheck import check_grads

LONG = onp.longdouble


def slope(fun, x):
    """The elementwise derivative of ``fun`` at the points ``x``, by reverse mode."""
    return gradviz.grad(lambda v: np.sum(fun(v)))(onp.asarray(x, dtype=float))


def tangent(fun, x):
    """The same derivative by forward mode."""
    x = onp.asarray(x, dtype=float)
    return gradviz.jvp(fun, (x,), (onp.ones_like(x),))[1]


def assert_close(actual, reference, rtol=4e-15):
    """Relative agreement with a reference, element by element (an exact 0 must be 0)."""
    reference = onp.asarray(reference, dtype=LONG)
    actual = onp.asarray(actual, dtype=LONG)
    scale = onp.maximum(onp.abs(reference), onp.finfo(float).tiny)
    error = onp.abs(actual - reference) / scale
    assert onp.all(error <= rtol), f"relative errors {error.astype(float)}"


# --- tanh: 1 - tanh² is 0 once tanh rounds to 1 ---------------------------------------------

TANH_EDGE = [0.0, 1e-9, 0.5, -3.0, 15.0, -15.0, 19.0, 20.0, 30.0, -40.0, 300.0]


def test_tanh_slope_is_exact_where_tanh_rounds_to_one():
    reference = 1 / onp.cosh(onp.array(TANH_EDGE, dtype=LONG)) ** 2
    assert_close(slope(np.tanh, TANH_EDGE), reference)
    assert_close(tangent(np.tanh, TANH_EDGE), reference)
    assert_close(slope(np.tanh, TANH_EDGE), autograd.elementwise_grad(anp.tanh)(onp.array(TANH_EDGE)),
                 rtol=1e-14)


def test_tanh_slope_at_huge_inputs_is_zero_without_overflow_warnings():
    with onp.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is right
        assert list(slope(np.tanh, [800.0, -1e300])) == [0.0, 0.0]


def test_tanh_slope_where_its_cosh_would_overflow():
    # sech² is 0 in doubles past |x| ≈ 373.3 and cosh overflows past 710.5: the slope is exact
    # through the subnormals, 0 beyond, by both modes, with no overflow or invalid operation.
    x = [350.0, 360.0, 372.0, 373.0, 373.5, 699.9, 700.0, 700.1, 710.0, 711.0, 1e4, onp.inf]
    x += [-v for v in x]
    reference = [1 / onp.cosh(LONG(v)) ** 2 if abs(v) < 1e4 else 0.0 for v in x]
    with onp.errstate(over="raise", invalid="raise", divide="raise"):
        assert_close(slope(np.tanh, x), reference)
        assert_close(tangent(np.tanh, x), reference)


@pytest.mark.parametrize("kind", [float, onp.float64])
def test_tanh_slope_on_scalars_is_exact_too(kind):
    # a scalar takes math's cosh rather than the array calls: the same exact slope, both modes
    for v in TANH_EDGE + [-700.5, 800.0, onp.inf]:
        reference = 1 / onp.cosh(LONG(v)) ** 2 if abs(v) < 1e4 else 0.0
        with onp.errstate(over="raise", invalid="raise", divide="raise"):
            assert_close(gradviz.grad(np.tanh)(kind(v)), reference)
            assert_close(gradviz.jvp(np.tanh, (kind(v),), (1.0,))[1], reference)
    assert type(gradviz.grad(np.tanh)(0.5)) is onp.float64


def test_tanh_second_derivative_at_the_edge():
    x = onp.array([0.0, 0.7, 20.0, -25.0], dtype=LONG)
    reference = -2 * onp.tanh(x) / onp.cosh(x) ** 2
    second = gradviz.elementwise_grad(gradviz.elementwise_grad(np.tanh))
    assert_close(second(onp.array(x, dtype=float)), reference, rtol=1e-14)


# --- prod: y/xᵢ is 0/0 at a zero element ------------------------------------------------------


def others(x, axis=None):
    """Πⱼ≠ᵢ xⱼ by deleting each element in turn: the reference."""
    x = onp.asarray(x, dtype=float)
    if axis is not None:
        return onp.moveaxis(onp.array([others(row) for row in onp.moveaxis(x, axis, 0).T]).T, 0, axis)
    flat = x.ravel()
    return onp.array([onp.prod(onp.delete(flat, i)) for i in range(flat.size)]).reshape(x.shape)


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0], [0.0], [[2.0, 0.0], [3.0, 5.0]]],
                         ids=["one zero", "two zeros", "only a zero", "matrix"])
def test_prod_gradient_at_zero_elements_is_the_product_of_the_others(x):
    x = onp.array(x)
    onp.testing.assert_array_equal(gradviz.grad(np.prod)(x), others(x))
    direction = onp.linspace(0.5, 1.5, x.size).reshape(x.shape)
    assert gradviz.jvp(np.prod, (x,), (direction,))[1] == pytest.approx(onp.sum(others(x) * direction))


def test_prod_gradient_along_an_axis_with_a_zero():
    x = onp.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 4.0, 2.0]])
    weights = onp.array([1.0, -2.0, 0.5])
    gradient = gradviz.grad(lambda x: np.sum(np.prod(x, axis=1) * weights))(x)
    onp.testing.assert_array_equal(gradient, others(x, axis=1) * weights[:, None])
    gradient = gradviz.grad(lambda x: np.sum(np.prod(x, axis=0, keepdims=True) * weights))(x)
    onp.testing.assert_array_equal(gradient, others(x, axis=0) * weights)


def test_prod_hessian_at_a_zero_element():
    """∂²/∂xᵢ∂xⱼ Π x = Πₖ≠ᵢ,ⱼ xₖ, the zero included."""
    x = onp.array([2.0, 0.0, 3.0])
    expected = onp.array([[0.0, 3.0, 0.0], [3.0, 0.0, 2.0], [0.0, 2.0, 0.0]])
    onp.testing.assert_array_equal(gradviz.hessian(np.prod)(x), expected)


def test_prod_hessian_with_two_zeros_is_the_product_of_the_rest():
    """With two zeros the Hessian is Πₖ≠ᵢ,ⱼ xₖ in that pair only (it was 0 everywhere; autograd's
    is nan), and with three the third derivative in the triple is the product of the rest."""
    x = onp.array([0.0, 2.0, 0.0, 3.0])
    expected = onp.zeros((4, 4))
    expected[0, 2] = expected[2, 0] = 6.0
    onp.testing.assert_array_equal(gradviz.hessian(np.prod)(x), expected)
    rows = onp.array([[0.0, 2.0, 0.0], [1.0, 4.0, 0.0]])
    hessian = gradviz.hessian(lambda m: np.sum(np.prod(m, axis=1) * onp.array([1.0, -2.0])))(rows)
    assert hessian[0, 0, 0, 2] == hessian[0, 2, 0, 0] == 2.0
    assert onp.count_nonzero(hessian[0]) == 2  # row 1 has one zero: its Hessian pairs it with each other
    onp.testing.assert_array_equal(hessian[1, 2, 1], [-8.0, -2.0, 0.0])
    third = gradviz.jacobian(gradviz.hessian(np.prod))(onp.array([0.0, 5.0, 0.0, 0.0]))
    assert third[0, 2, 3] == third[3, 0, 2] == 5.0 and onp.count_nonzero(third) == 6


def test_prod_without_zeros_matches_autograd():
    x = onp.array([[1.5, -2.0], [0.5, 3.0]])
    onp.testing.assert_allclose(gradviz.grad(lambda x: np.sum(np.prod(x, axis=0)))(x),
                                autograd.grad(lambda x: anp.sum(anp.prod(x, axis=0)))(x), rtol=1e-15)


# --- clip: bounds that broadcast x to a larger shape ------------------------------------------

X = onp.array([-0.5, 0.3, 2.0])
LOW = onp.array([[0.0], [-1.0]])  # (2, 1): the output is (2, 3), larger than x


CLIPS = {  # gradviz's call, and numpy's for the reference
    "positional": (lambda x: np.clip(x, LOW, 1.0), lambda x: onp.clip(x, LOW, 1.0)),
    "a_min keywords": (lambda x: np.clip(x, a_min=LOW, a_max=1.0), lambda x: onp.clip(x, LOW, 1.0)),
    "min keywords": (lambda x: np.clip(x, min=LOW, max=1.0), lambda x: onp.clip(x, LOW, 1.0)),
    "broadcasting upper bound": (lambda x: np.clip(x, -1.0, LOW + 0.6), lambda x: onp.clip(x, -1.0, LOW + 0.6)),
    "method": (lambda x: x.clip(LOW, 1.0), lambda x: onp.clip(x, LOW, 1.0)),
}
WEIGHTS = onp.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])


@pytest.mark.parametrize("name", CLIPS)
def test_clip_with_bounds_that_broadcast_x(name):
    clipped, reference = CLIPS[name]
    inside = (reference(X) == X) * 1.0  # clipping leaves x where it is inside its bounds
    gradient = gradviz.grad(lambda x: np.sum(clipped(x) * WEIGHTS))(X)
    onp.testing.assert_array_equal(gradient, onp.sum(inside * WEIGHTS, axis=0))
    direction = onp.array([1.0, 10.0, 100.0])
    onp.testing.assert_array_equal(gradviz.jvp(clipped, (X,), (direction,))[1], inside * direction)


def test_clip_with_broadcasting_bounds_matches_finite_differences():
    """(autograd 1.9.1 returns a gradient of the output's shape (2, 3) here, not x's.)"""
    check_grads(lambda x: np.clip(x, LOW, 1.0) * WEIGHTS, X, modes=("fwd", "rev"), order=1)
    check_grads(lambda x: np.clip(x, a_min=-1.0, a_max=LOW + 0.6), X, modes=("fwd", "rev"), order=1)


# --- the audit's other findings: each formula loses its digits at an edge ---------------------

EDGES = {  # rule, points at its edges, the derivative in extended precision
    "expm1": (np.expm1, [-40.0, -745.0, -1e-10, 0.0, 700.0], lambda x: onp.exp(x)),
    "arcsin": (np.arcsin, [-0.999999999, 1e-8, 0.999999999, 1 - 2.0**-52], lambda x: 1 / onp.sqrt((1 - x) * (1 + x))),
    "arccos": (np.arccos, [-0.999999999, 0.999999999], lambda x: -1 / onp.sqrt((1 - x) * (1 + x))),
    "arctanh": (np.arctanh, [-0.999999999, 0.5, 1 - 2.0**-52], lambda x: 1 / ((1 - x) * (1 + x))),
    "arcsinh": (np.arcsinh, [-1e200, 0.0, 1e10, 1e200], lambda x: 1 / onp.sqrt(x * x + 1)),
    "arccosh": (np.arccosh, [1 + 2.0**-52, 1 + 1e-10, 2.0, 1e200], lambda x: 1 / onp.sqrt((x - 1) * (x + 1))),
    "sinc": (np.sinc, [1e-10, -1e-5, 0.05, 0.0999, 0.1, 0.5, 100.0], lambda x: sinc_slope(x)),
    # ans·(1 − ans) is 0 once expit rounds to 1, and loses digits well before
    "expit": (lambda x: special.expit(x), [-40.0, -3.0, 0.0, 20.0, 37.0, 40.0, 100.0],
              lambda x: onp.exp(-onp.abs(x)) / (1 + onp.exp(-onp.abs(x))) ** 2),
}


def sinc_slope(x):
    """sinc′ in extended precision: its Taylor series (12 terms) below 0.2, where the closed
    form cancels even in long double, the closed form above."""
    import math

    pi = LONG("3.14159265358979323846264338327950288")
    series = sum((-1) ** k * 2 * k * pi ** (2 * k) * x ** (2 * k - 1) / LONG(math.factorial(2 * k + 1))
                 for k in range(1, 13))
    closed = (onp.cos(pi * x) - onp.sin(pi * x) / (pi * x)) / x
    return onp.where(onp.abs(x) < 0.2, series, closed)


@pytest.mark.parametrize("name", EDGES)
def test_slopes_at_the_edges_of_the_domain(name):
    fun, points, reference = EDGES[name]
    expected = reference(onp.array(points, dtype=LONG))
    assert_close(slope(fun, points), expected, rtol=2e-14)
    assert_close(tangent(fun, points), expected, rtol=2e-14)


def test_sinc_slope_at_zero_is_zero_and_its_curvature_is_right():
    assert slope(np.sinc, [0.0])[0] == 0.0
    curvature = gradviz.elementwise_grad(gradviz.elementwise_grad(np.sinc))(onp.array([0.0, 0.05]))
    assert curvature[0] == pytest.approx(-onp.pi**2 / 3, rel=1e-14)
    assert curvature[1] == pytest.approx(autograd.elementwise_grad(autograd.elementwise_grad(anp.sinc))(0.05), rel=1e-9)


# --- Python floats, infinities and zero lengths: a finite derivative, not an error or a NaN -------


def test_power_of_python_floats_at_zero_is_numpys_infinite_slope():
    """0.0 ** -0.5 raised ZeroDivisionError inside the rule (a RuleError); numpy says ∞."""
    with onp.errstate(divide="ignore"):
        assert gradviz.grad(lambda x: np.power(x, 0.5))(0.0) == onp.inf
        assert gradviz.jvp(lambda x: np.power(x, 0.5), (0.0,), (1.0,))[1] == onp.inf
    assert gradviz.grad(lambda x: np.power(x, 0.5))(4.0) == 0.25
    assert gradviz.grad(lambda x: x ** 3.0)(0.0) == 0.0


INF = onp.inf
#: (x, y, ∂/∂x, ∂/∂y): where exp(x − ans) is ∞ − ∞, its limit (½ each for equal arguments,
#: as at any finite x = y; all of it to the larger one). autograd 1.9.1 gives nan at the first four.
LOGADDEXP_EDGES = [(INF, INF, 0.5, 0.5), (-INF, -INF, 0.5, 0.5), (INF, -INF, 1.0, 0.0), (INF, 1.0, 1.0, 0.0),
                   (-INF, 1.0, 0.0, 1.0), (2.0, 2.0, 0.5, 0.5), (800.0, -800.0, 1.0, 0.0)]


@pytest.mark.parametrize("function", [np.logaddexp, np.logaddexp2], ids=["logaddexp", "logaddexp2"])
@pytest.mark.parametrize("edge", LOGADDEXP_EDGES, ids=[f"{x},{y}" for x, y, *_ in LOGADDEXP_EDGES])
def test_logaddexp_slopes_at_infinite_arguments(function, edge):
    x, y, slope_x, slope_y = edge
    with onp.errstate(invalid="raise"):
        assert gradviz.grad(function, argnum=(0, 1))(x, y) == pytest.approx((slope_x, slope_y), rel=1e-15)
        assert gradviz.jvp(function, (x, y), (1.0, 0.0))[1] == pytest.approx(slope_x, rel=1e-15)
        assert gradviz.jvp(function, (x, y), (0.0, 1.0))[1] == pytest.approx(slope_y, rel=1e-15)


def test_logaddexp_at_finite_arguments_is_autograds():
    x, y = onp.array([3.0, -2.0, 0.0]), onp.array([-1.0, 5.0, 0.0])
    for ours, theirs in [(np.logaddexp, anp.logaddexp), (np.logaddexp2, anp.logaddexp2)]:
        expected = autograd.grad(lambda a, b: anp.sum(theirs(a, b)), argnum=(0, 1))(x, y)
        onp.testing.assert_allclose(gradviz.grad(lambda a, b: np.sum(ours(a, b)), argnum=(0, 1))(x, y), expected,
                                    rtol=1e-15)


#: Lengths at 0: every vector of length ≤ 1 is a subgradient there; gradviz takes 0, the smallest
#: (a regulariser ‖w‖ at w = 0 then leaves w where it is; autograd 1.9.1 gives nan).
ZERO_LENGTHS = {
    "hypot": (lambda v: np.hypot(v[0], v[1]), onp.zeros(2)),
    "norm": (np.linalg.norm, onp.zeros(3)),
    "norm ord=3": (lambda v: np.linalg.norm(v, 3), onp.zeros(3)),
    "norm fro": (np.linalg.norm, onp.zeros((2, 2))),
    "norm rows": (lambda m: np.sum(np.linalg.norm(m, axis=1)), onp.array([[0.0, 0.0], [3.0, 4.0]])),
    "std": (np.std, onp.full(3, 2.0)),
    "abs complex": (lambda v: np.abs(v[0] + 1j * v[1]), onp.zeros(2)),
    "norm complex": (lambda v: np.linalg.norm(v[:2] + 1j * v[2:]), onp.zeros(4)),
}


@pytest.mark.parametrize("name", ZERO_LENGTHS)
def test_a_length_at_zero_has_the_zero_subgradient(name):
    fun, x = ZERO_LENGTHS[name]
    expected = onp.zeros_like(x)
    if name == "norm rows":
        expected[1] = [0.6, 0.8]
    with onp.errstate(invalid="raise", divide="raise"):
        onp.testing.assert_array_equal(gradviz.grad(fun)(x), expected)
        for k in range(x.size):
            direction = onp.zeros(x.size)
            direction[k] = 1.0
            tangent = gradviz.jvp(fun, (x,), (direction.reshape(x.shape),))[1]
            assert tangent == expected.ravel()[k]


def test_a_p_norm_with_a_zero_element_is_finite_and_right():
    """x·|x|^(p−2) is 0·∞ at a zero element when p < 2; its slope there is 0 (checked by
    differences, which are symmetric about the zero)."""
    x = onp.array([0.0, 1.0, -2.0])
    for p in (1.5, 3.0):
        check_grads(lambda v: np.linalg.norm(v, p), x, modes=("fwd", "rev"), order=1)
        with onp.errstate(divide="ignore", invalid="ignore"):  # autograd's nan at the zero
            theirs = autograd.grad(lambda v: anp.linalg.norm(v, p))(x)
        onp.testing.assert_allclose(gradviz.grad(lambda v: np.linalg.norm(v, p))(x)[1:], theirs[1:], rtol=1e-14)
        assert gradviz.grad(lambda v: np.linalg.norm(v, p))(x)[0] == 0.0


def test_xlogy_slope_in_y_where_x_is_zero():
    """xlogy(0, y) is 0 for every y, so its slope in y is 0, even at y = 0 (x/y was 0/0)."""
    with onp.errstate(invalid="raise", divide="raise"):
        assert gradviz.grad(lambda y: special.xlogy(0.0, y))(0.0) == 0.0
        assert gradviz.grad(lambda y: special.xlog1py(0.0, y))(-1.0) == 0.0
    assert gradviz.grad(lambda y: special.xlogy(2.0, y))(0.5) == 4.0
