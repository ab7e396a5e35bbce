"""The Poisson distribution, differentiable in ``mu``: ``logpmf``, ``pmf``, ``cdf``, ``rvs``.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.poisson as poisson
    >>> float(gradviz.grad(poisson.logpmf, 1)(3.0, 3.0))   # k/μ − 1
    0.0
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import arrays_for_lists, sampler

__all__ = ["logpmf", "pmf", "cdf", "rvs"]


@arrays_for_lists
def logpmf(k, mu, loc=0):
    """``k log μ − log k! − μ`` (``0·log 0 = 0``)."""
    k = k - loc
    return _sp.xlogy(k, mu) - _sp.gammaln(k + 1) - mu


@arrays_for_lists
def pmf(k, mu, loc=0):
    """``exp(logpmf)``."""
    return np.exp(logpmf(k, mu, loc))


@arrays_for_lists
def cdf(k, mu, loc=0):
    """``Q(⌊k⌋ + 1, μ)``, the regularised upper incomplete gamma function."""
    return _sp.gammaincc(np.floor(k - loc) + 1, mu)


rvs = sampler("poisson", _scipy_stats.poisson)
