"""Every rule of gradviz.scipy: forward mode against finite differences, reverse mode against
forward mode, second order where smooth, and values against scipy's and autograd's."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import autograd.scipy.integrate as aint
import autograd.scipy.signal as asig
import autograd.scipy.special as asp
import autograd.scipy.stats as ast
import autograd.scipy.stats.multivariate_normal as amvn
import numpy as onp
import pytest
import scipy.linalg
import scipy.signal
import scipy.special
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
    "ndtr": lambda x: special.ndtr(x),
    "log_ndtr": lambda x: special.log_ndtr(x),
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
    assert set(special.__all__) - {"psi", "gammasgn"} == set(SPECIAL)
    for name in set(SPECIAL):
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


def test_gammasgn_is_scipys_with_a_zero_derivative_as_autograd():
    x = onp.array([-2.5, -0.5, 0.5, 3.0])
    onp.testing.assert_array_equal(special.gammasgn(x), scipy.special.gammasgn(x))
    f = lambda x: np.sum(special.gammasgn(x) * special.gammaln(np.abs(x)))  # noqa: E731
    g = lambda x: anp.sum(asp.gammasgn(x) * asp.gammaln(anp.abs(x)))  # noqa: E731
    onp.testing.assert_allclose(gradviz.grad(f)(x), autograd.grad(g)(x), rtol=1e-12)


def test_log_ndtr_stays_finite_in_the_far_tail():
    x = onp.array([-40.0, -5.0, 0.0, 6.0])
    onp.testing.assert_allclose(special.log_ndtr(x), scipy.special.log_ndtr(x), rtol=1e-14)
    onp.testing.assert_allclose(gradviz.elementwise_grad(special.log_ndtr)(x),
                                autograd.elementwise_grad(ast.norm.logcdf)(x), rtol=1e-10)


def test_other_scipy_special_functions_pass_through_untraced():
    onp.testing.assert_allclose(special.zeta(onp.array([2.0, 3.0])), scipy.special.zeta(onp.array([2.0, 3.0])))
    with pytest.raises(RuleError, match=r"gradviz\.scipy\.special\.zeta has no derivative rule"):
        gradviz.grad(lambda x: special.zeta(x))(2.0)


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


def test_t_cdf_derivative_at_its_center_is_the_density():
    """Through betainc(ν/2, 1/2, ν/(ν+z²)) the derivative at z = 0 came out ∞·0."""
    x = onp.array([0.1, 0.4])
    onp.testing.assert_allclose(gradviz.elementwise_grad(lambda x: stats.t.cdf(x, 3.5, 0.1, 1.2))(x),
                                scipy.stats.t.pdf(x, 3.5, 0.1, 1.2), rtol=1e-12)
    check_grads(lambda x, loc, scale: stats.t.cdf(x, 3.5, loc, scale), x, onp.array(0.1), onp.array(1.2), order=2)


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


def test_multivariate_normal_defaults_as_scipy():
    """With no mean the dimension comes from cov: the default is one-dimensional, so a vector
    is that many points (scipy's reading)."""
    x = onp.array([0.3, -0.2])
    mvn = scipy.stats.multivariate_normal
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x), mvn.logpdf(x))
    onp.testing.assert_allclose(stats.multivariate_normal.logpdf(x, onp.zeros(2)), mvn.logpdf(x, onp.zeros(2)))
    onp.testing.assert_allclose(stats.multivariate_normal.entropy(), mvn.entropy())


def test_multivariate_normal_one_point_is_a_scalar_as_in_scipy():
    x, mean, cov = onp.array([[0.3, -0.2]]), onp.zeros(2), onp.array([[2.0, 0.3], [0.3, 1.0]])
    ours, theirs = stats.multivariate_normal.logpdf(x, mean, cov), scipy.stats.multivariate_normal.logpdf(x, mean, cov)
    assert onp.shape(ours) == onp.shape(theirs) == ()
    onp.testing.assert_allclose(ours, theirs)


def test_multivariate_normal_allow_singular_as_scipy_and_autograd():
    cov = onp.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]])  # rank 2
    x, mean = onp.array([[0.4, 0.4, -0.3], [0.1, -0.2, 0.5]]), onp.array([0.1, 0.1, 0.2])
    mvn = scipy.stats.multivariate_normal
    ours = stats.multivariate_normal.logpdf(x, mean, cov, allow_singular=True)
    onp.testing.assert_allclose(ours, mvn.logpdf(x, mean, cov, allow_singular=True))
    assert onp.isfinite(ours[0]) and ours[1] == -onp.inf   # the second point is off the support
    onp.testing.assert_allclose(stats.multivariate_normal.pdf(x, mean, cov, allow_singular=True),
                                mvn.pdf(x, mean, cov, allow_singular=True))
    for argnum in (0, 1):
        f = lambda x, m: stats.multivariate_normal.logpdf(x, m, cov, allow_singular=True)  # noqa: E731
        g = lambda x, m: amvn.logpdf(x, m, cov, allow_singular=True)  # noqa: E731
        onp.testing.assert_allclose(gradviz.grad(f, argnum)(x[0], mean), autograd.grad(g, argnum)(x[0], mean), rtol=1e-10)
    with pytest.raises(RuleError, match="allow_singular=True has no derivative in cov"):
        gradviz.grad(lambda c: stats.multivariate_normal.logpdf(x[0], mean, c, allow_singular=True))(cov)


def test_multivariate_normal_gradients_match_autograd():
    rng = onp.random.default_rng(8)
    x, mean, b = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((3, 3))
    cov = b @ b.T + 2 * onp.eye(3)
    for ours, theirs in ((stats.multivariate_normal.logpdf, amvn.logpdf), (stats.multivariate_normal.pdf, amvn.pdf)):
        for argnum in range(3):
            expected = autograd.grad(lambda *a: anp.sum(theirs(*a)), argnum)(x, mean, cov)
            onp.testing.assert_allclose(gradviz.grad(lambda *a: np.sum(ours(*a)), argnum)(x, mean, cov), expected, rtol=1e-9)
    onp.testing.assert_allclose(gradviz.grad(stats.multivariate_normal.entropy, 1)(mean, cov),
                                autograd.grad(amvn.entropy, 1)(mean, cov), rtol=1e-10)


def test_distributions_are_modules_as_in_autograd():
    import gradviz.scipy.stats.multivariate_normal as mvn
    import gradviz.scipy.stats.norm as norm
    from gradviz.scipy.stats import beta, chi2, dirichlet, gamma, poisson, t

    for module in (mvn, norm, beta, chi2, dirichlet, gamma, poisson, t):
        assert type(module).__name__ == "module"
        assert set(module.__all__) >= set(n for n in dir(getattr(ast, module.__name__.rsplit(".", 1)[1]))
                                          if n in {"logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "logpmf",
                                                   "pmf", "entropy", "rvs"})
        assert "rvs" in module.__all__


@pytest.mark.parametrize("name, args", [
    ("norm", (0.5, 2.0)), ("t", (3.0,)), ("gamma", (2.0,)), ("beta", (2.0, 3.0)), ("chi2", (4.0,)),
    ("poisson", (3.0,)), ("multivariate_normal", (onp.zeros(2), onp.eye(2))), ("dirichlet", (onp.ones(3),)),
])
def test_rvs_draws_as_scipy(name, args):
    ours = getattr(stats, name).rvs(*args, size=3, random_state=onp.random.RandomState(0))
    theirs = getattr(scipy.stats, name).rvs(*args, size=3, random_state=onp.random.RandomState(0))
    onp.testing.assert_array_equal(ours, theirs)


def test_rvs_refuses_a_traced_parameter():
    with pytest.raises(RuleError, match=r"gradviz\.scipy\.stats\.norm\.rvs has no derivative rule"):
        gradviz.grad(lambda mu: np.sum(stats.norm.rvs(mu, 1.0, size=2)))(0.5)


# name, ours, autograd's, arguments (all differentiated that autograd differentiates)
AUTOGRAD_STATS = [
    ("norm.logpdf", stats.norm.logpdf, ast.norm.logpdf, (X, 0.2, 1.3), (0, 1, 2)),
    ("norm.pdf", stats.norm.pdf, ast.norm.pdf, (X, 0.2, 1.3), (0, 1, 2)),
    ("norm.cdf", stats.norm.cdf, ast.norm.cdf, (X, 0.2, 1.3), (0, 1, 2)),
    ("norm.logcdf", stats.norm.logcdf, ast.norm.logcdf, (X - 9, 0.2, 1.3), (0, 1, 2)),
    ("norm.sf", stats.norm.sf, ast.norm.sf, (X, 0.2, 1.3), (0, 1, 2)),
    ("norm.logsf", stats.norm.logsf, ast.norm.logsf, (X + 9, 0.2, 1.3), (0, 1, 2)),
    ("t.logpdf", stats.t.logpdf, ast.t.logpdf, (X, 3.5, 0.1, 1.2), (0, 1, 2, 3)),
    ("t.pdf", stats.t.pdf, ast.t.pdf, (X, 3.5, 0.1, 1.2), (0, 1, 2, 3)),
    ("t.cdf", stats.t.cdf, ast.t.cdf, (X - 0.5, 3.5, 0.1, 1.2), (0, 2)),  # autograd: x and loc only
    ("gamma.logpdf", stats.gamma.logpdf, ast.gamma.logpdf, (X + 1, 2.5), (0, 1)),
    ("gamma.cdf", stats.gamma.cdf, ast.gamma.cdf, (X + 1, 2.5), (0,)),
    ("beta.logpdf", stats.beta.logpdf, ast.beta.logpdf, (X, 2.5, 1.5), (0, 1, 2)),
    ("beta.cdf", stats.beta.cdf, ast.beta.cdf, (X, 2.5, 1.5), (0,)),
    # autograd's chi2 derivative is zero for a non-integer df: compared at an integer one
    ("chi2.logpdf", stats.chi2.logpdf, ast.chi2.logpdf, (X + 1, 3.0), (0,)),
    ("chi2.cdf", stats.chi2.cdf, ast.chi2.cdf, (X + 1, 3.5), (0,)),
    ("poisson.logpmf", stats.poisson.logpmf, ast.poisson.logpmf, (onp.array([0.0, 2.0, 5.0]), X + 1), (1,)),
    ("poisson.cdf", stats.poisson.cdf, ast.poisson.cdf, (onp.array([0.0, 2.0, 5.0]), X + 1), (1,)),
    ("dirichlet.logpdf", stats.dirichlet.logpdf, ast.dirichlet.logpdf, (X / X.sum(), onp.array([1.5, 2.0, 3.0])), ()),
]


@pytest.mark.parametrize("name, ours, theirs, args, argnums", AUTOGRAD_STATS, ids=[s[0] for s in AUTOGRAD_STATS])
def test_stats_match_autograd(name, ours, theirs, args, argnums):
    args = tuple(onp.asarray(a, dtype=float) for a in args)
    onp.testing.assert_allclose(ours(*args), theirs(*args), rtol=1e-10)
    for argnum in argnums:
        expected = autograd.grad(lambda *a: anp.sum(theirs(*a)), argnum)(*args)
        onp.testing.assert_allclose(gradviz.grad(lambda *a: np.sum(ours(*a)), argnum)(*args), expected,
                                    rtol=1e-8, err_msg=f"argument {argnum}")


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


def test_every_other_scipy_linalg_function_passes_through_untraced():
    rng = onp.random.default_rng(11)
    a = rng.standard_normal((3, 3)) + 3 * onp.eye(3)
    for name in ("expm", "logm", "lu_factor", "qr", "schur", "hessenberg", "inv", "det", "pinv", "eigvals"):
        ours, theirs = getattr(linalg, name)(a), getattr(scipy.linalg, name)(a)
        for x, y in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,)):
            onp.testing.assert_array_equal(x, y, err_msg=name)
    banded = onp.ones((3, 4)) + 2
    onp.testing.assert_array_equal(linalg.solve_banded((1, 1), banded, onp.ones(4)),
                                   scipy.linalg.solve_banded((1, 1), banded, onp.ones(4)))
    assert linalg.LinAlgError is scipy.linalg.LinAlgError
    with pytest.raises(RuleError, match=r"gradviz\.scipy\.linalg\.expm has no derivative rule, but its argument 0 is traced"):
        gradviz.grad(lambda a: np.sum(linalg.expm(a)))(a)


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


CONVOLUTIONS = [  # shapes, axes, dot_axes: a convolutional layer, its other order, odd pairings
    (((2, 3, 6, 5), (3, 4, 3, 2)), ([2, 3], [2, 3]), ([1], [0])),
    (((6, 2, 3), (3, 2, 4, 2)), ([0], [2]), ([1], [1])),
    (((3, 5), (4, 2)), ([1], [1]), ((), ())),
    (((2, 5, 3), (3, 4, 2)), ([1, 0], [1, 2]), ([2], [0])),
]


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes, axes, dot_axes", CONVOLUTIONS)
def test_convolve_along_axes_as_autograd(mode, shapes, axes, dot_axes):
    rng = onp.random.default_rng(9)
    a, b = (rng.standard_normal(s) for s in shapes)
    ours = lambda a, b: signal.convolve(a, b, mode=mode, axes=axes, dot_axes=dot_axes)  # noqa: E731
    theirs = lambda a, b: asig.convolve(a, b, axes=axes, dot_axes=dot_axes, mode=mode)  # noqa: E731
    expected = theirs(a, b)
    assert ours(a, b).shape == expected.shape
    onp.testing.assert_allclose(ours(a, b), expected, rtol=1e-12)
    w = rng.standard_normal(expected.shape)
    for argnum in (0, 1):
        onp.testing.assert_allclose(gradviz.grad(lambda a, b: np.sum(ours(a, b) * w), argnum)(a, b),
                                    autograd.grad(lambda a, b: anp.sum(theirs(a, b) * w), argnum)(a, b), rtol=1e-10)


def test_convolve_along_axes_both_modes_second_order():
    rng = onp.random.default_rng(10)
    images, filters = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((3, 2, 3, 2))
    check_grads(lambda a, b: signal.convolve(a, b, "valid", axes=([2, 3], [2, 3]), dot_axes=([1], [0])),
                images, filters, order=2)


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


def test_odeint_inside_record_keeps_one_trace_per_differentiation():
    """The rules' own differentiations of the dynamics (one per solver step: 41 for one grad)
    are the rules' work, not traces of the user's; the one trace kept has its sweep."""
    times = onp.array([0.0, 0.5, 1.0])
    final = lambda k: integrate.odeint(_decay, onp.array([2.0]), times, (k, 0.0))[-1, 0]  # noqa: E731
    with gradviz.record() as run:
        gradient = gradviz.grad(final)(onp.array(0.7))
        gradviz.jvp(final, (onp.array(0.7),), (onp.array(1.0),))
    assert len(run.traces) == 2
    assert [node.op for node in run.traces[0].nodes if node.op != "input"] == ["odeint", "getitem"]
    assert len(run.traces[0].sweeps) == 1 and len(run.traces[1].sweeps) == 1
    onp.testing.assert_allclose(gradient, -2.0 * onp.exp(-0.7), rtol=1e-6)


def test_odeint_refuses_second_order():
    times = onp.array([0.0, 1.0])
    with pytest.raises(RuleError, match="first derivatives only"):
        gradviz.hessian(lambda y0: np.sum(integrate.odeint(_decay, y0, times, (0.5, 0.0)) ** 2))(onp.array([1.0]))


def _autograd_decay(y, t, k, c):
    return -k * y + c * anp.sin(t)


def test_odeint_in_the_times_matches_autograd_and_both_modes():
    """∂y(tᵢ)/∂tᵢ = f(y(tᵢ), tᵢ); moving t₀ shifts every later output back along the flow."""
    times = onp.array([0.1, 0.5, 1.2, 2.0])
    y0, k, c = onp.array([1.0, -0.5]), onp.array([0.3, 1.2]), 0.8
    weights = onp.arange(8.0).reshape(4, 2)
    ours = gradviz.grad(lambda t: np.sum(integrate.odeint(_decay, y0, t, (k, c)) * weights))(times)
    theirs = autograd.grad(lambda t: anp.sum(aint.odeint(_autograd_decay, y0, t, (k, c)) * weights))(times)
    onp.testing.assert_allclose(ours, theirs, rtol=1e-6)
    check_grads(lambda t: integrate.odeint(_decay, y0, t, (k, c)), times, order=1, rtol=1e-4)


def _coupled(y, t, k, c):
    return -k * y ** 3 + c * np.sin(t) * y[::-1]


def _autograd_coupled(y, t, k, c):
    return -k * y ** 3 + c * anp.sin(t) * y[::-1]


@pytest.mark.parametrize("options", [{"rtol": 0.01}, {"rtol": 1e-5, "atol": 1e-7}, {}])
def test_odeint_gradients_are_autograds_at_any_tolerance(options):
    """The adjoint integrates autograd's augmented system [y, a, t̄₀, θ̄] with the forward
    solve's options, so the step sizes, and the numbers, are autograd's: before, at rtol=0.01,
    they differed by 2e-2 relative (and by 1e-7 at scipy's default tolerance)."""
    from autograd.builtins import tuple as atuple

    times, y0, k, c = onp.array([0.1, 0.5, 1.2, 2.0]), onp.array([1.0, -0.5]), onp.array([0.3, 1.2]), 0.8
    weights = onp.arange(8.0).reshape(4, 2)
    ours = gradviz.grad(lambda y0, t, k, c: np.sum(integrate.odeint(_coupled, y0, t, (k, c), **options) * weights),
                        (0, 1, 2, 3))(y0, times, k, c)
    theirs = autograd.grad(lambda y0, t, k, c: anp.sum(aint.odeint(_autograd_coupled, y0, t, atuple((k, c)), **options) * weights),
                           (0, 1, 2, 3))(y0, times, k, c)
    for mine, reference in zip(ours, theirs):
        onp.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-14)


def test_odeint_gradient_at_a_tight_tolerance_against_finite_differences():
    times, y0, k, c = onp.array([0.0, 0.7, 1.5]), onp.array([1.0, -0.5]), onp.array([0.3, 1.2]), 0.8
    loss = lambda k: np.sum(integrate.odeint(_coupled, y0, times, (k, c), rtol=1e-11, atol=1e-11) ** 2)  # noqa: E731
    step = 1e-5
    numeric = [(loss(k + step * e) - loss(k - step * e)) / (2 * step) for e in onp.eye(2)]
    onp.testing.assert_allclose(gradviz.grad(loss)(k), numeric, rtol=1e-6)
    check_grads(lambda y0, k: integrate.odeint(_coupled, y0, times, (k, c), rtol=1e-10, atol=1e-10), y0, k,
                order=1, rtol=1e-4)


def test_odeint_refuses_options_that_change_what_it_returns():
    with pytest.raises(gradviz.GradvizError, match=r"full_output=\.\.\.\) is not supported"):
        integrate.odeint(_decay, onp.array([1.0]), onp.array([0.0, 1.0]), (0.5, 0.0), full_output=True)
