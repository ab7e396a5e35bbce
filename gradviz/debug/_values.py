"""Small numeric helpers shared by the debugger: finiteness, norms, short value texts."""

from __future__ import annotations

from typing import Any

import numpy as onp

from gradviz.engine.tracer import unbox

__all__ = ["is_finite", "as_array", "rms", "norm", "brief", "inner"]


def as_array(value: Any) -> onp.ndarray:
    """The raw value as an array (``None``, the symbolic zero, becomes ``0.0``)."""
    return onp.asarray(0.0 if value is None else unbox(value))


def _parts(value: Any) -> list | None:
    """The arrays of a several-output value (``svd``'s ``(u, s, vh)``), else ``None``."""
    value = unbox(value)
    return [unbox(part) for part in value] if isinstance(value, (tuple, list)) else None


def is_finite(value: Any) -> bool:
    """``True`` unless ``value`` holds a NaN or an infinity (non-numbers count as finite)."""
    parts = _parts(value)
    if parts is not None:
        return all(is_finite(part) for part in parts)
    array = as_array(value)
    if not (onp.issubdtype(array.dtype, onp.inexact) or onp.issubdtype(array.dtype, onp.integer)):
        return True
    return bool(onp.all(onp.isfinite(array)))


def rms(value: Any) -> float:
    """The root mean square of the elements (0 for an empty array)."""
    parts = _parts(value)
    if parts is not None:
        value = onp.concatenate([onp.ravel(as_array(part)) for part in parts]) if parts else 0.0
    array = onp.abs(as_array(value)).astype(float)
    return float(onp.sqrt(onp.mean(array * array))) if array.size else 0.0


def norm(value: Any) -> float:
    """The Euclidean norm of all the elements."""
    parts = _parts(value)
    if parts is not None:
        return float(onp.sqrt(sum(norm(part) ** 2 for part in parts)))
    return float(onp.linalg.norm(onp.ravel(as_array(value)).astype(complex)))


def inner(a: Any, b: Any) -> float:
    """``⟨a, b⟩ = Re Σ a·b``, with no conjugate: autograd's pairing of an adjoint with a
    tangent, the one the rules follow (shapes broadcast)."""
    return float(onp.real(onp.sum(as_array(a) * as_array(b))))


def brief(value: Any, *, precision: int = 4) -> str:
    """A short text of a value: ``0.5``, ``[0. 1. nan]``, or a summary of a large array."""
    array = as_array(value)
    if array.ndim == 0:
        return f"{array.item():.{precision}g}" if onp.issubdtype(array.dtype, onp.number) else str(array)
    if array.size <= 6:
        return onp.array2string(array, precision=precision, separator=", ")
    finite = array[onp.isfinite(array)] if onp.issubdtype(array.dtype, onp.inexact) else array
    bad = array.size - finite.size
    span = f"min {finite.min():.{precision}g}, max {finite.max():.{precision}g}" if finite.size else "no finite element"
    return f"array{array.shape} ({span}{f', {bad} non-finite' if bad else ''})"
