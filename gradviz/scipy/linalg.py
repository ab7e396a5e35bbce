"""``gradviz.scipy.linalg``: triangular and Sylvester solves and the matrix square root.

Those four (and ``cholesky``) are differentiable. Every other ``scipy.linalg`` name is scipy's
own: it works on plain arrays and, given a traced value, raises an error naming the function,
as :mod:`gradviz.numpy` does.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.scipy.linalg import sqrtm
    >>> a = np.array([[4.0, 0.0], [0.0, 9.0]])
    >>> gradviz.grad(lambda a: np.sum(sqrtm(a)))(a)   # d√x/dx = 1/(2√x) on the diagonal
    array([[0.25      , 0.2       ],
           [0.2       , 0.16666667]])
"""

from __future__ import annotations

import scipy.linalg as _scipy_linalg

from gradviz.numpy import numpy_fallback
from gradviz.rules.linalg_rules import cholesky as _cholesky
from gradviz.rules.scipy_rules import solve_sylvester, sqrtm  # noqa: F401
from gradviz.rules.scipy_rules import solve_triangular as _solve_triangular

__all__ = ["solve_triangular", "solve_sylvester", "sqrtm", "cholesky"]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """``x`` with ``op(a)·x = b``, reading only ``a``'s lower or upper triangle."""
    return _solve_triangular(a, b, trans, lower, unit_diagonal)


def cholesky(a, lower=False):
    """scipy's Cholesky factor (upper by default), by numpy's differentiable ``cholesky``."""
    return _cholesky(a, upper=not lower)


__getattr__ = numpy_fallback(globals(), _scipy_linalg, "linalg.", root="gradviz.scipy.")
