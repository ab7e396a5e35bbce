"""The multivariate normal: ``logpdf``, ``pdf``, ``entropy``, ``rvs``.

Arguments are read as scipy reads them: ``x`` holds one point per row (its last axis, or one
point per entry when the distribution is one-dimensional); ``cov`` is a matrix, a vector (its
diagonal) or a scalar (times the identity); the dimension comes from ``mean``, else from
``cov``; a single point gives a scalar. With ``allow_singular=True`` a singular ``cov`` is
read through its pseudo-inverse and pseudo-determinant, as scipy does; the density is then
differentiable in ``x`` and ``mean`` but not in ``cov`` (as in autograd).

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> import gradviz.scipy.stats.multivariate_normal as mvn
    >>> gradviz.grad(mvn.logpdf)(np.array([1.0, 2.0]), np.zeros(2), np.eye(2))   # −Σ⁻¹(x − μ)
    array([-1., -2.])
"""

from __future__ import annotations

import numpy as _onp
import scipy.stats as _scipy_stats

import gradviz.numpy as np
from gradviz.engine.tracer import Box as _Box
from gradviz.engine.tracer import unbox
from gradviz.errors import RuleError as _RuleError
from gradviz.numpy import linalg as _linalg
from gradviz.scipy.stats._common import LOG_2PI, arrays_for_lists, sampler

__all__ = ["logpdf", "pdf", "entropy", "rvs"]


def _dimension(mean, cov) -> int:
    if mean is not None:
        return int(np.size(mean))
    return 1 if np.ndim(cov) < 2 else int(np.shape(cov)[0])


def _covariance_matrix(cov, dim: int):
    """``cov`` as a dim×dim matrix: a scalar is that times the identity, a vector the diagonal."""
    ndim = np.ndim(cov)
    if ndim == 0:
        return cov * np.eye(dim)
    if ndim == 1:
        return np.diag(cov) if dim > 1 else np.reshape(cov, (1, 1))
    return cov


def _points(x, dim: int):
    """``x`` with one point per row: a 1-D ``x`` is one point, or ``dim == 1`` points."""
    if np.ndim(x) == 0:
        return np.reshape(x, (1, 1))
    if np.ndim(x) == 1:
        return np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
    return x


def _squeezed(out):
    """scipy's output: length-1 axes dropped, a single value as a scalar."""
    return np.squeeze(out) if np.ndim(out) else out


def _pseudo_parts(cov):
    """``(U, log pdet, rank, off_support)`` of a positive semi-definite ``cov``: ``U Uᵀ = cov⁺``,
    eigenvalues under scipy's cut-off ``10⁶·eps·max|λ|`` taken as zero, and a test of which
    points leave the support (the span of the kept eigenvectors), where the density is zero."""
    if type(cov) is _Box:
        raise _RuleError(
            "multivariate_normal with allow_singular=True has no derivative in cov: "
            "pass allow_singular=False, or keep cov out of the differentiated arguments"
        )
    spectrum, vectors = _onp.linalg.eigh(_onp.asarray(cov, dtype=float))
    cutoff = 1e6 * _onp.finfo(float).eps * _onp.max(_onp.abs(spectrum))
    kept = spectrum > cutoff
    inverse_roots = _onp.where(kept, 1.0 / _onp.sqrt(_onp.where(kept, spectrum, 1.0)), 0.0)
    null_space = vectors[:, ~kept]

    def off_support(d):
        return _onp.linalg.norm(_onp.dot(unbox(d), null_space), axis=-1) >= 1e3 * cutoff

    log_pdet = float(_onp.sum(_onp.log(spectrum[kept])))
    return vectors * inverse_roots, log_pdet, int(_onp.sum(kept)), off_support


@arrays_for_lists
def logpdf(x, mean=None, cov=1.0, allow_singular=False):
    """``−(dᵀΣ⁻¹d + log|Σ| + k log 2π)/2`` with ``d = x − μ``, one value per point."""
    dim = _dimension(mean, cov)
    cov = _covariance_matrix(cov, dim)
    rows = _points(x, dim)
    d = rows if mean is None else rows - np.reshape(mean, (dim,))
    flat = np.reshape(d, (-1, dim))
    if allow_singular:
        roots, log_det, rank, off_support = _pseudo_parts(cov)
        quadratic = np.sum(np.dot(flat, roots) ** 2, axis=-1)
        quadratic = np.where(off_support(flat), _onp.inf, quadratic)
    else:
        solved = np.transpose(_linalg.solve(cov, np.transpose(flat)))
        quadratic = np.sum(flat * solved, axis=-1)
        log_det, rank = _linalg.slogdet(cov)[1], dim
    quadratic = np.reshape(quadratic, np.shape(d)[:-1])
    return _squeezed(-0.5 * (quadratic + log_det + rank * LOG_2PI))


@arrays_for_lists
def pdf(x, mean=None, cov=1.0, allow_singular=False):
    """``exp(logpdf)``."""
    return np.exp(logpdf(x, mean, cov, allow_singular))


@arrays_for_lists
def entropy(mean=None, cov=1.0):
    """``(log|Σ| + k(1 + log 2π))/2``."""
    dim = _dimension(mean, cov)
    cov = _covariance_matrix(cov, dim)
    return 0.5 * (_linalg.slogdet(cov)[1] + dim * (1 + LOG_2PI))


rvs = sampler("multivariate_normal", _scipy_stats.multivariate_normal)
