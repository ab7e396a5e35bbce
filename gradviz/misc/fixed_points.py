"""``fixed_point``: iterate ``x ← f(a)(x)`` to convergence, differentiable in ``a``.

The derivative does not unroll the forward iterations. At the fixed point ``x* = f(a)(x*)``,
the adjoint ``w`` of ``x*`` solves ``w = ḡ + (∂f/∂x)ᵀ w``, itself found by fixed-point
iteration (from ``w = 0``, with the same ``distance`` and ``tol``); then ``ā = (∂f/∂a)ᵀ w``.
That adjoint iteration is itself a ``fixed_point`` in ``(a, x*, ḡ)``, so a second derivative
is found the same way, without unrolling either iteration.
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


def _adjoint_step(f):
    """The adjoint iteration as a fixed_point problem of its own: ``w ← (∂f/∂x)ᵀ w + ḡ`` at
    ``(a, x*, ḡ)``. Its step is built from those three, not closed over, so that a second
    derivative differentiates it by this same rule."""

    def step(params):
        a, x_star, g = params
        vjp_x, _ = make_vjp(f(a))(x_star)
        return lambda w: vjp_x(w) + g

    return step


def _fixed_point_vjp(ans, f, a, x0, distance, tol):
    vjp_a, _ = make_vjp(lambda a, x: f(a)(x))(a, ans)

    def vjp(g):
        # w = ḡ + (∂f/∂x)ᵀ w by the same iteration as the forward pass, from w = 0 (as
        # autograd iterates it, so that every order's numbers are autograd's).
        w = fixed_point(_adjoint_step(f), (a, ans, g), vspace(x0).zeros(), distance, tol)
        return vjp_a(w)

    return vjp


defvjp(fixed_point, None, _fixed_point_vjp, None, None, None)
