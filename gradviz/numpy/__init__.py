"""``import gradviz.numpy as np``: numpy, with derivatives and a recorded trace.

The differentiable functions are the rows of :mod:`gradviz.rules.numpy_rules` (listed in
``DIFFERENTIABLE``); functions recorded without a derivative (``floor``, ``argmax``,
comparisons) are listed in ``NONDIFFERENTIABLE``. Everything else in numpy (constants,
dtypes, array creation, ``meshgrid``, ``c_`` …) is numpy's own object: it works on plain
arrays, and given a traced value it raises an error naming the function, rather than
silently dropping the derivative.
"""

from __future__ import annotations

import functools as _functools

import numpy as _onp

from gradviz.engine.tracer import Box as _Box
from gradviz.errors import RuleError as _RuleError
from gradviz.numpy import _box_methods  # noqa: F401  (attaches operators to boxes)
from gradviz.numpy import random  # noqa: F401
from gradviz.rules import NONDIFFERENTIABLE as _NONDIFF
from gradviz.rules import RULES as _RULES
from gradviz.rules.numpy_rules import *  # noqa: F401,F403
from gradviz.rules.numpy_rules import __dict__ as _table

DIFFERENTIABLE = tuple(sorted(name for name, value in _table.items() if value in _RULES.values() and not name.startswith("_")))
NONDIFFERENTIABLE = tuple(sorted(name for name, value in _table.items() if value in _NONDIFF.values() and not name.startswith("_")))


def _has_box(values) -> bool:
    for value in values:
        if type(value) is _Box:
            return True
        if isinstance(value, (list, tuple)) and _has_box(value):
            return True
    return False


def _guarded(name: str, function):
    """numpy's ``function``, refusing traced values instead of dropping their derivative."""

    @_functools.wraps(function)
    def guarded(*args, **kwargs):
        if _has_box(args) or _has_box(kwargs.values()):
            raise _RuleError(
                f"gradviz.numpy.{name} has no derivative rule: register one with "
                "gradviz.extend.defvjp/defjvp, or call it outside the differentiated function"
            )
        return function(*args, **kwargs)

    return guarded


def __getattr__(name: str):
    try:
        value = getattr(_onp, name)
    except AttributeError:
        raise AttributeError(f"module 'gradviz.numpy' has no attribute {name!r}") from None
    if callable(value) and not isinstance(value, type) and not name.startswith("_"):
        value = _guarded(name, value)
    globals()[name] = value
    return value
import gradviz.numpy.fft, gradviz.numpy.linalg  # noqa: E402,E401,F401  (np.fft, np.linalg)
