"""The beta distribution with shapes ``a``, ``b``: ``logpdf``, ``pdf``, ``cdf``, ``rvs``.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.beta as beta
    >>> float(gradviz.grad(beta.logpdf)(0.5, 2.0, 2.0))   # symmetric about 1/2
    0.0
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import arrays_for_lists, sampler, standard

__all__ = ["logpdf", "pdf", "cdf", "rvs"]


@arrays_for_lists
def logpdf(x, a, b, loc=0.0, scale=1.0):
    """``(a − 1) log z + (b − 1) log(1 − z) − log B(a, b) − log σ``."""
    z = standard(x, loc, scale)
    return (a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - _sp.betaln(a, b) - np.log(scale)


@arrays_for_lists
def pdf(x, a, b, loc=0.0, scale=1.0):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, a, b, loc, scale))


@arrays_for_lists
def cdf(x, a, b, loc=0.0, scale=1.0):
    """The regularised incomplete beta function ``I(z; a, b)``."""
    return _sp.betainc(a, b, standard(x, loc, scale))


rvs = sampler("beta", _scipy_stats.beta)
