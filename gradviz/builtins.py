"""autograd's ``builtins``: ``tuple``, ``list``, ``dict``, ``isinstance`` and ``type`` that
understand traced values.

``tuple(xs)``, ``list(xs)`` and ``dict(...)`` holding traced values give *one* traced
container (a ``tuple``/``list``/``dict`` node on the trace), which a user's primitive can take
and return whole; indexing it records an ``unpack`` node. Without traced values they are
Python's own. ``isinstance`` and ``type`` look through the box at the value, so
``isinstance(x, np.ndarray)`` holds for a traced array, and ``isinstance(c, tuple)`` for a
traced tuple.

A traced container is a plain :class:`~gradviz.engine.tracer.Box` holding one (gradviz has one
box type, so that telling a traced value stays one comparison); Python's ``isinstance(b,
SequenceBox)`` or ``DictBox`` tells which kind it holds, as autograd's box classes do. The
spaces ``TupleVSpace``, ``ListVSpace`` and ``DictVSpace`` are what ``vspace`` gives for them.

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
from gradviz.extend import (ContainerVSpace, DictVSpace, ListVSpace, SequenceVSpace,  # noqa: F401
                            TupleVSpace)

__all__ = ["tuple", "list", "dict", "isinstance", "type", "SequenceBox", "DictBox",
           "ContainerVSpace", "SequenceVSpace", "TupleVSpace", "ListVSpace", "DictVSpace"]

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


class _HoldingMeta(_type):
    """``isinstance(b, SequenceBox)``: ``b`` is a box whose value is of the kinds held."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return _isinstance(instance, _Box) and _isinstance(instance._value, cls.holds)


class SequenceBox(_Box, metaclass=_HoldingMeta):
    """A traced tuple or list (autograd's name): ``isinstance(b, SequenceBox)``."""

    __slots__ = ()
    holds = (_builtins.tuple, _builtins.list)


class DictBox(_Box, metaclass=_HoldingMeta):
    """A traced dict (autograd's name): ``isinstance(b, DictBox)``."""

    __slots__ = ()
    holds = _builtins.dict
