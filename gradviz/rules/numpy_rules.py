"""The rule table for numpy: every differentiable function, its tangent and adjoint rules.

Read a row as the lecture's table: ``sin``'s tangent is ``t·cos x`` and its adjoint
``g·cos x``. ``t`` is the incoming tangent of that argument, ``g`` the incoming adjoint,
``ans`` the output. The sweeps add the terms up and undo broadcasting, so rules do not.
Rules call gradviz's own functions (never raw numpy on a possible box), which is why a
derivative can itself be differentiated.
"""

from __future__ import annotations

import numpy as onp

from gradviz.engine.broadcast import shape_of
from gradviz.engine.tracer import EveryArgument
from gradviz.rules import defnondiff, defrule
from gradviz.rules.domains import NONZERO, POSITIVE, REALS, UNIT

# fmt: off
# ruff: noqa: E501, E731

# === arithmetic ================================================================================
#      primitive            partials                 domain     tangent (t = ẋ)                                   adjoint (g = ȳ)
add = defrule(onp.add,          ("1", "1"),           REALS,
              jvp=(lambda t, ans, x, y: t,            lambda t, ans, x, y: t),
              vjp=(lambda g, ans, x, y: g,            lambda g, ans, x, y: g))
subtract = defrule(onp.subtract, ("1", "-1"),         REALS,
              jvp=(lambda t, ans, x, y: t,            lambda t, ans, x, y: -t),
              vjp=(lambda g, ans, x, y: g,            lambda g, ans, x, y: -g))
multiply = defrule(onp.multiply, ("{1}", "{0}"),      REALS,
              jvp=(lambda t, ans, x, y: t * y,        lambda t, ans, x, y: x * t),
              vjp=(lambda g, ans, x, y: g * y,        lambda g, ans, x, y: g * x))
divide = defrule(onp.divide,    ("1/{1}", "-{0}/{1}²"), NONZERO,
              jvp=(lambda t, ans, x, y: t / y,        lambda t, ans, x, y: -t * ans / y),
              vjp=(lambda g, ans, x, y: g / y,        lambda g, ans, x, y: -g * ans / y))
true_divide = divide
negative = defrule(onp.negative, "-1",                REALS,
              jvp=lambda t, ans, x: -t,
              vjp=lambda g, ans, x: -g)


def _power_jvp_exponent(t, ans, x, y):
    """∂(xʸ)/∂y = xʸ·ln x, taken as 0 where x = 0 (the limit along y > 0)."""
    return t * ans * log(where(x == 0, 1.0, x))


def _power_vjp_exponent(g, ans, x, y):
    """ȳ·xʸ·ln x, with the same convention at x = 0."""
    return g * ans * log(where(x == 0, 1.0, x))


power = defrule(onp.power,      ("{1}·{0}^({1}-1)", "{ans}·ln {0}"), POSITIVE,
              jvp=(lambda t, ans, x, y: t * y * x ** where(y, y - 1, 1.0), _power_jvp_exponent),
              vjp=(lambda g, ans, x, y: g * y * x ** where(y, y - 1, 1.0), _power_vjp_exponent))
square = defrule(onp.square,    "2·{0}",              REALS,
              jvp=lambda t, ans, x: t * 2 * x,
              vjp=lambda g, ans, x: g * 2 * x)
reciprocal = defrule(onp.reciprocal, "-1/{0}²",       NONZERO,
              jvp=lambda t, ans, x: -t * ans * ans,
              vjp=lambda g, ans, x: -g * ans * ans)
sqrt = defrule(onp.sqrt,        "1/(2√{0})",          POSITIVE,
              jvp=lambda t, ans, x: t * 0.5 / ans,
              vjp=lambda g, ans, x: g * 0.5 / ans)
absolute = defrule(onp.absolute, "sign {0}",          NONZERO,
              jvp=lambda t, ans, x: t * sign(x),
              vjp=lambda g, ans, x: g * sign(x))
abs = absolute  # noqa: A001 - numpy's own alias

# === exponentials and logarithms ===============================================================
exp = defrule(onp.exp,          "exp {0}",            REALS,
              jvp=lambda t, ans, x: t * ans,
              vjp=lambda g, ans, x: g * ans)
log = defrule(onp.log,          "1/{0}",              POSITIVE,
              jvp=lambda t, ans, x: t / x,
              vjp=lambda g, ans, x: g / x)
log1p = defrule(onp.log1p,      "1/(1+{0})",          POSITIVE,
              jvp=lambda t, ans, x: t / (1 + x),
              vjp=lambda g, ans, x: g / (1 + x))
expm1 = defrule(onp.expm1,      "exp {0}",            REALS,
              jvp=lambda t, ans, x: t * (ans + 1),
              vjp=lambda g, ans, x: g * (ans + 1))

# === trigonometric and hyperbolic ==============================================================
sin = defrule(onp.sin,          "cos {0}",            REALS,
              jvp=lambda t, ans, x: t * cos(x),
              vjp=lambda g, ans, x: g * cos(x))
cos = defrule(onp.cos,          "-sin {0}",           REALS,
              jvp=lambda t, ans, x: -t * sin(x),
              vjp=lambda g, ans, x: -g * sin(x))
tan = defrule(onp.tan,          "1/cos² {0}",         UNIT,
              jvp=lambda t, ans, x: t / cos(x) ** 2,
              vjp=lambda g, ans, x: g / cos(x) ** 2)
tanh = defrule(onp.tanh,        "1 - tanh² {0}",      REALS,
              jvp=lambda t, ans, x: t * (1 - ans * ans),
              vjp=lambda g, ans, x: g * (1 - ans * ans))
sinh = defrule(onp.sinh,        "cosh {0}",           REALS,
              jvp=lambda t, ans, x: t * cosh(x),
              vjp=lambda g, ans, x: g * cosh(x))
cosh = defrule(onp.cosh,        "sinh {0}",           REALS,
              jvp=lambda t, ans, x: t * sinh(x),
              vjp=lambda g, ans, x: g * sinh(x))

# === comparisons and selection =================================================================


def _select_larger(t_self, t_other, x, y):
    """The tangent of max(x, y) follows the larger argument; ties split evenly."""
    return t_self * (where(x > y, 1.0, 0.0) + where(x == y, 0.5, 0.0))


maximum = defrule(onp.maximum,  ("[{0}>{1}]", "[{1}>{0}]"), NONZERO,
              jvp=(lambda t, ans, x, y: _select_larger(t, None, x, y), lambda t, ans, x, y: _select_larger(t, None, y, x)),
              vjp=(lambda g, ans, x, y: _select_larger(g, None, x, y), lambda g, ans, x, y: _select_larger(g, None, y, x)),
              smooth=False)
minimum = defrule(onp.minimum,  ("[{0}<{1}]", "[{1}<{0}]"), NONZERO,
              jvp=(lambda t, ans, x, y: _select_larger(t, None, y, x), lambda t, ans, x, y: _select_larger(t, None, x, y)),
              vjp=(lambda g, ans, x, y: _select_larger(g, None, y, x), lambda g, ans, x, y: _select_larger(g, None, x, y)),
              smooth=False)
where = defrule(onp.where,      (None, "[c]", "[¬c]"), REALS,
              jvp=(None, lambda t, ans, c, x, y: where(c, t, 0.0), lambda t, ans, c, x, y: where(c, 0.0, t)),
              vjp=(None, lambda g, ans, c, x, y: where(c, g, 0.0), lambda g, ans, c, x, y: where(c, 0.0, g)))

# === reductions ================================================================================


def _expand_reduced(g, x, axis, keepdims):
    """Give a reduction's adjoint back the reduced axes, so it broadcasts against x."""
    if axis is None or keepdims:
        return g
    ndim = len(shape_of(x))
    shape = list(shape_of(g))
    for a in sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)):
        shape.insert(a, 1)
    return reshape(g, tuple(shape))


def _count(x, axis):
    shape = shape_of(x)
    axes = range(len(shape)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return int(onp.prod([shape[a] for a in axes]))


def _sum_vjp(g, ans, x, axis=None, dtype=None, keepdims=False):
    """Every element of x receives ȳ: broadcast back along the summed axes."""
    return broadcast_to(_expand_reduced(g, x, axis, keepdims), shape_of(x))


def _mean_vjp(g, ans, x, axis=None, dtype=None, keepdims=False):
    """Every element receives ȳ/n, n the number of elements averaged."""
    return _sum_vjp(g, ans, x, axis, dtype, keepdims) / _count(x, axis)


sum = defrule(onp.sum,          "1",                  REALS,  # noqa: A001 - numpy's name
              jvp=lambda t, ans, x, axis=None, dtype=None, keepdims=False: sum(t, axis=axis, dtype=dtype, keepdims=keepdims),
              vjp=_sum_vjp)
mean = defrule(onp.mean,        "1/n",                REALS,
              jvp=lambda t, ans, x, axis=None, dtype=None, keepdims=False: mean(t, axis=axis, dtype=dtype, keepdims=keepdims),
              vjp=_mean_vjp)

# === linear algebra products ===================================================================


def _dot_vjp_left(g, ans, a, b):
    """ā = ḡ·bᵀ (for a vector b, the outer product ḡ bᵀ reshaped to a)."""
    a_ndim, b_ndim = len(shape_of(a)), len(shape_of(b))
    if a_ndim == 0 or b_ndim == 0:
        return g * b
    if b_ndim == 1:
        return reshape(outer(g, b), shape_of(a))
    if a_ndim == 1:
        return dot(b, g)
    return dot(g, swapaxes(b, -1, -2))


def _dot_vjp_right(g, ans, a, b):
    """b̄ = aᵀ·ḡ (for a vector a, the outer product a ḡᵀ)."""
    a_ndim, b_ndim = len(shape_of(a)), len(shape_of(b))
    if a_ndim == 0 or b_ndim == 0:
        return g * a
    if a_ndim == 1:
        return g * a if b_ndim == 1 else outer(a, g)
    return dot(swapaxes(a, -1, -2), g)


dot = defrule(onp.dot,          ("·{1}ᵀ", "{0}ᵀ·"),   REALS,
              jvp=(lambda t, ans, a, b: dot(t, b),    lambda t, ans, a, b: dot(a, t)),
              vjp=(_dot_vjp_left,                     _dot_vjp_right))
matmul = defrule(onp.matmul,    ("·{1}ᵀ", "{0}ᵀ·"),   REALS,
              jvp=(lambda t, ans, a, b: matmul(t, b), lambda t, ans, a, b: matmul(a, t)),
              vjp=(_dot_vjp_left,                     _dot_vjp_right))
outer = defrule(onp.outer,      ("{1}ᵀ", "{0}"),      REALS,
              jvp=(lambda t, ans, a, b: outer(t, b),  lambda t, ans, a, b: outer(a, t)),
              vjp=(lambda g, ans, a, b: reshape(dot(g, ravel(b)), onp.shape(a)),
                   lambda g, ans, a, b: reshape(dot(ravel(a), g), onp.shape(b))))

# === shapes ====================================================================================
reshape = defrule(onp.reshape,  "1",                  REALS,
              jvp=lambda t, ans, x, shape, *rest, **kw: reshape(t, shape_of(ans)),
              vjp=lambda g, ans, x, shape, *rest, **kw: reshape(g, shape_of(x)))
ravel = defrule(onp.ravel,      "1",                  REALS,
              jvp=lambda t, ans, x, *rest: ravel(t),
              vjp=lambda g, ans, x, *rest: reshape(g, shape_of(x)))
transpose = defrule(onp.transpose, "1",               REALS,
              jvp=lambda t, ans, x, axes=None: transpose(t, axes),
              vjp=lambda g, ans, x, axes=None: transpose(g, None if axes is None else tuple(onp.argsort(axes))))
swapaxes = defrule(onp.swapaxes, "1",                 REALS,
              jvp=lambda t, ans, x, a, b: swapaxes(t, a, b),
              vjp=lambda g, ans, x, a, b: swapaxes(g, a, b))
broadcast_to = defrule(onp.broadcast_to, "1",         REALS,
              jvp=lambda t, ans, x, shape: broadcast_to(t, shape),
              vjp=lambda g, ans, x, shape: g)  # the sweep sums g back to x's shape


def _take(x, index):
    return x[index]


def _untake(g, index, shape):
    """The adjoint of ``x[index]``: g scattered into zeros of x's shape, repeats added."""
    result = onp.zeros(shape, dtype=onp.result_type(g, onp.float32))
    onp.add.at(result, index, g)
    return result


getitem = defrule(_take,        "1",                  REALS, name="getitem",
              jvp=lambda t, ans, x, index: getitem(t, index),
              vjp=lambda g, ans, x, index: untake(g, index, shape_of(x)))
untake = defrule(_untake,       "1",                  REALS, name="untake",
              jvp=lambda t, ans, g, index, shape: untake(t, index, shape),
              vjp=lambda h, ans, g, index, shape: getitem(h, index))


def _stack_args(axis, *arrays):
    return onp.stack(arrays, axis)


_stack = defrule(_stack_args,   None,                 REALS, name="stack", variadic=True)
_stack.jvps = EveryArgument(lambda argnum: None if argnum == 0 else
              (lambda t, ans, axis, *arrays: _stack_args(axis, *[t if k == argnum - 1 else zeros_like(a) for k, a in enumerate(arrays)])))
_stack.vjps = EveryArgument(lambda argnum: None if argnum == 0 else
              (lambda g, ans, axis, *arrays: take(g, argnum - 1, axis)))
take = defrule(onp.take,        "1",                  REALS,
              jvp=lambda t, ans, x, index, axis=None: take(t, index, axis),
              vjp=lambda g, ans, x, index, axis=None: _untake_along(g, index, axis, shape_of(x)))


def _untake_along_raw(g, index, axis, shape):
    result = onp.zeros(shape, dtype=onp.result_type(g, onp.float32))
    if axis is None:
        onp.add.at(result.reshape(-1), index, g)
    else:
        view = onp.moveaxis(result, axis, 0)
        onp.add.at(view, index, onp.moveaxis(onp.asarray(g), axis, 0) if onp.ndim(index) else g)
    return result


_untake_along = defrule(_untake_along_raw, "1",       REALS, name="untake_along",
              jvp=lambda t, ans, g, index, axis, shape: _untake_along(t, index, axis, shape),
              vjp=lambda h, ans, g, index, axis, shape: take(h, index, axis))


def stack(arrays, axis=0):
    """numpy's ``stack``, recorded as one node whose arguments are the arrays."""
    return _stack(axis, *arrays)


zeros_like = defnondiff(onp.zeros_like)
ones_like = defnondiff(onp.ones_like)
# fmt: on

# === no derivative: recorded, values pass through ==============================================
sign = defnondiff(onp.sign)
floor = defnondiff(onp.floor)
ceil = defnondiff(onp.ceil)
round = defnondiff(onp.round)  # noqa: A001 - numpy's name
argmax = defnondiff(onp.argmax)
argmin = defnondiff(onp.argmin)
argsort = defnondiff(onp.argsort)
greater = defnondiff(onp.greater)
greater_equal = defnondiff(onp.greater_equal)
less = defnondiff(onp.less)
less_equal = defnondiff(onp.less_equal)
equal = defnondiff(onp.equal)
not_equal = defnondiff(onp.not_equal)
isnan = defnondiff(onp.isnan)
isinf = defnondiff(onp.isinf)
isfinite = defnondiff(onp.isfinite)
