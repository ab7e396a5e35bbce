"""The exceptions gradviz raises.

Every message says what failed, names the function, argument, shape or dtype involved, and
says what to do. The command line prints a :class:`GradvizError` as one line and exits 2.
"""

from __future__ import annotations

__all__ = [
    "GradvizError",
    "RuleError",
    "MissingRuleError",
    "ShapeError",
    "OutputTypeError",
    "UnsupportedTypeError",
    "TraceFileError",
    "ExpressionError",
    "NonFiniteError",
]


class GradvizError(Exception):
    """Base class of every error gradviz raises on purpose."""


class RuleError(GradvizError):
    """A derivative rule is missing, or a rule returned something unusable."""


class MissingRuleError(RuleError):
    """A primitive met in a sweep has no rule of the kind needed (``kind`` is "JVP" or "VJP")."""

    def __init__(self, message: str, kind: str = "VJP"):
        super().__init__(message)
        self.kind = kind


class ShapeError(GradvizError):
    """An array had a shape that the operation cannot accept."""


class OutputTypeError(ShapeError, TypeError):
    """``grad`` was given a function whose output is not one real number (a ``TypeError``, as
    autograd raises)."""


class UnsupportedTypeError(GradvizError, TypeError):
    """A value of a type gradviz cannot differentiate was given."""


class TraceFileError(GradvizError):
    """A saved trace could not be read."""


class ExpressionError(GradvizError):
    """A user expression could not be parsed or is not allowed."""


class NonFiniteError(GradvizError, FloatingPointError):
    """A NaN or Inf was born inside a sweep while ``debug_nans()`` was active."""
