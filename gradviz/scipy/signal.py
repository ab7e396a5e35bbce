"""``gradviz.scipy.signal``: N-dimensional convolution, differentiable in both arguments.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.scipy.signal import convolve
    >>> gradviz.grad(lambda a: np.sum(convolve(a, np.array([1.0, 2.0]), "valid")))(np.ones(3))
    array([2., 3., 1.])
"""

from __future__ import annotations

from gradviz.rules.scipy_rules import convolve as _convolve

__all__ = ["convolve"]


def convolve(in1, in2, mode="full", method="auto"):
    """scipy's ``convolve`` (modes ``full``, ``same``, ``valid``), one node on the trace."""
    return _convolve(in1, in2, mode, method)
