"""Where each rule's tests draw their inputs from (the lecture's ``log`` needs ``x > 0``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Domain",
    "each",
    "REALS",
    "POSITIVE",
    "UNIT",
    "ABOVE_ONE",
    "NONZERO",
    "DIVIDEND",
    "DIVISOR",
]


@dataclass(frozen=True)
class Domain:
    """An interval ``[low, high]`` of floats, optionally keeping ``margin`` away from ``avoid``.

    ``avoid`` lists points where the function is not differentiable (``abs`` at 0), which
    finite differences must not straddle. ``arguments`` gives each argument its own domain
    (``power``: a positive base, a real exponent); see :func:`each`.
    """

    name: str
    low: float
    high: float
    avoid: tuple[float, ...] = ()
    margin: float = 0.0
    arguments: tuple[Domain, ...] = ()

    def of(self, argnum: int) -> Domain:
        """The domain of argument ``argnum`` (the whole domain unless given per argument).

        Example:
            >>> each(POSITIVE, REALS).of(1).name
            'reals'
        """
        if argnum < len(self.arguments):
            return self.arguments[argnum]
        return self


def each(*domains: Domain) -> Domain:
    """One domain per argument, in argument order: ``each(POSITIVE, REALS)`` for ``xʸ``."""
    return Domain(
        " × ".join(domain.name for domain in domains),
        min(domain.low for domain in domains),
        max(domain.high for domain in domains),
        arguments=tuple(domains),
    )


REALS = Domain("reals", -3.0, 3.0)
POSITIVE = Domain("positive", 0.2, 4.0)
UNIT = Domain("unit interval (-1, 1)", -0.9, 0.9)
ABOVE_ONE = Domain("above one", 1.2, 4.0)
NONZERO = Domain("nonzero reals", -3.0, 3.0, avoid=(0.0,), margin=0.2)
# x mod y jumps where x/y is an integer: these keep x/y inside (2, 3).
DIVIDEND = Domain("dividend in [2.2, 2.6]", 2.2, 2.6)
DIVISOR = Domain("divisor in [0.9, 1]", 0.9, 1.0)
