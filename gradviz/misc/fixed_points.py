"""``fixed_point``: iterate ``x ← f(a)(x)`` to convergence, differentiable in ``a``.

The derivative does not unroll the iterations. At the fixed point ``x* = f(a)(x*)``, the
adjoint ``w`` of ``x*`` solves ``w = ḡ + (∂f/∂x)ᵀ w``, itself found by fixed-point
iteration (from ``w = 0``, with the same ``distance`` and ``tol``); then ``ā = (∂f/∂a)ᵀ w``.
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

    def adjoint_step(a_and_g):
        g = a_and_g[1]
        return lambda w: g + vjp_x(w)

    def vjp(g):
        w = fixed_point(adjoint_step, (a, g), vspace(x0).zeros(), distance, tol)
        return vjp_a(w)

    return vjp


defvjp(fixed_point, None, _fixed_point_vjp, None, None, None)
