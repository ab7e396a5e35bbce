"""``gradviz.scipy.stats``: log-densities, densities and cdfs, differentiable in every argument.

Each is a short formula over gradviz primitives (``gammaln``, ``betainc``, ``erfc``,
``linalg.solve`` …), so its derivatives in every parameter, and of every order, follow from
theirs; a call shows on the trace as the handful of nodes of its formula. The cdfs of
``t``, ``gamma``, ``beta``, ``chi2`` and ``poisson`` are differentiable in ``x`` (``mu`` for
``poisson``), not in the shape parameters, as in scipy (the error names the argument).

Example:
    >>> import gradviz
    >>> from gradviz.scipy.stats import norm
    >>> float(gradviz.grad(norm.logpdf)(1.5))   # −(x − μ)/σ²
    -1.5
"""

from __future__ import annotations

import math

import gradviz.numpy as np
from gradviz.numpy import linalg as _linalg
from gradviz.scipy import special as _sp

__all__ = ["norm", "t", "gamma", "beta", "chi2", "poisson", "multivariate_normal", "dirichlet"]

_LOG_2PI = math.log(2 * math.pi)


def _standard(x, loc, scale):
    return (x - loc) / scale


class norm:  # noqa: N801 - scipy's name
    """The normal distribution."""

    @staticmethod
    def logpdf(x, loc=0.0, scale=1.0):
        z = _standard(x, loc, scale)
        return -0.5 * z * z - np.log(scale) - 0.5 * _LOG_2PI

    @staticmethod
    def pdf(x, loc=0.0, scale=1.0):
        return np.exp(norm.logpdf(x, loc, scale))

    @staticmethod
    def cdf(x, loc=0.0, scale=1.0):
        return 0.5 * _sp.erfc(-_standard(x, loc, scale) / math.sqrt(2))

    @staticmethod
    def logcdf(x, loc=0.0, scale=1.0):
        return np.log(norm.cdf(x, loc, scale))

    @staticmethod
    def sf(x, loc=0.0, scale=1.0):
        return 0.5 * _sp.erfc(_standard(x, loc, scale) / math.sqrt(2))

    @staticmethod
    def logsf(x, loc=0.0, scale=1.0):
        return np.log(norm.sf(x, loc, scale))


class t:  # noqa: N801
    """Student's t distribution."""

    @staticmethod
    def logpdf(x, df, loc=0.0, scale=1.0):
        z = _standard(x, loc, scale)
        return (_sp.gammaln((df + 1) / 2) - _sp.gammaln(df / 2) - 0.5 * np.log(df * math.pi)
                - np.log(scale) - (df + 1) / 2 * np.log1p(z * z / df))

    @staticmethod
    def pdf(x, df, loc=0.0, scale=1.0):
        return np.exp(t.logpdf(x, df, loc, scale))

    @staticmethod
    def cdf(x, df, loc=0.0, scale=1.0):
        z = _standard(x, loc, scale)
        tail = 0.5 * _sp.betainc(df / 2, 0.5, df / (df + z * z))
        return np.where(z < 0, tail, 1 - tail)

    @staticmethod
    def logcdf(x, df, loc=0.0, scale=1.0):
        return np.log(t.cdf(x, df, loc, scale))


class gamma:  # noqa: N801
    """The gamma distribution with shape ``a``."""

    @staticmethod
    def logpdf(x, a, loc=0.0, scale=1.0):
        z = _standard(x, loc, scale)
        return (a - 1) * np.log(z) - z - _sp.gammaln(a) - np.log(scale)

    @staticmethod
    def pdf(x, a, loc=0.0, scale=1.0):
        return np.exp(gamma.logpdf(x, a, loc, scale))

    @staticmethod
    def cdf(x, a, loc=0.0, scale=1.0):
        return _sp.gammainc(a, _standard(x, loc, scale))


class beta:  # noqa: N801
    """The beta distribution with shapes ``a``, ``b``."""

    @staticmethod
    def logpdf(x, a, b, loc=0.0, scale=1.0):
        z = _standard(x, loc, scale)
        return (a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - _sp.betaln(a, b) - np.log(scale)

    @staticmethod
    def pdf(x, a, b, loc=0.0, scale=1.0):
        return np.exp(beta.logpdf(x, a, b, loc, scale))

    @staticmethod
    def cdf(x, a, b, loc=0.0, scale=1.0):
        return _sp.betainc(a, b, _standard(x, loc, scale))


class chi2:  # noqa: N801
    """The chi-squared distribution: ``gamma(df/2, scale=2)``."""

    @staticmethod
    def logpdf(x, df, loc=0.0, scale=1.0):
        return gamma.logpdf(x, df / 2, loc, 2 * scale)

    @staticmethod
    def pdf(x, df, loc=0.0, scale=1.0):
        return np.exp(chi2.logpdf(x, df, loc, scale))

    @staticmethod
    def cdf(x, df, loc=0.0, scale=1.0):
        return _sp.gammainc(df / 2, _standard(x, loc, scale) / 2)


class poisson:  # noqa: N801
    """The Poisson distribution (differentiable in ``mu``)."""

    @staticmethod
    def logpmf(k, mu, loc=0):
        k = k - loc
        return _sp.xlogy(k, mu) - _sp.gammaln(k + 1) - mu

    @staticmethod
    def pmf(k, mu, loc=0):
        return np.exp(poisson.logpmf(k, mu, loc))

    @staticmethod
    def cdf(k, mu, loc=0):
        return _sp.gammaincc(np.floor(k - loc) + 1, mu)


def _covariance_matrix(cov, k: int):
    """``cov`` as a k×k matrix, as scipy reads it: a scalar is that times the identity, a
    vector the diagonal."""
    ndim = np.ndim(cov)
    if ndim == 0:
        return cov * np.eye(k)
    return np.diag(cov) if ndim == 1 else cov


class multivariate_normal:  # noqa: N801
    """The multivariate normal; ``x`` holds one point per row (its last axis). ``cov`` is a
    matrix, a vector (its diagonal) or a scalar (times the identity), as in scipy."""

    @staticmethod
    def logpdf(x, mean=None, cov=1.0):
        d = x if mean is None else x - mean
        k = d.shape[-1]
        cov = _covariance_matrix(cov, k)
        rows = np.reshape(d, (-1, k))
        solved = np.transpose(_linalg.solve(cov, np.transpose(rows)))
        quadratic = np.reshape(np.sum(rows * solved, axis=-1), d.shape[:-1])
        return -0.5 * (quadratic + _linalg.slogdet(cov)[1] + k * _LOG_2PI)

    @staticmethod
    def pdf(x, mean=None, cov=1.0):
        return np.exp(multivariate_normal.logpdf(x, mean, cov))

    @staticmethod
    def entropy(mean=None, cov=1.0):
        k = np.shape(cov)[-1] if np.ndim(cov) else (1 if mean is None else np.shape(mean)[-1])
        cov = _covariance_matrix(cov, k)
        return 0.5 * (_linalg.slogdet(cov)[1] + k * (1 + _LOG_2PI))


class dirichlet:  # noqa: N801
    """The Dirichlet distribution; ``x`` holds the quantiles along its first axis, as scipy."""

    @staticmethod
    def logpdf(x, alpha):
        weights = alpha if len(x.shape) == 1 else np.reshape(alpha, (alpha.shape[0], 1))
        return (np.sum((weights - 1) * np.log(x), axis=0) - np.sum(_sp.gammaln(alpha))
                + _sp.gammaln(np.sum(alpha)))

    @staticmethod
    def pdf(x, alpha):
        return np.exp(dirichlet.logpdf(x, alpha))
