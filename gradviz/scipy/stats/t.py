"""Student's t distribution: ``logpdf``, ``pdf``, ``cdf``, ``logcdf``, ``rvs``.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.t as t
    >>> round(float(gradviz.grad(t.cdf)(0.0, 3.0)), 6)   # the density at 0: 2/(π√3)
    0.367553
"""

from __future__ import annotations

import math

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.rules.scipy_rules import t_cdf as _t_cdf
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import arrays_for_lists, sampler, standard

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "rvs"]


@arrays_for_lists
def logpdf(x, df, loc=0.0, scale=1.0):
    """``log Γ((ν+1)/2) − log Γ(ν/2) − log(νπ)/2 − log σ − (ν+1)/2·log(1 + z²/ν)``."""
    z = standard(x, loc, scale)
    return (_sp.gammaln((df + 1) / 2) - _sp.gammaln(df / 2) - 0.5 * np.log(df * math.pi)
            - np.log(scale) - (df + 1) / 2 * np.log1p(z * z / df))


@arrays_for_lists
def pdf(x, df, loc=0.0, scale=1.0):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, df, loc, scale))


@arrays_for_lists
def cdf(x, df, loc=0.0, scale=1.0):
    """scipy's cdf, one node whose derivative in ``x``, ``loc`` and ``scale`` is the density."""
    return _t_cdf(x, df, loc, scale)


@arrays_for_lists
def logcdf(x, df, loc=0.0, scale=1.0):
    """``log cdf``."""
    return np.log(cdf(x, df, loc, scale))


rvs = sampler("t", _scipy_stats.t)
