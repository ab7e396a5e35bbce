"""What a tape that is swept once must keep: only the values its adjoint rules will read.

``grad`` records a tape, sweeps it backwards once and throws it away. In that sweep a value
is read by its own node's rules (the adjoint of ``tanh`` reads its output) and by the rules
of the nodes that took it as an argument (the adjoint of ``x·y`` for ``x`` reads ``y``), and
by nothing else. A *lean* tape keeps only those: every other large array is let go as soon as
the user's code drops it, as in hand-written numpy, and the allocator hands its memory, still
in cache, to the next operation. On the lecture's loss at 200 000 samples that is six of its
ten intermediate arrays.

Which parameters a rule reads is found in its bytecode, once per code object: a parameter
that is never loaded cannot be read. A rule that cannot be read that way (a builtin, a
``functools.partial``, a bound method, a ``*args`` wrapper) keeps everything. A released
array is recorded as a :class:`Released` stand-in that still answers its shape and dtype,
which the sweep reads to fit contributions.

Traces that are kept (``gradviz.trace``, ``gradviz.record()``) are never lean: they show every
value.
"""

from __future__ import annotations

import dis
import inspect
from types import CodeType, FunctionType
from typing import Any

from numpy import ndarray

__all__ = ["Released", "LARGE", "lean_record", "positions_read"]

#: Arrays with fewer elements than this are always kept: freeing them early saves nothing.
LARGE = 4096

# A rule is called as rule(seed, ans, *args): position 0 is the seed, 1 the node's value and
# 2 + i its argument i.
_ANS = 1
_FIRST_ARGUMENT = 2

_READS: dict[CodeType, frozenset[int] | None] = {}


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


def positions_read(rule: Any) -> frozenset[int] | None:
    """The call positions a rule reads (0 the seed, 1 the value, 2 + i argument i), or ``None``
    when that cannot be told (every position is then read).

    Example:
        >>> sorted(positions_read(lambda g, ans, x, y: g * y))
        [0, 3]
    """
    if type(rule) is not FunctionType:
        return None  # a bound method's positions are shifted by self; builtins have no code
    code = rule.__code__
    try:
        return _READS[code]
    except KeyError:
        _READS[code] = read = _positions_loaded(code)
        return read


def _positions_loaded(code: CodeType) -> frozenset[int] | None:
    if code.co_flags & inspect.CO_VARARGS or {"locals", "vars", "eval", "exec"} & set(code.co_names):
        return None  # takes *args, or reads its frame by name: assume it reads everything
    parameters = code.co_varnames[: code.co_argcount]
    loaded = set(code.co_cellvars)  # a parameter an inner function captures is read
    for instruction in dis.get_instructions(code):
        if instruction.opname.startswith("LOAD_FAST"):
            argval = instruction.argval
            loaded.update(argval if isinstance(argval, tuple) else (argval,))
    return frozenset(position for position, name in enumerate(parameters) if name in loaded)


def lean_record(primitive: Any, raw_args: tuple, parents: tuple, ans: Any) -> tuple[tuple, Any]:
    """``(args, value)`` to record for one node of a lean tape: large arrays that none of its
    adjoint rules reads replaced by :class:`Released` stand-ins."""
    large_ans = type(ans) is ndarray and ans.size >= LARGE
    large_args = [i for i, arg in enumerate(raw_args) if type(arg) is ndarray and arg.size >= LARGE]
    if not large_ans and not large_args:
        return raw_args, ans
    read: set[int] = set()
    for argnum, _ in parents:
        rule = primitive.vjps.get(argnum)
        if rule is None:
            continue  # no adjoint through this argument (a constant, a non-differentiable op)
        positions = positions_read(rule)
        if positions is None:
            return raw_args, ans
        read |= positions
    if large_ans and _ANS not in read:
        ans = Released(ans)
    if large_args:
        kept = list(raw_args)
        for i in large_args:
            if _FIRST_ARGUMENT + i not in read:
                kept[i] = Released(raw_args[i])
        raw_args = tuple(kept)
    return raw_args, ans
