"""Registering your own primitives and their derivatives, with autograd's signatures.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.extend import primitive, defvjp, defjvp
    >>> @primitive
    ... def logsumexp(x):
    ...     m = x.max()
    ...     return m + np.log(np.sum(np.exp(x - m)))
    >>> defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
    >>> defjvp(logsumexp, lambda t, ans, x: np.sum(t * np.exp(x - ans)))
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> np.round(gradviz.grad(logsumexp)(x), 4)
    array([0.09  , 0.2447, 0.6652])
    >>> [node.op for node in gradviz.trace(logsumexp, x)]
    ['input', 'logsumexp']
"""

from __future__ import annotations

from typing import Callable

from gradviz.engine.tracer import Box, EveryArgument, Primitive

__all__ = ["primitive", "defvjp", "defjvp", "def_linear", "defvjp_argnum", "notrace_primitive", "Box"]


def primitive(fun: Callable) -> Primitive:
    """Make ``fun`` a primitive: one node on the trace, derivatives from ``defvjp``/``defjvp``."""
    return Primitive(fun)


def notrace_primitive(fun: Callable) -> Primitive:
    """Make ``fun`` a primitive with no derivative: recorded, its value passed through."""
    return Primitive(fun, differentiable=False)


def _argnums(count: int, argnums) -> tuple[int, ...]:
    return tuple(range(count)) if argnums is None else tuple(argnums)


def defvjp(fun: Primitive, *vjpmakers, argnums=None) -> None:
    """Autograd's ``defvjp``: ``vjpmaker(ans, *args, **kwargs)`` returns ``g ↦ contribution``.

    Pass ``None`` for an argument with no derivative.
    """
    for argnum, maker in zip(_argnums(len(vjpmakers), argnums), vjpmakers):
        if maker is None:
            continue
        fun.vjps[argnum] = _vjp_from_maker(maker)


def _vjp_from_maker(maker: Callable) -> Callable:
    def vjp(g, ans, *args, **kwargs):
        return maker(ans, *args, **kwargs)(g)

    vjp.maker = maker
    return vjp


def defvjp_argnum(fun: Primitive, vjpmaker: Callable) -> None:
    """Autograd's ``defvjp_argnum``: ``vjpmaker(argnum, ans, args, kwargs)`` for every argument."""
    fun.vjps = EveryArgument(lambda argnum: _vjp_for_argnum(vjpmaker, argnum))


def _vjp_for_argnum(vjpmaker: Callable, argnum: int) -> Callable:
    return lambda g, ans, *args, **kwargs: vjpmaker(argnum, ans, args, kwargs)(g)


def defjvp(fun: Primitive, *jvpfuns, argnums=None) -> None:
    """Autograd's ``defjvp``: ``jvpfun(t, ans, *args, **kwargs)`` returns the tangent term.

    Pass ``None`` for an argument with no derivative.
    """
    for argnum, rule in zip(_argnums(len(jvpfuns), argnums), jvpfuns):
        if rule is not None:
            fun.jvps[argnum] = rule


def def_linear(fun: Primitive) -> None:
    """Declare ``fun`` linear in each argument: its tangent rule is ``fun`` applied to ``t``."""
    fun.jvps = EveryArgument(lambda argnum: _linear_jvp(fun, argnum))


def _linear_jvp(fun: Primitive, argnum: int) -> Callable:
    def jvp(t, ans, *args, **kwargs):
        args = list(args)
        args[argnum] = t
        return fun(*args, **kwargs)

    return jvp
