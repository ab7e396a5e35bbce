"""Central finite differences, the debugger's reference for every derivative it checks.

Example:
    >>> round(float(numerical_jvp(lambda x: x ** 2, [3.0], [1.0], 1e-6)), 6)  # d(x²)/dx at 3
    6.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as onp

from gradviz.engine.tracer import unbox
from gradviz.engine.tree import flatten, unflatten

__all__ = ["numerical_jvp", "tolerances"]


def tolerances(*values: Any) -> tuple[float, float, float]:
    """``(eps, rtol, atol)`` that suit the lowest float precision among ``values``.

    Example:
        >>> import numpy
        >>> tolerances(numpy.ones(2, numpy.float32)), tolerances(1.0)
        ((0.01, 0.02, 0.002), (1e-06, 1e-05, 1e-06))
    """
    single = any(getattr(unbox(v), "dtype", None) in (onp.float16, onp.float32, onp.complex64)
                 for v in values)
    return (1e-2, 2e-2, 2e-3) if single else (1e-6, 1e-5, 1e-6)


def _shift(args: Sequence, direction: Sequence, scale: float) -> list:
    shifted = []
    for arg, step in zip(args, direction):
        leaves, treedef = flatten(arg)
        steps, _ = flatten(step)
        shifted.append(unflatten(treedef, [x + scale * d for x, d in zip(leaves, steps)]))
    return shifted


def numerical_jvp(f: Callable, args: Sequence, direction: Sequence, eps: float) -> Any:
    """Central finite differences ``(f(x + hv) − f(x − hv)) / 2h``, ``h = eps·max(1, |x|∞)``."""
    scale = max([1.0] + [float(onp.max(onp.abs(unbox(x)))) for x in flatten(list(args))[0]
                         if onp.size(unbox(x))])
    h = eps * scale  # relative to the inputs, so large inputs do not drown in rounding
    with onp.errstate(all="ignore"):
        plus = f(*_shift(args, direction, h))
        minus = f(*_shift(args, direction, -h))
    plus_leaves, treedef = flatten(plus)
    minus_leaves, _ = flatten(minus)
    return unflatten(treedef, [(onp.asarray(unbox(p)) - onp.asarray(unbox(m))) / (2 * h)
                               for p, m in zip(plus_leaves, minus_leaves)])
