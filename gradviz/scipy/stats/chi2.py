"""The chi-squared distribution, ``gamma(df/2, scale=2)``: ``logpdf``, ``pdf``, ``cdf``, ``rvs``.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.chi2 as chi2
    >>> float(gradviz.grad(chi2.logpdf)(2.0, 4.0))   # (k/2 − 1)/x − 1/2
    0.0
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats import gamma as _gamma
from gradviz.scipy.stats._common import arrays_for_lists, sampler, standard

__all__ = ["logpdf", "pdf", "cdf", "rvs"]


@arrays_for_lists
def logpdf(x, df, loc=0.0, scale=1.0):
    """The gamma log-density with shape ``df/2`` and scale ``2σ``."""
    return _gamma.logpdf(x, df / 2, loc, 2 * scale)


@arrays_for_lists
def pdf(x, df, loc=0.0, scale=1.0):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, df, loc, scale))


@arrays_for_lists
def cdf(x, df, loc=0.0, scale=1.0):
    """``P(df/2, z/2)``."""
    return _sp.gammainc(df / 2, standard(x, loc, scale) / 2)


rvs = sampler("chi2", _scipy_stats.chi2)
