"""Containers as traced values: packing tuples, lists and dicts of boxes, and unpacking them.

Most code never needs this: a tuple of boxes is just a tuple, and ``params["w"]`` is the box
itself. A container becomes one traced value only when it has to cross a primitive whole:

- a container holding boxes passed to a user's primitive (``gradviz.extend.primitive``) is
  *packed*: one ``tuple``/``list``/``dict`` node whose value is the container, so the
  primitive gets one argument and its adjoint rule returns one container;
- the same passed to a numpy function (``np.mean([a, b])``, ``np.linalg.norm((x, y))``) is
  made an array first, by an ``array`` node, as numpy itself would;
- a primitive that returns a container (or ``gradviz.builtins.tuple(...)``) gives a box whose
  value is a container; indexing or iterating it records one ``unpack`` node per item.

The tangent or adjoint of a container is an :class:`Items` or :class:`Entries`, the same
container whose ``+`` adds item by item. Nothing here runs unless a container meets a
primitive: the recorder looks only after it has found no box among the arguments.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as onp

from gradviz.engine.tracer import Box, Primitive, unbox

__all__ = ["Items", "Entries", "pack", "unpack", "holds_box", "with_containers_boxed",
           "addable", "zeros_like_tree", "CONTAINER_TYPES"]

CONTAINER_TYPES = (tuple, list, dict)

#: How a numpy primitive takes a container holding boxes: as an array (``np.array``), set
#: by :mod:`gradviz.numpy`, which owns that rule.
to_array: Callable[[Any], Any] | None = None


class Items(tuple):
    """The tangent or adjoint of a tuple or list: added item by item."""

    __slots__ = ()

    def __add__(self, other):  # type: ignore[override]
        return Items(a + b for a, b in zip(self, other))

    __radd__ = __add__


class Entries(dict):
    """The tangent or adjoint of a dict: added entry by entry."""

    def __add__(self, other):
        return Entries((key, value + other[key]) for key, value in self.items())

    __radd__ = __add__


def addable(value: Any) -> Any:
    """``value`` as :class:`Items`/:class:`Entries` when it is a container (a user's rule may
    return a plain one), so that contributions from several uses add up."""
    kind = type(value)
    if kind is tuple or kind is list:
        return Items(value)
    if kind is dict:
        return Entries(value)
    return value


def zeros_like_tree(value: Any) -> Any:
    """Zeros shaped like ``value``, a container or not (float zeros for integers)."""
    value = unbox(value)
    kind = type(value)
    if kind in (tuple, list, Items):
        return Items(zeros_like_tree(item) for item in value)
    if kind in (dict, Entries):
        return Entries((key, zeros_like_tree(item)) for key, item in value.items())
    dtype = getattr(value, "dtype", None)
    if dtype is None or dtype.kind not in "fc":
        dtype = onp.dtype(onp.float64) if not isinstance(value, complex) else onp.dtype(complex)
    return onp.zeros(onp.shape(value), dtype) if onp.ndim(value) else dtype.type(0.0)


def holds_box(value: Any) -> bool:
    """Whether a box is anywhere inside ``value`` (containers nest a few levels at most)."""
    if isinstance(value, Box):  # Box, or a box of a user's own value type
        return True
    kind = type(value)
    if kind is tuple or kind is list:
        return any(holds_box(item) for item in value)
    if kind is dict:
        return any(holds_box(item) for item in value.values())
    return False


# --- packing -------------------------------------------------------------------------------------


def _one_item(position: int) -> Callable:
    return lambda g, ans, *items, **keys: g[position] if not keys else g[keys["keys"][position]]


def _item_tangent(position: int) -> Callable:
    def jvp(t, ans, *items, keys=None):
        parts = [t if k == position else zeros_like_tree(item) for k, item in enumerate(items)]
        return Items(parts) if keys is None else Entries(zip(keys, parts))

    return jvp


def _one(position: int) -> str:
    return "1"  # each item is its own part of the container


def _packer(kind: type, name: str) -> Primitive:
    if kind is dict:
        primitive = Primitive(lambda *items, keys: dict(zip(keys, items)), name)
    else:
        primitive = Primitive(lambda *items: kind(items), name)
    primitive.jvp_for = _item_tangent
    primitive.vjp_for = _one_item
    primitive.partial_for = _one
    primitive.info["container"] = True
    return primitive


PACKERS = {kind: _packer(kind, kind.__name__) for kind in CONTAINER_TYPES}


def pack(value: Any) -> Any:
    """``value`` as one traced container (inner containers packed first), if it holds boxes."""
    kind = type(value)
    if kind not in CONTAINER_TYPES or not holds_box(value):
        return value
    if kind is dict:
        keys = tuple(value)
        return PACKERS[dict](*[pack(value[key]) for key in keys], keys=keys)
    return PACKERS[kind](*[pack(item) for item in value])


def _unpack_adjoint(g, ans, container, key):
    """ȳ in the item's own place, zeros in the others."""
    adjoint = zeros_like_tree(container)
    if type(adjoint) is Items:
        return Items(g if k == key else item for k, item in enumerate(adjoint))
    adjoint[key] = g
    return adjoint


unpack = Primitive(lambda container, key: container[key], "unpack")
unpack.jvps[0] = lambda t, ans, container, key: t[key]
unpack.vjps[0] = _unpack_adjoint
unpack.partials[0] = "1"
unpack.info["container"] = True


def with_containers_boxed(primitive: Primitive, args: tuple) -> tuple | None:
    """``args`` with every container that holds boxes made one traced value (packed for a
    user's primitive, an array for a numpy one), or ``None`` if there is none."""
    if not any(type(arg) in CONTAINER_TYPES and holds_box(arg) for arg in args):
        return None
    numpy_rule = "domain" in primitive.info and to_array is not None
    convert = to_array if numpy_rule else pack
    return tuple(convert(arg) if type(arg) in CONTAINER_TYPES and holds_box(arg) else arg
                 for arg in args)


def open_boxes(value: Any) -> Any:
    """An output with every box whose value is a container opened into a container of
    ``unpack`` boxes, so that each item is seeded and swept on its own."""
    if type(value) is Box and type(value._value) in CONTAINER_TYPES:
        raw = value._value
        if type(raw) is dict:
            return {key: open_boxes(unpack(value, key)) for key in raw}
        return type(raw)(open_boxes(unpack(value, k)) for k in range(len(raw)))
    kind = type(value)
    if kind is tuple or kind is list:
        return kind(open_boxes(item) for item in value)
    if kind is dict:
        return {key: open_boxes(item) for key, item in value.items()}
    return value


# --- a dict's methods on a box holding a dict ------------------------------------------------------

Box.keys = lambda self: unbox(self).keys()
Box.values = lambda self: [self[key] for key in unbox(self)]
Box.items = lambda self: [(key, self[key]) for key in unbox(self)]
Box.get = lambda self, key, default=None: self[key] if key in unbox(self) else default
Box.__contains__ = lambda self, item: item in unbox(self)
