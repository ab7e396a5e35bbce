"""Operators and array methods of :class:`~gradviz.engine.tracer.Box`, one line each.

``x * y`` on a box calls :func:`gradviz.numpy.multiply`, so it is recorded like any call;
``x.sum()`` calls :func:`gradviz.numpy.sum`, and so on, with numpy's method signatures.
"""

from __future__ import annotations

import numpy

from gradviz.engine.broadcast import shape_of
from gradviz.engine.containers import CONTAINER_TYPES, unpack
from gradviz.engine.tracer import Box, operator_method, unbox
from gradviz.errors import UnsupportedTypeError
from gradviz.rules import numpy_rules as r


def _operator(primitive):
    """``box ∘ other``."""
    return operator_method(primitive)


def _swap(primitive):
    """``other ∘ box``, the reflected operator."""
    return operator_method(primitive, reflected=True)


def _unary(primitive):
    call = primitive.__call__
    return lambda self: call(self)


def _shape_argument(shape: tuple):
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both mean shape ``(2, 3)``."""
    return shape[0] if len(shape) == 1 else shape


# --- operators --------------------------------------------------------------------------------
Box.__add__ = _operator(r.add)
Box.__radd__ = _swap(r.add)
Box.__sub__ = _operator(r.subtract)
Box.__rsub__ = _swap(r.subtract)
Box.__mul__ = _operator(r.multiply)
Box.__rmul__ = _swap(r.multiply)
Box.__truediv__ = _operator(r.divide)
Box.__rtruediv__ = _swap(r.divide)
Box.__floordiv__ = _operator(r.floor_divide)
Box.__rfloordiv__ = _swap(r.floor_divide)
Box.__mod__ = _operator(r.remainder)
Box.__rmod__ = _swap(r.remainder)
Box.__pow__ = _operator(r.power)
Box.__rpow__ = _swap(r.power)
Box.__matmul__ = _operator(r.matmul)
Box.__rmatmul__ = _swap(r.matmul)
Box.__neg__ = _unary(r.negative)
Box.__pos__ = lambda self: self
Box.__abs__ = lambda self: r.absolute(self)


def _getitem(self, index):
    value = self._value
    if type(value) is Box:  # higher order: the container, if any, is under the inner boxes
        value = unbox(value)
    return unpack(self, index) if type(value) in CONTAINER_TYPES else r.getitem(self, index)


Box.__getitem__ = _getitem
Box.__lt__ = _operator(r.less)
Box.__le__ = _operator(r.less_equal)
Box.__gt__ = _operator(r.greater)
Box.__ge__ = _operator(r.greater_equal)
Box.__eq__ = _operator(r.equal)
Box.__ne__ = _operator(r.not_equal)
Box.__hash__ = object.__hash__
Box.__len__ = lambda self: len(self._value)
Box.__bool__ = lambda self: bool(self._value)
Box.__iter__ = lambda self: (self[i] for i in range(len(self)))

# --- attributes -------------------------------------------------------------------------------
Box.shape = property(lambda self: shape_of(self._value))
Box.ndim = property(lambda self: len(shape_of(self._value)))
Box.size = property(lambda self: int(unbox(self._value).size) if hasattr(unbox(self._value), "size") else 1)
Box.dtype = property(lambda self: getattr(unbox(self._value), "dtype", type(unbox(self._value))))
Box.T = property(lambda self: r.transpose(self))
Box.real = property(lambda self: r.real(self))
Box.imag = property(lambda self: r.imag(self))

# --- methods with a derivative ----------------------------------------------------------------
Box.reshape = lambda self, *shape, **kw: r.reshape(self, _shape_argument(shape), **kw)
Box.ravel = lambda self, order="C": r.ravel(self, order)
Box.flatten = lambda self, order="C": r.ravel(self, order)
Box.squeeze = lambda self, axis=None: r.squeeze(self, axis)
Box.transpose = lambda self, *axes: r.transpose(self, _shape_argument(axes) if axes else None)
Box.swapaxes = lambda self, axis1, axis2: r.swapaxes(self, axis1, axis2)
Box.astype = lambda self, dtype, **kw: r.astype(self, dtype, **kw)
Box.sum = lambda self, axis=None, dtype=None, out=None, keepdims=False: r.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)
Box.mean = lambda self, axis=None, dtype=None, out=None, keepdims=False: r.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)
Box.prod = lambda self, axis=None, dtype=None, out=None, keepdims=False: r.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)
Box.max = lambda self, axis=None, out=None, keepdims=False: r.max(self, axis=axis, keepdims=keepdims)
Box.min = lambda self, axis=None, out=None, keepdims=False: r.min(self, axis=axis, keepdims=keepdims)
Box.var = lambda self, axis=None, dtype=None, out=None, ddof=0, keepdims=False: r.var(self, axis=axis, ddof=ddof, keepdims=keepdims)
Box.std = lambda self, axis=None, dtype=None, out=None, ddof=0, keepdims=False: r.std(self, axis=axis, ddof=ddof, keepdims=keepdims)
Box.cumsum = lambda self, axis=None, dtype=None, out=None: r.cumsum(self, axis=axis)
Box.clip = lambda self, min=None, max=None, **kw: r.clip(self, min, max, **kw)  # noqa: A002
Box.dot = _operator(r.dot)
Box.conj = lambda self: r.conjugate(self)
Box.conjugate = lambda self: r.conjugate(self)
Box.diagonal = lambda self, offset=0, axis1=0, axis2=1: r.diagonal(self, offset, axis1, axis2)
Box.trace = lambda self, offset=0, axis1=0, axis2=1: r.trace(self, offset, axis1, axis2)
Box.repeat = lambda self, repeats, axis=None: r.repeat(self, repeats, axis)
Box.take = lambda self, indices, axis=None: r.take(self, indices, axis)

# --- methods without one: recorded, plain values back -----------------------------------------
Box.argmax = lambda self, axis=None: r.argmax(self, axis)
Box.argmin = lambda self, axis=None: r.argmin(self, axis)
Box.argsort = lambda self, axis=-1: r.argsort(self, axis)
Box.nonzero = lambda self: r.nonzero(self)
Box.round = lambda self, decimals=0: r.round(self, decimals)
Box.any = lambda self, axis=None: r.any(self, axis)
Box.all = lambda self, axis=None: r.all(self, axis)


def _no_number(convert):
    def method(self, *args):
        value = self
        while type(value) is Box and not value._tape.recording:
            value = value._value  # kept from a finished computation: a plain value
        if type(value) is not Box:
            return convert(value, *args)
        raise UnsupportedTypeError(
            f"cannot turn a traced value ({value.node.name}, shape {value.shape}) into a Python "
            "number while differentiating: keep it an array, or compute it outside the function"
        )

    return method


Box.__float__ = _no_number(float)
Box.__int__ = _no_number(int)
Box.item = _no_number(lambda value, *args: numpy.asarray(value).item(*args))
