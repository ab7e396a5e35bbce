"""Where each rule's tests draw their inputs from (the lecture's ``log`` needs ``x > 0``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Domain", "REALS", "POSITIVE", "UNIT", "ABOVE_ONE", "NONZERO", "SMALL"]


@dataclass(frozen=True)
class Domain:
    """An interval ``[low, high]`` of floats, optionally keeping ``margin`` away from ``avoid``.

    ``avoid`` lists points where the function is not differentiable (``abs`` at 0), which
    finite differences must not straddle.
    """

    name: str
    low: float
    high: float
    avoid: tuple[float, ...] = ()
    margin: float = 0.0


REALS = Domain("reals", -3.0, 3.0)
POSITIVE = Domain("positive", 0.2, 4.0)
UNIT = Domain("unit interval (-1, 1)", -0.9, 0.9)
ABOVE_ONE = Domain("above one", 1.2, 4.0)
NONZERO = Domain("nonzero reals", -3.0, 3.0, avoid=(0.0,), margin=0.2)
SMALL = Domain("small reals", -1.0, 1.0)
