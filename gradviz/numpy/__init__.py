"""``import gradviz.numpy as np``: numpy, with derivatives and a recorded trace.

The differentiable functions are the rows of :mod:`gradviz.rules.numpy_rules`, listed by
name in ``DIFFERENTIABLE``; functions recorded without a derivative (``floor``, ``argmax``,
comparisons) are listed in ``NONDIFFERENTIABLE``. Everything else in numpy (constants,
dtypes, array creation, ``meshgrid``, ``c_`` …) is numpy's own object: it works on plain
arrays, and given a traced value it raises an error naming the function, rather than
silently dropping the derivative. Plain ``numpy`` called on a traced value runs the gradviz
function of the same name (see :mod:`gradviz.numpy._dispatch`), or refuses in one line.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> float(gradviz.grad(lambda x: np.sum(np.tanh(x) * np.pi))(np.zeros(2))[0]) == np.pi
    True
"""

from __future__ import annotations

import builtins as _builtins
import functools as _functools

import numpy as _onp

from gradviz.engine.tracer import Box as _Box
from gradviz.errors import RuleError as _RuleError
from gradviz.numpy import _box_methods  # noqa: F401  (attaches operators to boxes)
from gradviz.numpy import random  # noqa: F401
from gradviz.numpy._index_tricks import c_, r_  # noqa: F401
from gradviz.rules import numpy_rules as _rules

#: Every function of ``gradviz.numpy`` that has tangent and adjoint rules.
DIFFERENTIABLE = (
    # arithmetic
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "pow",
    "square", "reciprocal", "sqrt", "absolute", "abs", "fabs", "remainder", "mod",
    # exponentials and logarithms
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "logaddexp", "logaddexp2",
    # trigonometric and hyperbolic
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "hypot", "sinc",
    "deg2rad", "radians", "rad2deg", "degrees", "asin", "acos", "atan", "atan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "asinh", "acosh", "atanh",
    # complex parts and types
    "real", "imag", "conjugate", "conj", "angle", "real_if_close", "astype", "nan_to_num",
    # comparisons and selection
    "maximum", "minimum", "fmax", "fmin", "clip", "where",
    # reductions
    "sum", "mean", "prod", "max", "amax", "min", "amin", "var", "std", "cumsum", "diff",
    "trace", "gradient",
    # products
    "dot", "matmul", "inner", "outer", "tensordot", "kron", "cross", "einsum",
    # shapes
    "reshape", "ravel", "squeeze", "expand_dims", "atleast_1d", "atleast_2d", "atleast_3d",
    "transpose", "permute_dims", "swapaxes", "moveaxis", "rollaxis", "broadcast_to", "flip",
    "fliplr", "flipud", "rot90", "roll", "tril", "triu", "diag", "diagonal", "make_diagonal",
    "repeat", "tile", "pad", "full", "linspace",
    # indexing and sorting
    "take", "take_along_axis", "sort", "partition",
    # joining and splitting
    "array", "concatenate", "stack", "hstack", "vstack", "row_stack", "column_stack", "dstack",
    "append", "block", "select", "split", "array_split", "hsplit", "vsplit", "dsplit",
)  # fmt: skip

#: Functions recorded on the trace whose value passes through with no derivative.
NONDIFFERENTIABLE = (
    "sign", "floor", "ceil", "trunc", "rint", "round", "around", "fix", "floor_divide",
    "argmax", "argmin", "argsort", "argpartition", "argwhere", "nonzero", "flatnonzero",
    "searchsorted", "digitize", "count_nonzero",
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal",
    "isclose", "allclose", "array_equal", "isnan", "isinf", "isfinite", "isreal", "iscomplex",
    "iscomplexobj", "isscalar", "isposinf", "isneginf", "array_equiv", "signbit", "logical_and", "logical_or", "logical_not", "logical_xor",
    "all", "any", "zeros_like", "ones_like", "empty_like", "full_like",
    "shape", "ndim", "size", "result_type",
)  # fmt: skip

globals().update({name: getattr(_rules, name) for name in DIFFERENTIABLE + NONDIFFERENTIABLE})


def _box_position(args, kwargs) -> str | None:
    """A description of the first traced argument, or ``None`` if there is none."""
    for position, value in enumerate(args):
        if _holds_box(value):
            return f"argument {position}"
    for key, value in kwargs.items():
        if _holds_box(value):
            return f"argument {key!r}"
    return None


def _holds_box(value) -> bool:
    if type(value) is _Box:
        return True
    if isinstance(value, (list, tuple)):
        # The builtin: this module's own ``any`` is numpy's, recorded on the trace.
        return _builtins.any(_holds_box(item) for item in value)
    return False


def _guarded(name: str, function, root: str = "gradviz.numpy."):
    """numpy's ``function``, refusing traced values instead of dropping their derivative."""

    @_functools.wraps(function)
    def guarded(*args, **kwargs):
        where = _box_position(args, kwargs)
        if where is not None:
            raise _RuleError(
                f"{root}{name} has no derivative rule, but its {where} is traced: "
                "register one with gradviz.extend.defvjp/defjvp, or call it outside the "
                "differentiated function"
            )
        return function(*args, **kwargs)

    return guarded


def numpy_fallback(module_globals: dict, numpy_module, prefix: str = "", root: str = "gradviz.numpy."):
    """A module ``__getattr__`` that hands out ``numpy_module``'s other names: constants and
    types as they are, functions guarded by :func:`_guarded` (cached in ``module_globals``);
    errors name them ``root + prefix + name``."""
    module = module_globals["__name__"]

    def __getattr__(name: str):
        try:
            value = getattr(numpy_module, name)
        except AttributeError:
            raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
        if callable(value) and not isinstance(value, type) and not name.startswith("_"):
            value = _guarded(prefix + name, value, root)
        module_globals[name] = value
        return value

    return __getattr__


__getattr__ = numpy_fallback(globals(), _onp)

import gradviz.numpy.fft, gradviz.numpy.linalg  # noqa: E402,E401,F401  (np.fft, np.linalg)
from gradviz.numpy import _dispatch  # noqa: E402,F401  (plain numpy on boxes)

import gradviz.engine.containers as _containers  # noqa: E402

# A numpy function given a list holding traced values takes it as numpy would: as an array.
_containers.to_array = array
