"""The normal distribution: ``logpdf``, ``pdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``rvs``.

The cdfs go through ``ndtr`` and ``log_ndtr`` as scipy's do, so ``logcdf`` stays finite far in
the tail.

Example:
    >>> import gradviz
    >>> import gradviz.scipy.stats.norm as norm
    >>> round(float(gradviz.grad(norm.cdf)(0.0)), 6)   # φ(0) = 1/√(2π)
    0.398942
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import LOG_2PI, arrays_for_lists, sampler, standard

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "rvs"]


@arrays_for_lists
def logpdf(x, loc=0.0, scale=1.0):
    """``−z²/2 − log σ − log(2π)/2`` with ``z = (x − μ)/σ``."""
    z = standard(x, loc, scale)
    return -0.5 * z * z - np.log(scale) - 0.5 * LOG_2PI


@arrays_for_lists
def pdf(x, loc=0.0, scale=1.0):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, loc, scale))


@arrays_for_lists
def cdf(x, loc=0.0, scale=1.0):
    """``Φ(z)``."""
    return _sp.ndtr(standard(x, loc, scale))


@arrays_for_lists
def logcdf(x, loc=0.0, scale=1.0):
    """``log Φ(z)``."""
    return _sp.log_ndtr(standard(x, loc, scale))


@arrays_for_lists
def sf(x, loc=0.0, scale=1.0):
    """``1 − Φ(z) = Φ(−z)``."""
    return _sp.ndtr(-standard(x, loc, scale))


@arrays_for_lists
def logsf(x, loc=0.0, scale=1.0):
    """``log Φ(−z)``."""
    return _sp.log_ndtr(-standard(x, loc, scale))


rvs = sampler("norm", _scipy_stats.norm)
