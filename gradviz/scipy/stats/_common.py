"""What the distributions share: the standardised variable and scipy's sampler."""

from __future__ import annotations

import functools
import math

import gradviz.numpy as np
from gradviz.numpy import _guarded

LOG_2PI = math.log(2 * math.pi)


def standard(x, loc, scale):
    """``(x − loc)/scale``."""
    return (x - loc) / scale


def sampler(name: str, distribution):
    """scipy's ``distribution.rvs``: draws are not differentiable, so a traced parameter is
    refused with an error naming ``name``."""
    return _guarded(f"{name}.rvs", distribution.rvs, "gradviz.scipy.stats.")


def arrays_for_lists(function):
    """``function`` with every list or tuple argument made an array first, as scipy's
    distributions take them: by ``gradviz.numpy.array``, so that a list holding traced values
    becomes one ``array`` node and keeps its derivatives."""

    @functools.wraps(function)
    def taking_lists(*args, **kwargs):
        args = [np.array(a) if isinstance(a, (list, tuple)) else a for a in args]
        kwargs = {k: np.array(v) if isinstance(v, (list, tuple)) else v for k, v in kwargs.items()}
        return function(*args, **kwargs)

    return taking_lists
