"""What a tape that is swept once must keep: only the values its adjoint rules will read.

``grad`` records a tape, sweeps it backwards once and throws it away. In that sweep a value
is read by its own node's rules (the adjoint of ``tanh`` reads its argument) and by the rules
of the nodes that took it as an argument (the adjoint of ``x·y`` for ``x`` reads ``y``), and
by nothing else. A *lean* tape keeps only those: every other large array is let go as soon as
the user's code drops it, as in hand-written numpy, and the allocator hands its memory, still
in cache, to the next operation. On the lecture's loss at 200 000 samples that is six of its
ten intermediate arrays.

What a rule reads is declared by its row of the rule table (``reads="x"``, ``("y", "x")``:
see :func:`gradviz.rules.defrule`), never guessed from its code. A primitive whose rules
declare nothing (a user's ``defvjp``, a rule taking ``*args``) keeps everything. A released
array is recorded as a :class:`Released` stand-in that still answers its shape and dtype,
which the sweep reads to fit contributions.

Traces that are kept (``gradviz.trace``, ``gradviz.record()``) are never lean: they show every
value.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Sequence

from numpy import ndarray

__all__ = ["Released", "LARGE", "lean_record", "declare_reads", "read_positions"]

#: Arrays with fewer elements than this are always kept: freeing them early saves nothing.
LARGE = 4096

# A rule is called as rule(seed, ans, *args): position 0 is the seed, 1 the node's value and
# 2 + i its argument i.
_ANS = 1
_FIRST_ARGUMENT = 2
_NOWHERE = math.inf  # no "*args": no position onwards is kept whole


class Released:
    """Stands for a value no rule will read: only its shape and dtype are kept.

    Example:
        >>> import numpy
        >>> r = Released(numpy.zeros((3, 2), numpy.float32))
        >>> r.shape, r.dtype, r.ndim, r.size
        ((3, 2), dtype('float32'), 2, 6)
    """

    __slots__ = ("shape", "dtype", "size")

    def __init__(self, value: ndarray):
        self.shape = value.shape
        self.dtype = value.dtype
        self.size = value.size

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<released {self.dtype} array of shape {self.shape}>"


def read_positions(rule: Callable, names: Sequence[str], first: int = 0
                   ) -> tuple[frozenset[int], float]:
    """The call positions an adjoint rule that reads ``names`` needs kept, as
    ``(positions, from)``: the named parameters, every parameter with a default (an option
    such as ``axis``), and every position from ``from`` on (a ``*args``). ``rule``'s first
    parameter stands at call position ``first`` (1 for a partial ``(ans, *args)``).

    Example:
        >>> read_positions(lambda g, ans, x, y, axis=None: g * y, ["y"])
        (frozenset({3, 4}), inf)
    """
    parameters = list(inspect.signature(rule).parameters.values())
    where = {p.name: k + first for k, p in enumerate(parameters)}
    unknown = [name for name in names if where.get(name, 0) == 0]
    if unknown:
        takes = ", ".join(name for name, k in where.items() if k)
        raise ValueError(f"reads names {unknown[0]!r}, which is not a value its adjoint rule "
                         f"takes (it takes {takes})")
    positions = {where[name] for name in names}
    keep_from = _NOWHERE
    for k, parameter in enumerate(parameters, first):
        if parameter.kind is parameter.VAR_POSITIONAL:
            keep_from = k
            break
        if parameter.default is not parameter.empty:
            positions.add(k)
    return frozenset(positions), keep_from


def declare_reads(primitive: Any, argnum: int, rule: Callable, names: str, first: int = 0
                  ) -> None:
    """Declare that ``primitive``'s adjoint rule for argument ``argnum`` reads ``names``
    (``"ans, x"``; ``""`` for nothing but the seed), which a lean tape then keeps; the names
    are ``rule``'s parameters (see :func:`read_positions` for ``first``)."""
    listed = [name.strip() for name in names.split(",") if name.strip()]
    try:
        positions = read_positions(rule, listed, first)
    except ValueError as error:
        raise ValueError(f"{primitive.name}, argument {argnum}: {error}") from None
    primitive.info.setdefault("reads", {})[argnum] = tuple(listed)
    primitive.info.setdefault("read_positions", {})[argnum] = positions


def lean_record(primitive: Any, raw_args: tuple, parents: tuple, ans: Any) -> tuple[tuple, Any]:
    """``(args, value)`` to record for one node of a lean tape: large arrays that none of its
    adjoint rules reads replaced by :class:`Released` stand-ins."""
    large_ans = type(ans) is ndarray and ans.size >= LARGE
    large_args = [i for i, arg in enumerate(raw_args) if type(arg) is ndarray and arg.size >= LARGE]
    if not large_ans and not large_args:
        return raw_args, ans
    declared = primitive.info.get("read_positions")
    if declared is None:
        return raw_args, ans  # nothing declared: every value may be read
    read: set[int] = set()
    keep_from = _NOWHERE
    for argnum, _ in parents:
        if primitive.vjp_rule(argnum) is None:
            continue  # no adjoint through this argument (a constant, a non-differentiable op)
        positions = declared.get(argnum)
        if positions is None:
            return raw_args, ans
        read |= positions[0]
        keep_from = min(keep_from, positions[1])
    if large_ans and _ANS not in read:
        ans = Released(ans)
    if large_args:
        kept = list(raw_args)
        for i in large_args:
            position = _FIRST_ARGUMENT + i
            if position not in read and position < keep_from:
                kept[i] = Released(raw_args[i])
        raw_args = tuple(kept)
    return raw_args, ans
