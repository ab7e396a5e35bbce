"""Every rule of gradviz.scipy: forward mode against finite differences, reverse mode against
forward mode, second order where smooth, and values against scipy's and autograd's."""

from __future__ import annotations

import autograd
import autograd.scipy.special as asp
import numpy as onp
import pytest
import scipy.linalg
import scipy.signal
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

import gradviz
import gradviz.numpy as np
from gradviz.debug.gradcheck import check_grads
from gradviz.errors import RuleError
from gradviz.rules.scipy_rules import SCIPY_RULES
from gradviz.scipy import integrate, linalg, signal, special, stats

# --- special functions: each row, drawn from its own domain -----------------------------------


def _draw(domain, shape, rng):
    return rng.uniform(domain.low, domain.high, shape)


# name → the function of the differentiated argument
SPECIAL = {
    "gamma": lambda x: special.gamma(x),
    "gammaln": lambda x: special.gammaln(x),
    "digamma": lambda x: special.digamma(x),
    "polygamma": lambda x: special.polygamma(2, x),
    "rgamma": lambda x: special.rgamma(x),
    "multigammaln": lambda x: special.multigammaln(x + 1.0, 3),
    "beta": lambda x: special.beta(x, x[::-1] + 0.5),
    "betaln": lambda x: special.betaln(x + 0.3, x[::-1]),
    "betainc": lambda x: special.betainc(2.0, 3.0, x),
    "gammainc": lambda x: special.gammainc(1.5, x),
    "gammaincc": lambda x: special.gammaincc(2.5, x),
    "erf": lambda x: special.erf(x),
    "erfc": lambda x: special.erfc(x),
    "erfinv": lambda x: special.erfinv(x),
    "erfcinv": lambda x: special.erfcinv(x),
    "expit": lambda x: special.expit(x),
    "logit": lambda x: special.logit(x),
    "xlogy": lambda x: special.xlogy(x, x[::-1]),
    "xlog1py": lambda x: special.xlog1py(x, x[::-1]),
    "j0": lambda x: special.j0(x),
    "j1": lambda x: special.j1(x),
    "jn": lambda x: special.jn(3, x),
    "y0": lambda x: special.y0(x),
    "y1": lambda x: special.y1(x),
    "yn": lambda x: special.yn(2, x),
    "i0": lambda x: special.i0(x),
    "i1": lambda x: special.i1(x),
    "iv": lambda x: special.iv(1.5, x),
    "ive": lambda x: special.ive(0.5, x),
    "logsumexp": lambda x: special.logsumexp(x),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_function(name):
    domain = SCIPY_RULES[name].info["domain"]
    x = _draw(domain, (4,), onp.random.default_rng(0))
    check_grads(SPECIAL[name], x, order=2)


@given(seed=st.integers(0, 10_000), name=st.sampled_from(["gammaln", "erfinv", "betainc", "iv"]))
def test_special_function_random_points(seed, name):
    domain = SCIPY_RULES[name].info["domain"]
    check_grads(SPECIAL[name], _draw(domain, (3,), onp.random.default_rng(seed)), order=1)


def test_every_special_function_is_covered():
    assert set(special.__all__) - {"psi"} == set(SPECIAL)
    for name in special.__all__:
        primitive = getattr(special, name)
        assert primitive.jvps and primitive.vjps and set(primitive.jvps) == set(primitive.vjps), name


@pytest.mark.parametrize("kwargs", [{"axis": 1}, {"axis": 0, "keepdims": True}, {"b": onp.array([[1.0, 2.0, 0.5]])}])
def test_logsumexp_options(kwargs):
    x = onp.random.default_rng(1).standard_normal((2, 3))
    check_grads(lambda x: special.logsumexp(x, **kwargs), x, order=2)
    onp.testing.assert_allclose(special.logsumexp(x, **kwargs), scipy.special.logsumexp(x, **kwargs))


@pytest.mark.parametrize("ours, theirs", [
    (special.gammaln, asp.gammaln), (special.digamma, asp.digamma), (special.erfinv, asp.erfinv),
    (special.i1, asp.i1), (special.expit, asp.expit),
])
def test_special_gradient_matches_autograd(ours, theirs):
    x = onp.array([0.3, 0.5, 0.7])
    onp.testing.assert_allclose(gradviz.elementwise_grad(ours)(x), autograd.elementwise_grad(theirs)(x), rtol=1e-10)


def test_shape_parameter_without_derivative_names_the_argument():
    with pytest.raises(RuleError, match=r"'gammainc' \(argument 0\)"):
        gradviz.grad(lambda a: special.gammainc(a, 2.0))(1.5)


# --- stats: values against scipy.stats, derivatives in every argument ------------------------

X = onp.array([0.3, 0.6, 0.8])
STATS = [
    ("norm.logpdf", stats.norm.logpdf, scipy.stats.norm.logpdf, (X, 0.2, 1.3), 2),
    ("norm.pdf", stats.norm.pdf, scipy.stats.norm.pdf, (X, 0.2, 1.3), 2),
    ("norm.cdf", stats.norm.cdf, scipy.stats.norm.cdf, (X, 0.2, 1.3), 2),
    ("norm.logcdf", stats.norm.logcdf, scipy.stats.norm.logcdf, (X, 0.2, 1.3), 2),
    ("norm.sf", stats.norm.sf, scipy.stats.norm.sf, (X, 0.2, 1.3), 2),
    ("norm.logsf", stats.norm.logsf, scipy.stats.norm.logsf, (X, 0.2, 1.3), 2),
    ("t.logpdf", stats.t.logpdf, scipy.stats.t.logpdf, (X, 3.5, 0.1, 1.2), 2),
    ("t.pdf", stats.t.pdf, scipy.stats.t.pdf, (X, 3.5, 0.1, 1.2), 2),
    ("t.cdf", stats.t.cdf, scipy.stats.t.cdf, (X - 0.5, 3.5), 1),
    ("t.logcdf", stats.t.logcdf, scipy.stats.t.logcdf, (X, 3.5), 1),
    ("gamma.logpdf", stats.gamma.logpdf, scipy.stats.gamma.logpdf, (X + 1, 2.5, 0.1, 1.5), 2),
    ("gamma.pdf", stats.gamma.pdf, scipy.stats.gamma.pdf, (X + 1, 2.5), 2),
    ("gamma.cdf", stats.gamma.cdf, scipy.stats.gamma.cdf, (X + 1, 2.5), 1),
    ("beta.logpdf", stats.beta.logpdf, scipy.stats.beta.logpdf, (X, 2.5, 1.5), 2),
    ("beta.pdf", stats.beta.pdf, scipy.stats.beta.pdf, (X, 2.5, 1.5), 2),
    ("beta.cdf", stats.beta.cdf, scipy.stats.beta.cdf, (X, 2.5, 1.5), 1),
    ("chi2.logpdf", stats.chi2.logpdf, scipy.stats.chi2.logpdf, (X + 1, 3.5), 2),
    ("chi2.pdf", stats.chi2.pdf, scipy.stats.chi2.pdf, (X + 1, 3.5), 2),
    ("chi2.cdf", stats.chi2.cdf, scipy.stats.chi2.cdf, (X + 1, 3.5), 1),
]


@pytest.mark.parametrize("name, ours, theirs, args, order", STATS, ids=[s[0] for s in STATS])
def test_stats_value_and_derivatives(name, ours, theirs, args, order):
    onp.testing.assert_allclose(ours(*args), theirs(*args), rtol=1e-10)
    shape_params_fixed = order == 1  # cdfs: differentiable in x only
    if shape_params_fixed:
        check_grads(lambda x: ours(x, *args[1:]), args[0], order=1)
    else:
        check_grads(ours, *[onp.asarray(a, dtype=float) for a in args], order=2)


def test_poisson_in_mu():
    k, mu = onp.array([0.0, 2.0, 5.0]), onp.array([1.5, 2.5, 4.0])
    onp.testing.assert_allclose(stats.poisson.logpmf(k, mu), scipy.stats.poisson.logpmf(k, mu))
    onp.testing.assert_allclose(stats.poisson.pmf(k, mu), scipy.stats.poisson.pmf(k, mu))
    onp.testing.assert_allclose(stats.poisson.cdf(k, mu), scipy.stats.poisson.cdf(k, mu))
    for fun in (stats.poisson.logpmf, stats.poisson.pmf, stats.poisson.cdf):
        check_grads(lambda mu: fun(k, mu), mu, order=2)


def test_multivariate_normal():
    rng = onp.random.default_rng(2)
    x, mean = rng.standard_normal((4, 3)), rng.standard_normal(3)
    b = rng.standard_normal((3, 3))
    cov = b @ b.T + 3 * onp.eye(3)
    mvn = scipy.stats.multivariate_normal
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x, mean, cov), mvn.logpdf(x, mean, cov))
    onp.testing.assert_allclose(stats.multivariate_normal.pdf(x[0], mean, cov), mvn.pdf(x[0], mean, cov))
    onp.testing.assert_allclose(stats.multivariate_normal.entropy(mean, cov), mvn.entropy(mean, cov))
    check_grads(stats.multivariate_normal.logpdf, x, mean, cov, order=2)
    check_grads(lambda c: stats.multivariate_normal.entropy(mean, c), cov, order=2)


@pytest.mark.parametrize("cov", [1.0, 2.5, onp.array([1.5, 0.7]), onp.array([[2.0, 0.3], [0.3, 1.0]])],
                         ids=["default", "scalar", "diagonal", "matrix"])
def test_multivariate_normal_reads_cov_as_scipy_does(cov):
    x, mean = onp.array([[0.3, -0.2], [1.0, 0.5]]), onp.array([0.1, 0.2])
    mvn = scipy.stats.multivariate_normal
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x, mean, cov), mvn.logpdf(x, mean, cov))
    onp.testing.assert_allclose(stats.multivariate_normal.entropy(mean, cov), mvn.entropy(mean, cov))
    check_grads(lambda c: stats.multivariate_normal.logpdf(x, mean, c), cov, order=1)


def test_multivariate_normal_defaults():
    x = onp.array([0.3, -0.2])
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x),
                                scipy.stats.multivariate_normal.logpdf(x, onp.zeros(2)))
    onp.testing.assert_allclose(stats.multivariate_normal.entropy(), scipy.stats.multivariate_normal.entropy())


def test_dirichlet():
    x, alpha = onp.array([0.2, 0.3, 0.5]), onp.array([1.5, 2.0, 3.0])
    onp.testing.assert_allclose(stats.dirichlet.logpdf(x, alpha), scipy.stats.dirichlet.logpdf(x, alpha))
    onp.testing.assert_allclose(stats.dirichlet.pdf(x, alpha), scipy.stats.dirichlet.pdf(x, alpha))
    check_grads(stats.dirichlet.logpdf, x, alpha, order=2)


# --- scipy.linalg -------------------------------------------------------------------------------


def _triangular(rng, lower):
    a = rng.standard_normal((3, 3)) + 3 * onp.eye(3)
    return onp.tril(a) if lower else onp.triu(a)


@pytest.mark.parametrize("trans", [0, 1, "T"])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("b_shape", [(3,), (3, 2)])
def test_solve_triangular(trans, lower, b_shape):
    rng = onp.random.default_rng(3)
    a, b = _triangular(rng, lower), rng.standard_normal(b_shape)
    f = lambda a, b: linalg.solve_triangular(a, b, trans=trans, lower=lower)  # noqa: E731
    onp.testing.assert_allclose(f(a, b), scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower))
    check_grads(f, a, b, order=2)


def test_solve_triangular_unit_diagonal():
    rng = onp.random.default_rng(4)
    check_grads(lambda a, b: linalg.solve_triangular(a, b, lower=True, unit_diagonal=True),
                _triangular(rng, True), rng.standard_normal(3), order=2)


def test_sqrtm_and_sylvester():
    rng = onp.random.default_rng(5)
    b = rng.standard_normal((3, 3))
    spd = b @ b.T + 3 * onp.eye(3)
    check_grads(linalg.sqrtm, spd, order=2)
    a, c, q = spd, spd + onp.eye(3), rng.standard_normal((3, 3))
    check_grads(linalg.solve_sylvester, a, c, q, order=2)
    onp.testing.assert_allclose(linalg.sqrtm(spd) @ linalg.sqrtm(spd), spd)


def test_scipy_cholesky_is_upper_by_default():
    rng = onp.random.default_rng(6)
    b = rng.standard_normal((3, 3))
    spd = b @ b.T + 3 * onp.eye(3)
    onp.testing.assert_allclose(linalg.cholesky(spd), scipy.linalg.cholesky(spd))
    check_grads(linalg.cholesky, spd, order=2)


# --- scipy.signal.convolve ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((5,), (3,)), ((3,), (5,)), ((4, 3), (2, 2))])
def test_convolve(mode, shapes):
    rng = onp.random.default_rng(7)
    a, b = (rng.standard_normal(s) for s in shapes)
    # In "valid" mode with the first input the shorter, scipy swaps them: still a centered
    # window of the full convolution, which the comparison below covers.
    onp.testing.assert_allclose(signal.convolve(a, b, mode), scipy.signal.convolve(a, b, mode))
    check_grads(lambda a, b: signal.convolve(a, b, mode), a, b, order=2)


def test_convolve_is_one_node():
    ops = [n.op for n in gradviz.trace(lambda a, b: signal.convolve(a, b, "same"), onp.ones(4), onp.ones(2))]
    assert ops == ["input", "input", "convolve"]


# --- scipy.integrate.odeint ---------------------------------------------------------------------


def _decay(y, t, k, c):
    return -k * y + c * np.sin(t)


def test_odeint_against_closed_form():
    """y' = −k y, y(0) = y0: ∂y/∂y0 = e^(−kt), ∂y/∂k = −t·y0·e^(−kt)."""
    times = onp.array([0.0, 0.5, 1.0])
    y0, k = onp.array([2.0]), onp.array(0.7)
    final = lambda y0, k: integrate.odeint(_decay, y0, times, (k, 0.0))[-1, 0]  # noqa: E731
    onp.testing.assert_allclose(gradviz.grad(final, 0)(y0, k), [onp.exp(-0.7)], rtol=1e-6)
    onp.testing.assert_allclose(gradviz.grad(final, 1)(y0, k), -2.0 * onp.exp(-0.7), rtol=1e-6)


def test_odeint_both_modes():
    times = onp.linspace(0.0, 1.0, 4)
    y0, k, c = onp.array([1.0, -0.5]), onp.array([0.3, 1.2]), onp.array(0.8)
    check_grads(lambda y0, k, c: integrate.odeint(_decay, y0, times, (k, c)), y0, k, c, order=1, rtol=1e-4)


def test_odeint_refuses_second_order():
    times = onp.array([0.0, 1.0])
    with pytest.raises(RuleError, match="first derivatives only"):
        gradviz.hessian(lambda y0: np.sum(integrate.odeint(_decay, y0, times, (0.5, 0.0)) ** 2))(onp.array([1.0]))


def test_odeint_times_have_no_rule():
    with pytest.raises(RuleError, match=r"'odeint' \(argument 2\)"):
        gradviz.grad(lambda t: np.sum(integrate.odeint(_decay, onp.array([1.0]), t, (0.5, 0.0))))(onp.array([0.0, 1.0]))
