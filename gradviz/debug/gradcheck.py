"""Checking derivatives against finite differences and against the other mode.

Forward mode is checked against central finite differences,
``∂f(x)·v ≈ (f(x + εv) − f(x − εv)) / 2ε``; reverse mode against forward mode by the
dot-product identity ``⟨u, J v⟩ = ⟨Jᵀu, v⟩``, which needs no finite differences at all.
Order 2 checks the derivatives of the derivative the same way.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as onp

from gradviz.differential import jvp, vjp
from gradviz.engine.tracer import unbox
from gradviz.engine.tree import flatten, unflatten
from gradviz.errors import GradvizError

__all__ = ["check_grads", "GradientCheckError", "tolerances"]


class GradientCheckError(GradvizError, AssertionError):
    """A derivative disagreed with finite differences or with the other mode."""


def tolerances(*values: Any) -> tuple[float, float, float]:
    """``(eps, rtol, atol)`` that suit the lowest float precision among ``values``."""
    single = any(getattr(unbox(v), "dtype", None) in (onp.float32, onp.complex64) for v in values)
    return (1e-2, 2e-2, 2e-3) if single else (1e-6, 1e-5, 1e-6)


def _random_like(value: Any, rng: onp.random.Generator) -> Any:
    raw = onp.asarray(unbox(value))
    dtype = raw.dtype if onp.issubdtype(raw.dtype, onp.inexact) else onp.float64
    sample = rng.standard_normal(raw.shape).astype(dtype)
    if onp.issubdtype(dtype, onp.complexfloating):
        sample = sample + 1j * rng.standard_normal(raw.shape).astype(dtype)
    return sample if raw.shape else dtype.type(sample)


def _inner(a: Any, b: Any) -> float:
    a_leaves, _ = flatten(a)
    b_leaves, _ = flatten(b)
    return float(sum(onp.real(onp.vdot(onp.asarray(unbox(x)), onp.asarray(unbox(y))))
                     for x, y in zip(a_leaves, b_leaves)))


def _shift(args: Sequence, direction: Sequence, scale: float) -> list:
    shifted = []
    for arg, step in zip(args, direction):
        leaves, treedef = flatten(arg)
        steps, _ = flatten(step)
        shifted.append(unflatten(treedef, [x + scale * d for x, d in zip(leaves, steps)]))
    return shifted


def _numerical_jvp(f: Callable, args: Sequence, direction: Sequence, eps: float) -> Any:
    plus = f(*_shift(args, direction, eps))
    minus = f(*_shift(args, direction, -eps))
    plus_leaves, treedef = flatten(plus)
    minus_leaves, _ = flatten(minus)
    return unflatten(treedef, [(onp.asarray(p) - onp.asarray(m)) / (2 * eps)
                               for p, m in zip(plus_leaves, minus_leaves)])


def _close(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    got_leaves, _ = flatten(got)
    expected_leaves, _ = flatten(expected)
    return all(onp.allclose(onp.asarray(unbox(g)), onp.asarray(unbox(e)), rtol=rtol, atol=atol)
               for g, e in zip(got_leaves, expected_leaves))


def check_grads(
    f: Callable,
    *args: Any,
    modes: Sequence[str] = ("fwd", "rev"),
    order: int = 2,
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """Check ``f``'s derivatives at ``args``, raising :class:`GradientCheckError` if wrong.

    ``"fwd"`` compares a forward sweep with central finite differences, ``"rev"`` compares a
    reverse sweep with a forward sweep by ``⟨u, J v⟩ = ⟨Jᵀu, v⟩``, each along random
    directions; ``order=2`` repeats both on the derivatives themselves.

    Example:
        >>> import gradviz.numpy as np
        >>> check_grads(lambda x: np.sin(x) * x, np.array([0.3, 1.2]))
    """
    default_eps, default_rtol, default_atol = tolerances(*flatten(list(args))[0])
    eps = default_eps if eps is None else eps
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    rng = onp.random.default_rng(seed)
    _check_once(f, args, modes, order, eps, rtol, atol, rng)


def _check_once(f, args, modes, order, eps, rtol, atol, rng) -> None:
    direction = [unflatten(flatten(a)[1], [_random_like(x, rng) for x in flatten(a)[0]]) for a in args]
    out, tangent = jvp(f, args, direction)
    name = getattr(f, "__name__", "f")
    if "fwd" in modes:
        expected = _numerical_jvp(f, args, direction, eps)
        if not _close(tangent, expected, rtol, atol):
            raise GradientCheckError(
                f"forward mode of {name}() disagrees with finite differences: "
                f"got {_brief(tangent)}, expected {_brief(expected)}"
            )
    if "rev" in modes:
        out_leaves, out_treedef = flatten(out)
        u = unflatten(out_treedef, [_random_like(leaf, rng) for leaf in out_leaves])
        _, vjp_fn = vjp(f, *args)
        cotangents = vjp_fn(u)
        left, right = _inner(u, tangent), _inner(cotangents, direction)
        if not onp.isclose(left, right, rtol=rtol, atol=atol):
            raise GradientCheckError(
                f"reverse mode of {name}() disagrees with forward mode: "
                f"⟨u, J v⟩ = {left:.6g} but ⟨Jᵀu, v⟩ = {right:.6g}"
            )
    if order > 1:
        def directional(*xs):
            return jvp(f, xs, direction)[1]

        directional.__name__ = f"d{name}"
        _check_once(directional, args, modes, order - 1, eps, rtol, atol, rng)


def _brief(value: Any) -> str:
    leaves, _ = flatten(value)
    return ", ".join(onp.array2string(onp.asarray(unbox(v)), precision=6, threshold=8) for v in leaves)
