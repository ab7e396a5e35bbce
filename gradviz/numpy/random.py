"""Random numbers for data and initial weights: numpy's own ``numpy.random``.

Random draws have no derivative, so this is numpy's module re-exported as it is.
"""

import numpy as _onp
from numpy.random import *  # noqa: F401,F403
from numpy.random import default_rng, seed  # noqa: F401


def __getattr__(name: str):
    # Names numpy.random has but does not star-export (get_bit_generator …).
    try:
        return getattr(_onp.random, name)
    except AttributeError:
        raise AttributeError(f"module 'gradviz.numpy.random' has no attribute {name!r}") from None
