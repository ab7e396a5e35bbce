"""What the distributions share: the standardised variable and scipy's sampler."""

from __future__ import annotations

import math

from gradviz.numpy import _guarded

LOG_2PI = math.log(2 * math.pi)


def standard(x, loc, scale):
    """``(x − loc)/scale``."""
    return (x - loc) / scale


def sampler(name: str, distribution):
    """scipy's ``distribution.rvs``: draws are not differentiable, so a traced parameter is
    refused with an error naming ``name``."""
    return _guarded(f"{name}.rvs", distribution.rvs, "gradviz.scipy.stats.")
