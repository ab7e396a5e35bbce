"""The Dirichlet distribution: ``logpdf``, ``pdf``, ``rvs``; ``x`` holds the quantiles along its
first axis, as in scipy.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> import gradviz.scipy.stats.dirichlet as dirichlet
    >>> gradviz.grad(dirichlet.logpdf)(np.array([0.5, 0.5]), np.array([1.0, 1.0]))
    array([0., 0.])
"""

from __future__ import annotations

import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.scipy import special as _sp
from gradviz.scipy.stats._common import arrays_for_lists, sampler

__all__ = ["logpdf", "pdf", "rvs"]


@arrays_for_lists
def logpdf(x, alpha):
    """``Σ (αᵢ − 1) log xᵢ − Σ log Γ(αᵢ) + log Γ(Σ αᵢ)``."""
    weights = alpha if len(x.shape) == 1 else np.reshape(alpha, (alpha.shape[0], 1))
    return (np.sum((weights - 1) * np.log(x), axis=0) - np.sum(_sp.gammaln(alpha))
            + _sp.gammaln(np.sum(alpha)))


@arrays_for_lists
def pdf(x, alpha):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, alpha))


rvs = sampler("dirichlet", _scipy_stats.dirichlet)
