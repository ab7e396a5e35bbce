"""``gradviz.scipy``: the parts of scipy autograd differentiates, in both modes.

``special`` (gamma, beta, error, Bessel functions, logsumexp …), ``stats`` (log-densities,
densities and cdfs), ``linalg`` (triangular and Sylvester solves, ``sqrtm``), ``signal``
(``convolve``) and ``integrate`` (``odeint``, first derivatives only).
"""

from gradviz.scipy import integrate, linalg, signal, special, stats  # noqa: F401

__all__ = ["special", "stats", "linalg", "signal", "integrate"]
