"""``gradviz.scipy.integrate``: ``odeint``, differentiable in ``y0``, the times ``t`` and ``args``.

First derivatives only, in both modes: the tangent rule integrates the forward sensitivity
system, the adjoint rule integrates autograd's augmented adjoint system backwards in time,
with the same solver settings, so that gradients agree with autograd's beyond the tolerance. A time point moves
its output along the flow, ``∂y(tᵢ)/∂tᵢ = f(y(tᵢ), tᵢ)``, and the first one moves every later
output back, by ``−Φ(tᵢ, t₀)·f(y₀, t₀)``.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.scipy.integrate import odeint
    >>> decay = lambda y, t, k: -k * y
    >>> final = lambda k: odeint(decay, np.array([1.0]), np.array([0.0, 1.0]), (k,))[-1, 0]
    >>> round(float(gradviz.grad(final)(np.array(0.5))), 6)   # d/dk e^(−k) = −e^(−k)
    -0.606531
"""

from __future__ import annotations

from gradviz.engine.containers import open_boxes as _open_boxes
from gradviz.engine.tracer import Box as _Box
from gradviz.engine.tree import flatten as _flatten
from gradviz.engine.tree import unflatten as _unflatten
from gradviz.errors import GradvizError
from gradviz.rules.scipy_rules import SOLVER_OPTIONS as _SOLVER_OPTIONS
from gradviz.rules.scipy_rules import odeint_primitive as _odeint

__all__ = ["odeint"]


def odeint(func, y0, t, args=(), **options):
    """``y(t)`` for ``dy/dt = func(y, t, *args)``, ``y(t[0]) = y0``; one node on the trace.

    ``args`` may nest tuples, lists and dicts of arrays (a network's parameters): the node's
    arguments are their leaves, and ``func`` is called with them rebuilt. ``options`` are
    scipy's step controls (``rtol``, ``atol``, ``mxstep``, ``hmax`` …): the derivative's
    integrations use them too, as autograd's do, so that their numbers are autograd's.
    """
    unknown = sorted(set(options) - set(_SOLVER_OPTIONS))
    if unknown:
        raise GradvizError(
            f"odeint(..., {unknown[0]}=...) is not supported: it takes scipy's step controls "
            f"({', '.join(_SOLVER_OPTIONS)}); call scipy.integrate.odeint for the others"
        )
    if type(args) is _Box:  # a traced tuple (gradviz.builtins.tuple), opened item by item
        args = _open_boxes(args)
    if not any(type(arg) in (tuple, list, dict) or type(arg) is _Box
               and type(arg._value) in (tuple, list, dict) for arg in args):
        return _odeint(func, y0, t, *args, **options)
    leaves, treedef = _flatten(list(_open_boxes(list(args))))

    def on_leaves(y, time, *values):
        return func(y, time, *_unflatten(treedef, list(values)))

    on_leaves.__name__ = getattr(func, "__name__", "func")
    return _odeint(on_leaves, y0, t, *leaves, **options)
