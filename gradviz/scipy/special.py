"""``gradviz.scipy.special``: scipy's special functions, with derivatives in both modes.

Each function is one row of :mod:`gradviz.rules.scipy_rules`. The order argument of
``polygamma``, ``jn``, ``yn``, ``iv``, ``ive`` and the shape parameters of ``gammainc``,
``gammaincc`` and ``betainc`` have no derivative (scipy has none either); ``gammasgn``, the
sign of Γ, is locally constant and recorded with a zero derivative. Every other
``scipy.special`` name is scipy's own, refusing traced values with an error that names it.

Example:
    >>> import gradviz
    >>> from gradviz.scipy.special import gammaln
    >>> round(float(gradviz.grad(gammaln)(1.0)), 6)   # ψ(1) = −γ
    -0.577216
"""

from __future__ import annotations

import scipy.special as _scipy_special

from gradviz.numpy import numpy_fallback
from gradviz.rules.scipy_rules import (  # noqa: F401
    beta, betainc, betaln, digamma, erf, erfc, erfcinv, erfinv, expit, gamma, gammainc, gammaincc,
    gammaln, gammasgn, i0, i1, iv, ive, j0, j1, jn, log_ndtr, logit, logsumexp, multigammaln, ndtr,
    polygamma, psi, rgamma, xlog1py, xlogy, y0, y1, yn,
)

__all__ = [
    "beta", "betainc", "betaln", "digamma", "erf", "erfc", "erfcinv", "erfinv", "expit", "gamma",
    "gammainc", "gammaincc", "gammaln", "gammasgn", "i0", "i1", "iv", "ive", "j0", "j1", "jn",
    "log_ndtr", "logit", "logsumexp", "multigammaln", "ndtr", "polygamma", "psi", "rgamma",
    "xlog1py", "xlogy", "y0", "y1", "yn",
]


__getattr__ = numpy_fallback(globals(), _scipy_special, "special.", root="gradviz.scipy.")
