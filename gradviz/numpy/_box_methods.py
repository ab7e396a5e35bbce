"""Operators and array methods of :class:`~gradviz.engine.tracer.Box`, one line each.

``x * y`` on a box calls :func:`gradviz.numpy.multiply`, so it is recorded like any call.
"""

from __future__ import annotations

from gradviz.engine.broadcast import shape_of
from gradviz.engine.tracer import Box, unbox
from gradviz.errors import UnsupportedTypeError
from gradviz.rules import numpy_rules as r


def _swap(function):
    return lambda self, other: function(other, self)


Box.__add__ = lambda self, other: r.add(self, other)
Box.__radd__ = _swap(r.add)
Box.__sub__ = lambda self, other: r.subtract(self, other)
Box.__rsub__ = _swap(r.subtract)
Box.__mul__ = lambda self, other: r.multiply(self, other)
Box.__rmul__ = _swap(r.multiply)
Box.__truediv__ = lambda self, other: r.divide(self, other)
Box.__rtruediv__ = _swap(r.divide)
Box.__pow__ = lambda self, other: r.power(self, other)
Box.__rpow__ = _swap(r.power)
Box.__matmul__ = lambda self, other: r.matmul(self, other)
Box.__rmatmul__ = _swap(r.matmul)
Box.__neg__ = lambda self: r.negative(self)
Box.__pos__ = lambda self: self
Box.__abs__ = lambda self: r.absolute(self)
Box.__getitem__ = lambda self, index: r.getitem(self, index)
Box.__lt__ = lambda self, other: r.less(self, other)
Box.__le__ = lambda self, other: r.less_equal(self, other)
Box.__gt__ = lambda self, other: r.greater(self, other)
Box.__ge__ = lambda self, other: r.greater_equal(self, other)
Box.__eq__ = lambda self, other: r.equal(self, other)
Box.__ne__ = lambda self, other: r.not_equal(self, other)
Box.__hash__ = object.__hash__
Box.__len__ = lambda self: len(self._value)
Box.__bool__ = lambda self: bool(self._value)
Box.__iter__ = lambda self: (self[i] for i in range(len(self)))

Box.shape = property(lambda self: shape_of(self._value))
Box.ndim = property(lambda self: len(shape_of(self._value)))
Box.size = property(lambda self: int(unbox(self._value).size) if hasattr(unbox(self._value), "size") else 1)
Box.dtype = property(lambda self: getattr(unbox(self._value), "dtype", type(unbox(self._value))))
Box.T = property(lambda self: r.transpose(self))
Box.reshape = lambda self, *shape, **kw: r.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)
Box.ravel = lambda self: r.ravel(self)
Box.flatten = lambda self: r.ravel(self)
Box.transpose = lambda self, *axes: r.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)
Box.sum = lambda self, axis=None, keepdims=False: r.sum(self, axis=axis, keepdims=keepdims)
Box.mean = lambda self, axis=None, keepdims=False: r.mean(self, axis=axis, keepdims=keepdims)
Box.dot = lambda self, other: r.dot(self, other)
Box.swapaxes = lambda self, a, b: r.swapaxes(self, a, b)


def _no_float(self):
    raise UnsupportedTypeError(
        f"cannot turn a traced value ({self.node.name}, shape {self.shape}) into a Python "
        "number while differentiating: keep it an array, or compute it outside the function"
    )


Box.__float__ = _no_float
Box.__int__ = _no_float
Box.item = _no_float
