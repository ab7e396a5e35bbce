"""``np.r_`` and ``np.c_`` on traced values: numpy's index-expression joins, recorded as one
``concatenate`` node.

numpy's own ``r_`` turns its pieces into arrays with ``numpy.array``, which makes an array
of boxes out of traced values and loses their derivatives; these build the same pieces with
gradviz's ``reshape``/``transpose`` and join them with gradviz's ``concatenate``. Without a
traced value among the pieces, numpy's own object does the work (slices like ``r_[0:5]``
and the matrix directives ``'r'``/``'c'`` included).

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> gradviz.grad(lambda x: np.sum(np.r_[x, 2.0 * x] ** 2))(np.array([1.0, -1.0]))
    array([ 10., -10.])
    >>> np.c_[np.array([1, 2]), np.array([3, 4])]
    array([[1, 3],
           [2, 4]])
"""

from __future__ import annotations

import numpy as _onp

from gradviz.engine.tracer import Box
from gradviz.errors import UnsupportedTypeError
from gradviz.rules import numpy_rules as _rules


def _holds_box(value) -> bool:
    if type(value) is Box:
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_box(item) for item in value)
    return False


def _directive(text: str) -> tuple[int, int, int]:
    """``'axis[,ndmin[,trans1d]]'`` as three numbers, numpy's defaults for the missing ones."""
    parts = text.split(",")
    if len(parts) > 3 or not all(part.strip().lstrip("-").isdigit() for part in parts):
        raise UnsupportedTypeError(
            f"gradviz.numpy.r_[{text!r}, …] on traced values: only the directive "
            "'axis[,ndmin[,trans1d]]' is supported, not the matrix forms 'r' and 'c'"
        )
    numbers = [int(part) for part in parts] + [0, 1, -1][len(parts):]
    return numbers[0], numbers[1], numbers[2]


def _piece(item, ndmin: int, trans1d: int):
    """``item`` as numpy's ``r_`` makes it: at least ``ndmin`` axes, a short array's own axes
    placed at ``trans1d`` (``c_`` turns a vector into a column this way)."""
    if isinstance(item, slice):
        if _holds_box([item.start, item.stop, item.step]):
            raise UnsupportedTypeError("gradviz.numpy.r_: a slice's bounds cannot be traced")
        item = _onp.r_[item]
    if isinstance(item, (list, tuple)):
        item = _rules.array(item)
    shape = _rules._shape(item)
    if len(shape) >= ndmin:
        return item
    item = _rules.reshape(item, (1,) * (ndmin - len(shape)) + tuple(shape))
    if trans1d == -1 or not shape:
        return item
    new_axes = ndmin - len(shape)
    first = trans1d + new_axes + 1 if trans1d < 0 else trans1d
    axes = list(range(ndmin))
    order = axes[:first] + axes[new_axes:] + axes[first:new_axes]
    return _rules.transpose(item, tuple(order))


class _Joiner:
    """An object indexed like numpy's ``r_`` (``numpy_object``) that also keeps derivatives."""

    def __init__(self, numpy_object, axis: int, ndmin: int, trans1d: int):
        self._numpy = numpy_object
        self._defaults = (axis, ndmin, trans1d)

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        if not _holds_box(list(items)):
            return self._numpy[key]
        axis, ndmin, trans1d = self._defaults
        if isinstance(items[0], str):
            axis, ndmin, trans1d = _directive(items[0])
            items = items[1:]
        pieces = [_piece(item, ndmin, trans1d) for item in items]
        return _rules.concatenate(pieces, axis=axis)

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"gradviz.numpy.{'c_' if self._defaults[0] == -1 else 'r_'}"


#: numpy's ``r_``: pieces joined along the first axis.
r_ = _Joiner(_onp.r_, 0, 1, -1)
#: numpy's ``c_``: pieces joined along the last axis, vectors taken as columns.
c_ = _Joiner(_onp.c_, -1, 2, 0)
