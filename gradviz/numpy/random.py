"""Random numbers for data and initial weights: numpy's own ``numpy.random``.

Random draws have no derivative, so this is numpy's module re-exported as it is.
"""

from numpy.random import *  # noqa: F401,F403
from numpy.random import default_rng, seed  # noqa: F401
