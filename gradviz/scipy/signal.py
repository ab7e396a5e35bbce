"""``gradviz.scipy.signal``: N-dimensional convolution, differentiable in both arguments.

``convolve(in1, in2, mode)`` is scipy's. With ``axes=`` and ``dot_axes=`` it is autograd's
generalisation (a convolutional layer in one call): ``axes=(axes1, axes2)`` pairs the axes
convolved, ``dot_axes=(axes1, axes2)`` the axes summed over, and every other axis is kept;
the output has ``in1``'s kept axes, then ``in2``'s, then the convolved ones.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.scipy.signal import convolve
    >>> gradviz.grad(lambda a: np.sum(convolve(a, np.array([1.0, 2.0]), "valid")))(np.ones(3))
    array([2., 3., 1.])
"""

from __future__ import annotations

from gradviz.rules.scipy_rules import convolve as _convolve

__all__ = ["convolve"]


def convolve(in1, in2, mode="full", method="auto", *, axes=None, dot_axes=((), ())):
    """scipy's ``convolve`` (modes ``full``, ``same``, ``valid``), or autograd's along
    ``axes`` summing over ``dot_axes``; one node on the trace.

    Example:
        >>> import numpy
        >>> images, filters = numpy.ones((2, 3, 4, 4)), numpy.ones((5, 3, 2, 2))  # batch, channels …
        >>> convolve(images, filters, "valid", axes=([2, 3], [2, 3]), dot_axes=([1], [1])).shape
        (2, 5, 3, 3)
    """
    if axes is not None:
        axes = (tuple(axes[0]), tuple(axes[1]))
    return _convolve(in1, in2, mode, method, axes, (tuple(dot_axes[0]), tuple(dot_axes[1])))
