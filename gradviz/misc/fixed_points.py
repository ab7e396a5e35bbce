"""``fixed_point``: iterate ``x ← f(a)(x)`` to convergence, differentiable in ``a``.

The derivative does not unroll the forward iterations. At the fixed point ``x* = f(a)(x*)``,
the adjoint ``w`` of ``x*`` solves ``w = ḡ + (∂f/∂x)ᵀ w``, itself found by fixed-point
iteration (from ``w = 0``, with the same ``distance`` and ``tol``); then ``ā = (∂f/∂a)ᵀ w``.
A second derivative goes through that adjoint iteration step by step.
"""

from __future__ import annotations

from typing import Any, Callable

from gradviz.differential import make_vjp
from gradviz.extend import defvjp, primitive, vspace

__all__ = ["fixed_point"]


@primitive
def fixed_point(f: Callable, a: Any, x0: Any, distance: Callable, tol: float) -> Any:
    """Iterate ``x ← f(a)(x)`` from ``x0`` until ``distance(x, previous x) <= tol``.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> sqrt = lambda a: fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, 1.0,
        ...                              lambda x, y: np.abs(x - y), 1e-12)
        >>> round(float(sqrt(2.0)), 10), round(float(gradviz.grad(sqrt)(2.0)), 10)   # 1/(2√2)
        (1.4142135624, 0.3535533906)
    """
    step = f(a)
    x, previous = step(x0), x0
    while distance(x, previous) > tol:
        x, previous = step(x), x
    return x


def _fixed_point_vjp(ans, f, a, x0, distance, tol):
    vjp_x, _ = make_vjp(f(a))(ans)
    vjp_a, _ = make_vjp(lambda a: f(a)(ans))(a)

    def vjp(g):
        # w = ḡ + (∂f/∂x)ᵀ w by the same iteration as the forward pass, from w = 0. Written
        # out, not as a fixed_point call, so that under a second derivative the iteration is
        # recorded step by step on the outer tape (its rules only hold at this level).
        previous = vspace(x0).zeros()
        w = g + vjp_x(previous)
        while distance(w, previous) > tol:
            w, previous = g + vjp_x(w), w
        return vjp_a(w)

    return vjp


defvjp(fixed_point, None, _fixed_point_vjp, None, None, None)
