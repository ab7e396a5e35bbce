"""autograd's ``builtins``: ``tuple``, ``list``, ``dict``, ``isinstance`` and ``type`` that
understand traced values.

``tuple(xs)``, ``list(xs)`` and ``dict(...)`` holding traced values give *one* traced
container (a ``tuple``/``list``/``dict`` node on the trace), which a user's primitive can take
and return whole; indexing it records an ``unpack`` node. Without traced values they are
Python's own. ``isinstance`` and ``type`` look through the box at the value, so
``isinstance(x, np.ndarray)`` holds for a traced array, and ``isinstance(c, tuple)`` for a
traced tuple.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.builtins import tuple, isinstance
    >>> def f(x):
    ...     pair = tuple((np.sin(x), x ** 2))
    ...     assert isinstance(pair, tuple)
    ...     return pair[0] * pair[1]
    >>> round(float(gradviz.grad(f)(1.0)), 6)   # cos x · x² + sin x · 2x
    2.223244
    >>> [node.op for node in gradviz.trace(f, 1.0, forward=False)][:5]
    ['input', 'sin', 'power', 'tuple', 'unpack']
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any

from gradviz.engine.containers import holds_box as _holds_box
from gradviz.engine.containers import pack as _pack
from gradviz.engine.tracer import Box as _Box
from gradviz.engine.tracer import unbox as _unbox

__all__ = ["tuple", "list", "dict", "isinstance", "type"]

_isinstance = _builtins.isinstance
_type = _builtins.type


def isinstance(obj: Any, classinfo: Any) -> bool:  # noqa: A001 - autograd's name
    """Python's ``isinstance`` of the value inside a traced ``obj``."""
    return _isinstance(_unbox(obj), classinfo)


def type(obj: Any, *rest: Any) -> Any:  # noqa: A001
    """Python's ``type`` of the value inside a traced ``obj`` (the three-argument form as is)."""
    if rest:
        return _type(obj, *rest)
    return _type(_unbox(obj))


class _ContainerMeta(_type):
    """``isinstance(x, gradviz.builtins.tuple)`` holds for a plain tuple and a traced one."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return _isinstance(_unbox(instance), cls.__mro__[1])


class tuple(_builtins.tuple, metaclass=_ContainerMeta):  # noqa: A001
    """``tuple(xs)``: one traced tuple if any item is traced, else Python's tuple."""

    def __new__(cls, xs=()):
        items = _builtins.tuple(xs)
        return _pack(items) if _holds_box(items) else items


class list(_builtins.list, metaclass=_ContainerMeta):  # noqa: A001
    """``list(xs)``: one traced list if any item is traced, else Python's list."""

    def __new__(cls, xs=()):
        items = _builtins.list(xs)
        return _pack(items) if _holds_box(items) else items


class dict(_builtins.dict, metaclass=_ContainerMeta):  # noqa: A001
    """``dict(...)`` as Python's: one traced dict if any value is traced."""

    def __new__(cls, *args, **kwargs):
        entries = _builtins.dict(*args, **kwargs)
        return _pack(entries) if _holds_box(entries) else entries
