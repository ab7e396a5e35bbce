"""The gamma distribution with shape ``a``: ``logpdf``, ``pdf``, ``cdf``, ``rvs``.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.gamma as gamma
    >>> float(gradviz.grad(gamma.logpdf)(2.0, 3.0))   # (a − 1)/x − 1
    0.0
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import arrays_for_lists, sampler, standard

__all__ = ["logpdf", "pdf", "cdf", "rvs"]


@arrays_for_lists
def logpdf(x, a, loc=0.0, scale=1.0):
    """``(a − 1) log z − z − log Γ(a) − log σ``."""
    z = standard(x, loc, scale)
    return (a - 1) * np.log(z) - z - _sp.gammaln(a) - np.log(scale)


@arrays_for_lists
def pdf(x, a, loc=0.0, scale=1.0):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, a, loc, scale))


@arrays_for_lists
def cdf(x, a, loc=0.0, scale=1.0):
    """The regularised lower incomplete gamma function ``P(a, z)``."""
    return _sp.gammainc(a, standard(x, loc, scale))


rvs = sampler("gamma", _scipy_stats.gamma)
