"""The differentiation rules: one table, tangent and adjoint side by side.

:func:`defrule` turns a numpy function into a :class:`~gradviz.engine.tracer.Primitive`
carrying its rules, its display partials, what its adjoint rules read of the forward pass
(``reads=``: what a tape swept once must keep) and the domain its tests draw inputs from, and
registers it in :data:`RULES`. The tables themselves are :mod:`gradviz.rules.numpy_rules`
(and the linear-algebra, FFT and scipy tables beside it).

An elementwise row whose tangent and adjoint are ``t·∂`` and ``g·∂`` states its partial once,
``partial=lambda ans, x: cos(x)``: both rules are made from it, and the value the tables and
the graph show for that edge is it too (:func:`gradviz.export.notation.partial_value`).

A rule's signature is ``jvp(t, ans, *args, **kwargs)`` / ``vjp(g, ans, *args, **kwargs)``:
``t`` the incoming tangent of one argument, ``g`` the incoming adjoint of the output, ``ans``
the output, then the primitive's own arguments. A rule returns its argument's term; the
sweeps sum the terms and fix broadcasting, so a rule reads like the lecture's formula.
"""

from __future__ import annotations

import inspect
from typing import Callable, Sequence

from gradviz.engine.liveness import declare_reads
from gradviz.engine.tracer import Primitive
from gradviz.rules.domains import Domain, REALS

__all__ = ["defrule", "defnondiff", "RULES", "NONDIFFERENTIABLE", "Domain"]

#: Every differentiable primitive gradviz knows, by name.
RULES: dict[str, Primitive] = {}
#: Every primitive recorded as non-differentiable, by name.
NONDIFFERENTIABLE: dict[str, Primitive] = {}


def _as_tuple(rules) -> tuple:
    if rules is None:
        return ()
    return tuple(rules) if isinstance(rules, (tuple, list)) else (rules,)


def defrule(
    fun: Callable,
    partials: str | Sequence[str] | None,
    domain: Domain = REALS,
    *,
    jvp: Callable | Sequence[Callable | None] | None = None,
    vjp: Callable | Sequence[Callable | None] | None = None,
    partial: Callable | Sequence[Callable | None] | None = None,
    reads: str | Sequence[str | None] | None = None,
    name: str | None = None,
    table: dict[str, Primitive] | None = None,
    **info,
) -> Primitive:
    """Make ``fun`` a primitive with one JVP and one VJP rule per differentiable argument.

    Args:
        fun: the raw function.
        partials: the display form of ``∂ans/∂arg`` per argument, ``"cos {0}"`` (``{0}``,
            ``{1}`` name the arguments, ``{ans}`` the output); ``None`` for none.
        domain: where the rule's tests draw inputs from.
        jvp: the tangent rule(s), in argument order; ``None`` for an argument with none.
        vjp: the adjoint rule(s), in argument order.
        partial: instead of ``jvp`` and ``vjp``, for an elementwise row: the local partial
            ``∂ans/∂arg`` per argument, ``partial(ans, *args)``, stated once; the tangent rule
            is then ``t·partial``, the adjoint rule ``g·partial`` and the value shown on the
            edge ``partial`` itself; ``reads`` names the partial's parameters.
        reads: what each adjoint rule reads of the forward pass, in argument order:
            ``"ans"``, ``"x"``, ``"ans, y"`` (its parameters' names), ``""`` for nothing
            but ``g``. A tape swept once keeps only these (see
            :mod:`gradviz.engine.liveness`); options with defaults are always kept. ``None``
            (undeclared) keeps everything.
        name: the name shown on the graph (``fun.__name__`` by default).
        info: extra facts the tests and the debugger read (``smooth=False``,
            ``elementwise=True``, ``matrices=…``).
    """
    primitive = Primitive(fun, name)
    if partial is not None:
        jvp, vjp = _rules_from_partials(_as_tuple(partial))
        for argnum, local in enumerate(_as_tuple(partial)):
            if local is not None:
                primitive.local_partials[argnum] = local
        info.setdefault("elementwise", True)  # a partial that multiplies is an elementwise one
    for argnum, rule in enumerate(_as_tuple(jvp)):
        if rule is not None:
            primitive.jvps[argnum] = rule
    for argnum, rule in enumerate(_as_tuple(vjp)):
        if rule is not None:
            primitive.vjps[argnum] = rule
    if reads is not None and partial is not None:
        _declare_reads(primitive, _as_tuple(partial), _as_tuple(reads), first=1)
    elif reads is not None:
        _declare_reads(primitive, _as_tuple(vjp), _as_tuple(reads))
    for argnum, template in enumerate(_as_tuple(partials)):
        primitive.partials[argnum] = template
    primitive.info.update(info, domain=domain)
    (RULES if table is None else table)[primitive.name] = primitive
    return primitive


def _declare_reads(primitive: Primitive, rules: tuple, reads: tuple, first: int = 0) -> None:
    if len(reads) != len(rules):
        raise ValueError(f"{primitive.name}: {len(reads)} reads for {len(rules)} adjoint rules")
    for argnum, (rule, names) in enumerate(zip(rules, reads)):
        if rule is not None:
            declare_reads(primitive, argnum, rule, names, first)


def _rules_from_partials(partials: tuple) -> tuple[tuple, tuple]:
    """The tangent rules ``t·∂`` and adjoint rules ``g·∂`` of an elementwise row's partials."""
    pairs = [_rules_from_partial(partial) for partial in partials]
    return tuple(tangent for tangent, _ in pairs), tuple(adjoint for _, adjoint in pairs)


def _rules_from_partial(partial: Callable | None) -> tuple[Callable | None, Callable | None]:
    # A rule runs once per node and argument in every sweep: the usual partials, of one or two
    # plain arguments, get rules with those arguments named, as a row written out has them
    # (passing them on as *args costs a quarter of a microsecond more per call).
    if partial is None:
        return None, None
    arity = _plain_arity(partial)
    if arity == 1:
        return (lambda t, ans, x: t * partial(ans, x)), (lambda g, ans, x: g * partial(ans, x))
    if arity == 2:
        return ((lambda t, ans, x, y: t * partial(ans, x, y)),
                (lambda g, ans, x, y: g * partial(ans, x, y)))
    return ((lambda t, ans, *args: t * partial(ans, *args)),
            (lambda g, ans, *args: g * partial(ans, *args)))


def _plain_arity(partial: Callable) -> int | None:
    """How many arguments ``partial(ans, …)`` takes after ``ans`` when all are plain positional
    ones without defaults; ``None`` otherwise."""
    try:
        parameters = list(inspect.signature(partial).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    plain = all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in parameters)
    return len(parameters) if plain else None


def defnondiff(fun: Callable, name: str | None = None) -> Primitive:
    """Make ``fun`` a primitive that is recorded but has no derivative (``floor``, ``argmax``)."""
    primitive = Primitive(fun, name, differentiable=False)
    NONDIFFERENTIABLE[primitive.name] = primitive
    return primitive
