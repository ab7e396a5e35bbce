"""Plain numpy on a traced value: ``numpy.sin(box)`` runs gradviz's ``sin``.

The likeliest first mistake in a program moved from autograd is one ``import numpy as np``
left unchanged. numpy hands every ufunc call on a :class:`~gradviz.engine.tracer.Box` to
``Box.__array_ufunc__`` and every other numpy function to ``Box.__array_function__``; both
look the function up by name in ``gradviz.numpy`` (``.linalg``, ``.fft``; a ufunc of
``scipy.special`` in ``gradviz.scipy.special``) and call gradviz's own, so the call is
recorded with its derivative as if it had been written ``gradviz.numpy.sin``. A function
gradviz has no rule for raises a one-line :class:`~gradviz.errors.UnsupportedTypeError`
naming it, never a silently wrong answer.

Operators keep their straight path: ``box * a`` is ``Box.__mul__``; ``a * box`` with a plain
array ``a`` reaches :func:`array_ufunc` through numpy and records the same ``multiply`` node.

A box kept past the end of its computation (saved from inside ``grad``, whose tape has
finished recording) is a plain value here: numpy's own function runs on the value it holds.

Example:
    >>> import numpy, gradviz
    >>> gradviz.grad(lambda x: numpy.sum(numpy.sin(x)))(numpy.zeros(2))
    array([1., 1.])
"""

from __future__ import annotations

import sys

from gradviz.engine.tracer import Box, Primitive, _record_two
from gradviz.errors import UnsupportedTypeError

__all__ = ["array_ufunc", "array_function"]

#: numpy's modules and the gradviz modules that stand in for them.
_MODULES = {"numpy": "gradviz.numpy", "numpy.linalg": "gradviz.numpy.linalg", "numpy.fft": "gradviz.numpy.fft"}


def _own(module_name: str, name: str):
    """gradviz's function ``name`` of ``module_name`` if gradviz defines one, else ``None``
    (numpy's functions the module hands out as they are do not count)."""
    module = sys.modules.get(module_name)
    function = None if module is None else vars(module).get(name)
    if isinstance(function, Primitive):
        return function
    if callable(function) and getattr(function, "__module__", "").startswith("gradviz."):
        return function
    return None


def _ufunc_target(ufunc):
    target = _own("gradviz.numpy", ufunc.__name__)
    if target is None and "scipy.special" in sys.modules:
        if getattr(sys.modules["scipy.special"], ufunc.__name__, None) is ufunc:
            import gradviz.scipy.special  # noqa: F401  (registers its rules)

            target = _own("gradviz.scipy.special", ufunc.__name__)
    return target


def _refuse(call: str, suggestion: str) -> UnsupportedTypeError:
    return UnsupportedTypeError(f"{call} was called on a traced value: {suggestion}")


_NO_RULE = (
    "gradviz has no derivative rule for it; register one with gradviz.extend.primitive and "
    "defvjp, or compute it outside the differentiated function"
)


#: ``plain array ∘ box``'s ufunc and its primitive, filled on first use.
_BINARY: dict = {}


def _finished(value) -> bool:
    return type(value) is Box and not value._tape.recording


def _opened(value):
    """``value`` with every box of a finished computation replaced by the value it holds
    (inside the tuples and lists numpy's functions take, too)."""
    while _finished(value):
        value = value._value
    if type(value) in (tuple, list):
        return type(value)(_opened(item) for item in value)
    return value


def _any_box(values) -> bool:
    return any(type(value) is Box or (type(value) in (tuple, list) and _any_box(value))
               for value in values)


def _open_finished(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    return _opened(args), {key: _opened(value) for key, value in kwargs.items()}


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``Box.__array_ufunc__``: a numpy ufunc on boxes runs gradviz's function of its name."""
    primitive = _BINARY.get(ufunc)
    if primitive is not None and len(inputs) == 2 and not kwargs and method == "__call__":
        # ``a * box``: recorded as Box.__rmul__ would, the user's line three frames up.
        return _record_two(primitive, inputs[0], inputs[1], kwargs)
    return _dispatch_ufunc(ufunc, method, inputs, kwargs)


def _dispatch_ufunc(ufunc, method, inputs, kwargs):
    inputs, kwargs = _open_finished(inputs, kwargs)
    if not _any_box(inputs) and not _any_box(kwargs.values()):
        return getattr(ufunc, method)(*inputs, **kwargs)
    call = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if method != "__call__":
        raise _refuse(call, "use gradviz.numpy's functions (gradviz.numpy.sum for add.reduce …)")
    if "out" in kwargs:
        raise _refuse(
            f"{call}(…, out=…)",
            "a traced value cannot be written into a plain array; write a = a + x, not a += x",
        )
    target = _ufunc_target(ufunc)
    if target is None:
        raise _refuse(call, _NO_RULE)
    if isinstance(target, Primitive) and ufunc.nin == 2:
        _BINARY[ufunc] = target
    return target(*inputs, **kwargs)


def array_function(self, func, types, args, kwargs):
    """``Box.__array_function__``: a numpy function on boxes runs gradviz's of its name."""
    args, kwargs = _open_finished(args, kwargs)
    if not _any_box(args) and not _any_box(kwargs.values()):
        return func(*args, **kwargs)
    module = getattr(func, "__module__", None) or "numpy"
    name = func.__name__
    target = _own(_MODULES[module], name) if module in _MODULES else None
    if target is None:
        raise _refuse(f"{module}.{name}", _NO_RULE)
    return target(*args, **kwargs)  # a traced keyword takes its position there


Box.__array_ufunc__ = array_ufunc
Box.__array_function__ = array_function


def _no_array(self, dtype=None, copy=None):
    """``Box.__array__``: numpy would make an array of boxes, or of nothing, and lose the
    derivative."""
    if _finished(self):
        import numpy

        return numpy.asarray(_opened(self), dtype=dtype)
    raise _refuse(
        "numpy.array (or asarray, or another conversion to a plain array)",
        "use gradviz.numpy.array, or keep the value traced",
    )


Box.__array__ = _no_array
