"""Broadcasting, made differentiable: the sweeps' glue between shapes.

The rules are written as in the lecture (``ȳ·y`` for the adjoint of ``x·y``), so a
contribution may have the broadcast shape of the output rather than the argument's shape.
The sweeps fix that here, once, instead of in every rule: the adjoint of a broadcast is
summed back to the input's shape, and a tangent is broadcast up to the output's shape.
The two operations are each other's transpose, so each one's rules call the other, which
keeps them differentiable to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradviz.engine.tracer import Box, Primitive, unbox

__all__ = ["sum_to_shape", "broadcast_to_shape", "shape_of", "real_part", "is_complex", "fit_adjoint", "fit_tangent"]


def shape_of(value: Any) -> tuple[int, ...]:
    """The shape of an array, numpy scalar, box or Python number (``()``)."""
    return getattr(unbox(value), "shape", ())


def _sum_to_shape(x, shape):
    """Sum ``x`` over the axes that broadcasting added or stretched to reach its shape."""
    x_shape = np.shape(x)
    if x_shape == shape:
        return x
    extra = len(x_shape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and x_shape[extra + i] != 1
    )
    result = np.sum(x, axis=axes, keepdims=False) if axes else x
    return np.reshape(result, shape)


def _broadcast_to_shape(x, shape):
    return np.broadcast_to(x, shape)


sum_to_shape = Primitive(_sum_to_shape, "sum_to_shape")
broadcast_to_shape = Primitive(_broadcast_to_shape, "broadcast_to_shape")

# Both are linear, so each tangent rule is the function itself applied to the tangent.
sum_to_shape.jvps[0] = lambda t, ans, x, shape: sum_to_shape(t, shape)
sum_to_shape.vjps[0] = lambda g, ans, x, shape: broadcast_to_shape(g, shape_of(x))
sum_to_shape.partials[0] = "1"
broadcast_to_shape.jvps[0] = lambda t, ans, x, shape: broadcast_to_shape(t, shape)
broadcast_to_shape.vjps[0] = lambda g, ans, x, shape: sum_to_shape(g, shape_of(x))
broadcast_to_shape.partials[0] = "1"


real_part = Primitive(lambda x: x.real, "real")
# A real value's adjoint is real: the imaginary part of a complex one pairs with no tangent.
real_part.jvps[0] = lambda t, ans, x: real_part(t)
real_part.vjps[0] = lambda g, ans, x: g
real_part.partials[0] = "Re"


def is_complex(value: Any) -> bool:
    """Whether a value (array, box, scalar) has a complex dtype."""
    value = unbox(value)
    return isinstance(value, complex) or getattr(getattr(value, "dtype", None), "kind", "") == "c"


def fit_adjoint(contribution: Any, shape: tuple[int, ...]) -> Any:
    """Bring an adjoint contribution to ``shape`` (summing broadcast axes), or fail clearly."""
    c_shape = shape_of(contribution)
    if c_shape == shape:
        return contribution
    try:
        reduced = np.broadcast_shapes(c_shape, shape) == c_shape
    except ValueError:
        reduced = False
    if not reduced:
        raise ValueError(
            f"got an adjoint of shape {c_shape} for an argument of shape {shape}"
        )
    return sum_to_shape(contribution, shape)


def fit_tangent(tangent: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast a tangent up to the shape of the value it belongs to."""
    if shape_of(tangent) == shape:
        return tangent
    t_shape = shape_of(tangent)
    try:
        widened = np.broadcast_shapes(t_shape, shape) == shape
    except ValueError:
        widened = False
    if not widened:  # only a rule that is wrong makes a tangent that does not broadcast up
        raise ValueError(f"got a tangent of shape {t_shape} for a value of shape {shape}")
    return broadcast_to_shape(tangent, shape)
