"""``gradviz.numpy.fft``: numpy's discrete Fourier transforms, with derivatives in both modes.

Differentiable (rules in :mod:`gradviz.rules.fft_rules`): ``fft``, ``ifft``, ``fft2``,
``ifft2``, ``fftn``, ``ifftn``, ``rfft``, ``irfft``, ``rfft2``, ``irfft2``, ``rfftn``,
``irfftn``, ``fftshift``, ``ifftshift``. Complex values follow autograd's convention: the
gradient of a real function of ``z = x + iy`` is ``∂f/∂x − i ∂f/∂y``. Every other
``numpy.fft`` name (``fftfreq`` …) is numpy's own.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> x = np.array([1.0, 2.0, 0.0, -1.0])
    >>> gradviz.grad(lambda x: np.sum(np.fft.irfft(np.fft.rfft(x) * 2.0)))(x)
    array([2., 2., 2., 2.])
"""

from __future__ import annotations

import numpy as _onp

from gradviz.numpy import numpy_fallback
from gradviz.rules.fft_rules import (  # noqa: F401
    fft, fft2, fftn, fftshift, ifft, ifft2, ifftn, ifftshift,
    irfft, irfft2, irfftn, rfft, rfft2, rfftn,
)

__all__ = [
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
    "rfftn", "irfftn", "fftshift", "ifftshift",
]

DIFFERENTIABLE = tuple(sorted(__all__))


__getattr__ = numpy_fallback(globals(), _onp.fft, "fft.")
