"""Traced values passed by keyword: moved to their positions before a primitive records.

A node's parents are positional (``(argnum, index)``), and every rule, the sweeps, the tables
and the saved traces read them so. A call such as ``np.dot(a, b=x)`` or
``np.clip(x, 0.0, a_max=limit)`` with ``x`` or ``limit`` traced is therefore recorded as the
positional call Python would make of it, by the raw function's own signature: each keyword
that carries a traced value, and every parameter before it, become positional arguments
(the ones not given take their defaults); untraced keywords after the last traced one stay
keywords. Nothing here runs unless a keyword argument holds a box.

A traced value that cannot take a position (a keyword-only parameter, ``**kwargs``, or
``out=``, which numpy would write into) is refused with a :class:`~gradviz.errors.RuleError`
naming it, never passed on to be silently dropped.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> gradviz.grad(lambda b: np.dot(np.array([1.0, 2.0]), b=b))(np.zeros(2))
    array([1., 2.])
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from gradviz.engine.containers import holds_box
from gradviz.errors import RuleError

__all__ = ["bind_traced_keywords"]

_LEADING = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def bind_traced_keywords(primitive: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``(args, kwargs)`` of a call of ``primitive`` with every keyword that holds a traced
    value (and every parameter before it) moved into ``args``; unchanged if none does.

    Raises:
        TypeError: as Python would, when the call does not fit the signature.
        RuleError: when a traced value is given where it cannot take a position.
    """
    traced = [key for key, value in kwargs.items() if holds_box(value)]
    if not traced:
        return args, kwargs
    signature = _signature(primitive, traced[0])
    arguments = signature.bind(*args, **kwargs).arguments  # a TypeError as Python raises it
    leading = [p for p in signature.parameters.values() if p.kind in _LEADING]
    positions = {p.name: k for k, p in enumerate(leading)}
    for key in traced:
        if key == "out" or key not in positions:
            raise _refusal(primitive, key)
    last = max(positions[key] for key in traced)
    bound = tuple(arguments.get(p.name, p.default) for p in leading[: last + 1])
    rest = {key: value for key, value in kwargs.items()
            if key not in positions or positions[key] > last}
    return bound, rest


def _signature(primitive: Any, key: str) -> inspect.Signature:
    try:
        return inspect.signature(primitive.fun)
    except (TypeError, ValueError):
        pass
    try:  # numpy before 2.3 gives its C functions no signature, only a docstring's first line
        return _documented_signature(primitive.fun)
    except (TypeError, ValueError, SyntaxError):
        raise RuleError(
            f"{primitive.name}(…, {key}=…) is given a traced value by keyword, and the "
            f"signature of {primitive.name} cannot be read to find its position: pass it "
            "positionally"
        ) from None


def _refusal(primitive: Any, key: str) -> RuleError:
    if key == "out":
        return RuleError(
            f"{primitive.name}(…, out=…) is given a traced value: a traced value cannot be "
            "written into; use the result instead (y = f(x), not f(x, out=y))"
        )
    return RuleError(
        f"{primitive.name}(…, {key}=…) is given a traced value, but {key!r} is keyword-only "
        f"in {primitive.name}'s signature, so it has no position to be recorded at and its "
        "derivative would be lost: pass it positionally, or compute it outside the "
        "differentiated function"
    )


_DOCUMENTED_CALL = re.compile(r"(\w+)\((.*)\)")


def _documented_signature(fun: Any) -> inspect.Signature:
    """The signature a C function's docstring opens with, such as numpy's
    ``dot(a, b, out=None)`` or ``where(condition, [x, y], /)``: names, literal defaults
    (read by ``ast.literal_eval``, never evaluated), ``/``, ``*`` and optional ``[…]``.

    Example:
        >>> import numpy
        >>> str(_documented_signature(numpy.dot))
        '(a, b, out=None)'
    """
    first_line = (fun.__doc__ or "").strip().split("\n", 1)[0].strip()
    match = _DOCUMENTED_CALL.fullmatch(first_line)
    if match is None or match.group(1) != getattr(fun, "__name__", None):
        raise ValueError(f"no signature line in the docstring of {fun!r}")
    parameters: list[inspect.Parameter] = []
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    depth = 0  # inside […]: optional, given no default by the docstring (ufuncs' [, signature])
    for raw in match.group(2).split(","):
        optional = depth > 0 or "[" in raw
        depth += raw.count("[") - raw.count("]")
        field = raw.replace("[", "").replace("]", "").strip()
        if not field:
            continue
        if field == "/":  # the ones before it are positional-only
            parameters = [p.replace(kind=inspect.Parameter.POSITIONAL_ONLY) for p in parameters]
        elif field == "*":
            kind = inspect.Parameter.KEYWORD_ONLY
        elif field.startswith("**"):
            parameters.append(inspect.Parameter(field[2:], inspect.Parameter.VAR_KEYWORD))
        elif field.startswith("*"):
            parameters.append(inspect.Parameter(field[1:], inspect.Parameter.VAR_POSITIONAL))
            kind = inspect.Parameter.KEYWORD_ONLY
        else:
            name, equals, default = field.partition("=")
            if equals:
                value = ast.literal_eval(default.strip())
            else:
                value = None if optional else inspect.Parameter.empty
            parameters.append(inspect.Parameter(name.strip(), kind, default=value))
    return inspect.Signature(parameters)
