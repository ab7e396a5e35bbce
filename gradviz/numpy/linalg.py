"""``gradviz.numpy.linalg``: numpy's linear algebra, with derivatives in both modes.

Differentiable (tangent and adjoint rules in :mod:`gradviz.rules.linalg_rules`): ``det``,
``slogdet``, ``inv``, ``pinv``, ``solve``, ``norm``, ``eigh``, ``eig``, ``cholesky``, ``svd``.
Each call is one node on the trace. Functions returning several arrays return a plain tuple
of them. Every other ``numpy.linalg`` name is numpy's own: it works on plain arrays and,
given a traced value, raises an error naming the function.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> gradviz.grad(lambda a: np.linalg.det(a))(a)   # det(A)·A⁻ᵀ
    array([[ 3., -1.],
           [-1.,  2.]])
    >>> [node.op for node in gradviz.trace(np.linalg.inv, a)]
    ['input', 'inv']
"""

from __future__ import annotations

import numpy as _onp

from gradviz.numpy import numpy_fallback
from gradviz.rules import linalg_rules as _rules
from gradviz.rules.linalg_rules import cholesky, det, inv, norm, pinv, solve  # noqa: F401

__all__ = ["det", "slogdet", "inv", "pinv", "solve", "norm", "eigh", "eig", "cholesky", "svd"]

DIFFERENTIABLE = tuple(sorted(__all__))


def slogdet(a):
    """``(sign, log|det a|)``; the log-determinant is differentiable, the sign locally constant."""
    return _rules._parts(_rules.slogdet(a), 2)


def eigh(a, UPLO="L"):  # noqa: N803 - numpy's name
    """``(w, v)`` of a symmetric matrix, read from its ``UPLO`` triangle (distinct ``w``)."""
    return _rules._parts(_rules.eigh(a, UPLO), 2)


def eig(a):
    """``(w, v)`` of a square matrix (distinct eigenvalues; each ``v[:, k]`` of unit norm)."""
    return _rules._parts(_rules.eig(a), 2)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``(u, s, vh)``, or ``s`` with ``compute_uv=False``; derivatives need distinct ``s``."""
    result = _rules.svd(a, full_matrices, compute_uv, hermitian)
    return _rules._parts(result, 3) if compute_uv else result


__getattr__ = numpy_fallback(globals(), _onp.linalg, "linalg.")
