"""``checkpoint(f)``: trade compute for memory by recomputing ``f`` in the sweeps.

A checkpointed function is one node on the trace: its inner operations are not recorded
while the function being differentiated runs, so none of their values are kept. A sweep that
reaches the node runs ``f`` again on that node's arguments, under its own short-lived
differentiation, and takes the tangent or adjoint from there. Higher order works: the
recomputation is itself recorded by any enclosing differentiation.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.checkpoint import checkpoint
    >>> block = checkpoint(lambda x: np.tanh(np.sin(x) * 3.0))
    >>> f = lambda x: np.sum(block(block(x)))
    >>> x = np.array([0.1, 0.4])
    >>> [node.op for node in gradviz.trace(f, x)]
    ['input', 'checkpoint(<lambda>)', 'checkpoint(<lambda>)', 'sum']
    >>> np.allclose(gradviz.grad(f)(x),
    ...             gradviz.grad(lambda x: np.sum(np.tanh(np.sin(np.tanh(np.sin(x) * 3.0)) * 3.0)))(x))
    True
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from gradviz.engine.tracer import Primitive

__all__ = ["checkpoint"]


def _with_argument(fun: Callable, args: tuple, kwargs: dict, argnum: int) -> Callable:
    """``fun`` as a function of argument ``argnum`` alone, the others held fixed."""

    def partial(x):
        values = list(args)
        values[argnum] = x
        return fun(*values, **kwargs)

    return partial


def checkpoint(fun: Callable) -> Callable:
    """Wrap ``fun`` (arrays in, one array out) so that it is recomputed, not stored.

    Each argument's tangent rule reruns ``fun`` under ``jvp``, and each argument's adjoint
    rule reruns it under ``vjp`` (one rerun per differentiated argument).
    """
    from gradviz.differential import jvp, vjp

    name = getattr(fun, "__name__", "function")
    primitive = Primitive(fun, f"checkpoint({name})")

    def tangent_rule(argnum: int) -> Callable:
        def rule(t, ans, *args, **kwargs):
            return jvp(_with_argument(fun, args, kwargs, argnum), (args[argnum],), (t,))[1]

        return rule

    def adjoint_rule(argnum: int) -> Callable:
        def rule(g, ans, *args, **kwargs):
            return vjp(_with_argument(fun, args, kwargs, argnum), args[argnum])[1](g)[0]

        return rule

    primitive.info["checkpointed"] = fun  # the debugger reruns it to blame the op inside
    primitive.jvp_for = tangent_rule
    primitive.vjp_for = adjoint_rule

    @wraps(fun)
    def checkpointed(*args, **kwargs):
        return primitive(*args, **kwargs)

    checkpointed.primitive = primitive  # type: ignore[attr-defined]
    return checkpointed
