"""The rule table for numpy: every differentiable function, its tangent and adjoint rules.

Read a row as the lecture's table: ``sin``'s tangent is ``t·cos x`` and its adjoint
``g·cos x``. ``t`` is the incoming tangent of that argument, ``g`` the incoming adjoint,
``ans`` the output. The sweeps add the terms up and undo broadcasting, so rules do not.
Rules call gradviz's own functions (never raw numpy on a possible box), which is why a
derivative can itself be differentiated. Raw numpy appears only inside the raw function of
a primitive (which always receives plain arrays) and on index arithmetic: shapes, masks and
permutations, which carry no derivative.

Complex values follow numpy's (and autograd's) transpose convention: an adjoint is ``ȳ·f'(z)``,
without conjugation.

Row info read by the tests and the renderer: ``elementwise=True`` marks rules whose partials
are elementwise numbers; ``smooth=False`` marks rules without a second derivative everywhere
(``abs``, ``maximum``, ``clip``), which tests check at first order only.
"""

from __future__ import annotations

import builtins
import math
import string

import numpy as onp

from gradviz.engine.tracer import Box, unbox
from gradviz.rules import defnondiff, defrule
from gradviz.rules._numpy_helpers import (  # the table's named rules and index arithmetic
    _add_along_axis_raw, _array_index, _array_raw, _built_on, _concatenate_jvp,
    _concatenate_raw, _concatenate_vjp, _cumsum_vjp, _diff_vjp, _dot_vjp_left, _dot_vjp_right,
    _einsum_jvp, _einsum_vjp, _extremum_jvp, _extremum_vjp, _gradient_raw,
    _gradient_transpose_raw, _inner_vjp_left, _inner_vjp_right, _kron_vjp_left,
    _kron_vjp_right, _linspace_jvp, _linspace_vjp, _make_diagonal, _matmul_vjp_left,
    _matmul_vjp_right, _mean_vjp, _ndim, _negated, _nested_elements, _pad_vjp, _partition_jvp,
    _partition_vjp, _place_diagonal_raw, _prod_jvp, _prod_vjp, _real_like, _repeat_vjp,
    _rollaxis_order, _shape, _sort_jvp, _sort_vjp, _split_along, _stack_index, _stack_raw,
    _std_jvp, _std_vjp, _sum_vjp, _take, _tensordot_vjp_left, _tensordot_vjp_right, _tile_vjp,
    _trace_vjp, _untake_along_raw, _untake_raw, _var_jvp, _var_vjp,
)
from gradviz.rules.fft_rules import imag_vjp, real_vjp
from gradviz.rules.domains import (
    ABOVE_ONE,
    DIVIDEND,
    DIVISOR,
    NONZERO,
    POSITIVE,
    REALS,
    UNIT,
    each,
)

_LN2 = float(onp.log(2.0))
_LN10 = float(onp.log(10.0))
_DEGREE = float(onp.pi / 180.0)

# fmt: off
# ruff: noqa: E501, E731

# === arithmetic ================================================================================
#        primitive                 partials                 domain, what the adjoint reads (kept on a lean tape)
#                                                                      tangent (t = ẋ)                                    adjoint (g = ȳ)
add = defrule(onp.add,             ("1", "1"),              REALS, reads=("", ""),
              jvp=(lambda t, ans, x, y: t,                 lambda t, ans, x, y: t),
              vjp=(lambda g, ans, x, y: g,                 lambda g, ans, x, y: g),                 elementwise=True)
subtract = defrule(onp.subtract,   ("1", "-1"),             REALS, reads=("", ""),
              jvp=(lambda t, ans, x, y: t,                 lambda t, ans, x, y: -t),
              vjp=(lambda g, ans, x, y: g,                 lambda g, ans, x, y: -g),                elementwise=True)
multiply = defrule(onp.multiply,   ("{1}", "{0}"),          REALS, reads=("y", "x"),
              jvp=(lambda t, ans, x, y: t * y,             lambda t, ans, x, y: x * t),
              vjp=(lambda g, ans, x, y: g * y,             lambda g, ans, x, y: g * x),             elementwise=True)
divide = defrule(onp.divide,       ("1/{1}", "-{0}/{1}²"),  each(REALS, NONZERO), reads=("y", "ans, y"),
              jvp=(lambda t, ans, x, y: t / y,             lambda t, ans, x, y: -t * ans / y),
              vjp=(lambda g, ans, x, y: g / y,             lambda g, ans, x, y: -g * ans / y),      elementwise=True)
true_divide = divide
negative = defrule(onp.negative,   "-1",                    REALS, reads="",
              jvp=lambda t, ans, x: -t,
              vjp=lambda g, ans, x: -g,                                                             elementwise=True)


def _power_base_partial(x, y):
    """∂(xʸ)/∂x = y·xʸ⁻¹ (the exponent kept at 1 where y = 0, so 0⁻¹ never appears)."""
    if isinstance(y, (int, float)):
        if isinstance(x, (int, float)):  # numpy's answers: Python raises at 0.0 ** -0.5 (∞)
            x = onp.float64(x)           # and makes (−8.0) ** 0.5 complex (nan)
        return 2 * x if y == 2 else y * x ** (y - 1 if y else 1)
    return y * x ** where(y != 0, y - 1, 1.0)


def _power_exponent_partial(ans, x):
    """∂(xʸ)/∂y = xʸ·ln x, taken as 0 where x = 0 (its limit for y > 0)."""
    if isinstance(x, (int, float)):  # a Python base stays a weak scalar: float32 stays float32
        return ans * (float(onp.log(x)) if x else 0.0)
    return ans * log(where(x == 0, 1.0, x))


power = defrule(onp.power,         ("{1}·{0}^({1}-1)", "{ans}·ln {0}"), each(POSITIVE, REALS), reads=("x, y", "ans, x"),
              partial=(lambda ans, x, y: _power_base_partial(x, y), lambda ans, x, y: _power_exponent_partial(ans, x)), elementwise=True)
pow = power  # noqa: A001 - numpy's own alias
square = defrule(onp.square,       "2{0}",                  REALS, reads="x",
              partial=lambda ans, x: 2 * x,                                                               elementwise=True)
reciprocal = defrule(onp.reciprocal, "-1/{0}²",             NONZERO, reads="ans",
              partial=lambda ans, x: -ans * ans,                                                          elementwise=True)
sqrt = defrule(onp.sqrt,           "1/(2√{0})",             POSITIVE, reads="ans",
              partial=lambda ans, x: 0.5 / ans,                                                           elementwise=True)
def _absolute_jvp(t, ans, x):
    """ẏ = sign(x)·ẋ; for complex x, Re(conj(x)·ẋ)/|x| (0 at x = 0, as sign(0) is)."""
    return _over_length(real(t * conjugate(x)), ans) if onp.iscomplexobj(unbox(x)) else t * sign(x)


def _absolute_vjp(g, ans, x):
    """x̄ = ȳ·sign(x); for complex x, Re ȳ·conj(x)/|x| (autograd's convention)."""
    return real_vjp(g, ans, x) * _over_length(conjugate(x), ans) if onp.iscomplexobj(unbox(x)) else g * sign(x)


absolute = defrule(onp.absolute,   "sign {0}",              NONZERO, reads="ans, x",
              jvp=_absolute_jvp,
              vjp=_absolute_vjp,                                                                    elementwise=True, smooth=False)
abs = absolute  # noqa: A001 - numpy's own alias
fabs = defrule(onp.fabs,           "sign {0}",              NONZERO, reads="x",
              partial=lambda ans, x: sign(x),                                                             elementwise=True, smooth=False)
remainder = defrule(onp.remainder, ("1", "-⌊{0}/{1}⌋"),     each(DIVIDEND, DIVISOR), reads=("", "x, y"),
              jvp=(lambda t, ans, x, y: t,                 lambda t, ans, x, y: -t * floor(x / y)),
              vjp=(lambda g, ans, x, y: g,                 lambda g, ans, x, y: -g * floor(x / y)), elementwise=True, smooth=False)
mod = remainder

# === exponentials and logarithms ===============================================================
exp = defrule(onp.exp,             "exp {0}",               REALS, reads="ans",
              partial=lambda ans, x: ans,                                                                 elementwise=True)
exp2 = defrule(onp.exp2,           "2^{0}·ln 2",            REALS, reads="ans",
              partial=lambda ans, x: ans * _LN2,                                                          elementwise=True)
expm1 = defrule(onp.expm1,         "exp {0}",               REALS, reads="x",
              partial=lambda ans, x: exp(x),                                                              elementwise=True)  # not ans + 1: 0 below x ≈ -37
# The rows that divide by their partial's denominator keep both rules: g / x is one pass over
# an array, g·(1/x) two, and one more node in a higher-order trace.
log = defrule(onp.log,             "1/{0}",                 POSITIVE, reads="x",
              jvp=lambda t, ans, x: t / x,
              vjp=lambda g, ans, x: g / x,                                                          elementwise=True)
log2 = defrule(onp.log2,           "1/({0}·ln 2)",          POSITIVE, reads="x",
              jvp=lambda t, ans, x: t / (x * _LN2),
              vjp=lambda g, ans, x: g / (x * _LN2),                                                 elementwise=True)
log10 = defrule(onp.log10,         "1/({0}·ln 10)",         POSITIVE, reads="x",
              jvp=lambda t, ans, x: t / (x * _LN10),
              vjp=lambda g, ans, x: g / (x * _LN10),                                                elementwise=True)
log1p = defrule(onp.log1p,         "1/(1+{0})",             POSITIVE, reads="x",
              jvp=lambda t, ans, x: t / (1 + x),
              vjp=lambda g, ans, x: g / (1 + x),                                                    elementwise=True)
def _softmax_weight(exponential, ans, x, other):
    """∂ logaddexp(x, y)/∂x = exp(x − ans), x's softmax weight (``exponential`` is exp, or exp2
    for logaddexp2). Where that is ∞ − ∞ (x = ans = ±∞) it is nan in autograd; here it is its
    limit: 1 when the other argument is smaller, ½ when it is equal, as at any finite x = y
    (equal arguments share the weight evenly, the symmetric subgradient of a max)."""
    raw = unbox(x)
    undefined = onp.isinf(raw) & (raw == unbox(ans))
    if not onp.any(undefined):
        return exponential(x - ans)
    limit = onp.where(unbox(other) == raw, 0.5, 1.0)
    return where(undefined, limit, exponential(where(undefined, 0.0, x) - where(undefined, 0.0, ans)))


logaddexp = defrule(onp.logaddexp, ("exp({0}-{ans})", "exp({1}-{ans})"), REALS, reads=("ans, x, y", "ans, x, y"),
              partial=(lambda ans, x, y: _softmax_weight(exp, ans, x, y), lambda ans, x, y: _softmax_weight(exp, ans, y, x)), elementwise=True)
logaddexp2 = defrule(onp.logaddexp2, ("2^({0}-{ans})", "2^({1}-{ans})"), REALS, reads=("ans, x, y", "ans, x, y"),
              partial=(lambda ans, x, y: _softmax_weight(exp2, ans, x, y), lambda ans, x, y: _softmax_weight(exp2, ans, y, x)), elementwise=True)

# === trigonometric =============================================================================
def _sinc_slope(ans, x):
    """sinc′ x = (cos πx − sinc x)/x, and near 0 (where that is 0/0 and loses its digits)
    its series Σₖ (−1)ᵏ 2k π²ᵏ x²ᵏ⁻¹/(2k+1)!, exact to rounding for |x| < 0.1."""
    small = onp.abs(unbox(x)) < 0.1
    if not onp.any(small):
        return (cos(onp.pi * x) - ans) / x
    series = 0.0
    for k in range(7, 0, -1):  # Horner in x², from the highest term
        series = series * x * x + (-1) ** k * 2 * k * onp.pi ** (2 * k) / math.factorial(2 * k + 1)
    safe = where(small, 1.0, x)
    return where(small, series * x, (cos(onp.pi * safe) - ans) / safe)


sin = defrule(onp.sin,             "cos {0}",               REALS, reads="x",
              partial=lambda ans, x: cos(x),                                                              elementwise=True)
cos = defrule(onp.cos,             "-sin {0}",              REALS, reads="x",
              partial=lambda ans, x: -sin(x),                                                             elementwise=True)
tan = defrule(onp.tan,             "1 + tan² {0}",          UNIT, reads="ans",
              partial=lambda ans, x: 1 + ans * ans,                                                       elementwise=True)
arcsin = defrule(onp.arcsin,       "1/√(1-{0}²)",           UNIT, reads="x",
              jvp=lambda t, ans, x: t / sqrt((1 - x) * (1 + x)),
              vjp=lambda g, ans, x: g / sqrt((1 - x) * (1 + x)),                                            elementwise=True)
arccos = defrule(onp.arccos,       "-1/√(1-{0}²)",          UNIT, reads="x",
              jvp=lambda t, ans, x: -t / sqrt((1 - x) * (1 + x)),
              vjp=lambda g, ans, x: -g / sqrt((1 - x) * (1 + x)),                                           elementwise=True)
arctan = defrule(onp.arctan,       "1/(1+{0}²)",            REALS, reads="x",
              jvp=lambda t, ans, x: t / (1 + x * x),
              vjp=lambda g, ans, x: g / (1 + x * x),                                                elementwise=True)
arctan2 = defrule(onp.arctan2,     ("{1}/({0}²+{1}²)", "-{0}/({0}²+{1}²)"), each(REALS, POSITIVE), reads=("y, x", "y, x"),
              jvp=(lambda t, ans, y, x: t * x / (x * x + y * y), lambda t, ans, y, x: -t * y / (x * x + y * y)),
              vjp=(lambda g, ans, y, x: g * x / (x * x + y * y), lambda g, ans, y, x: -g * y / (x * x + y * y)), elementwise=True)
def _over_length(x, ans):
    """x/‖·‖ for a length ``ans`` (``hypot``, a norm): its direction, and 0 where the length is
    0. There every vector of length ≤ 1 is a subgradient; 0 is the smallest, and the one a
    user expects of ‖w‖ in a loss at w = 0 (a step that stays put, not a NaN; autograd's nan)."""
    at_zero = unbox(ans) == 0
    if not onp.any(at_zero):
        return x / ans
    return where(at_zero, 0.0, x / where(at_zero, 1.0, ans))


hypot = defrule(onp.hypot,         ("{0}/{ans}", "{1}/{ans}"), NONZERO, reads=("ans, x", "ans, y"),
              partial=(lambda ans, x, y: _over_length(x, ans), lambda ans, x, y: _over_length(y, ans)), elementwise=True)
sinc = defrule(onp.sinc,           "(cos π{0} - sinc {0})/{0}", NONZERO, reads="ans, x",
              partial=lambda ans, x: _sinc_slope(ans, x),                                                 elementwise=True)
deg2rad = defrule(onp.deg2rad,     "π/180",                 REALS, reads="",
              partial=lambda ans, x: _DEGREE,                                                             elementwise=True)
radians = defrule(onp.radians,     "π/180",                 REALS, reads="",
              partial=lambda ans, x: _DEGREE,                                                             elementwise=True)
rad2deg = defrule(onp.rad2deg,     "180/π",                 REALS, reads="",
              partial=lambda ans, x: 1 / _DEGREE,                                                         elementwise=True)
degrees = defrule(onp.degrees,     "180/π",                 REALS, reads="",
              partial=lambda ans, x: 1 / _DEGREE,                                                         elementwise=True)
acos, asin, atan, atan2 = arccos, arcsin, arctan, arctan2

# === hyperbolic ================================================================================
def _sech_squared(x):
    """1 − tanh² x = sech² x = r·r with r = 1/cosh x: exact to rounding for every x, where
    ``1 − tanh²`` loses all its digits once tanh rounds to 1 (|x| ≳ 19). Squaring r, not
    cosh, keeps the square from overflowing; cosh's argument is capped at 700 (cosh overflows
    past 710) where sech² is already 0 in doubles (it is for |x| > 373). Five array passes
    with the adjoint's product, against eight for 4e/(1+e)², e = exp(−2|x|), the same values.

    >>> float(_sech_squared(0.5)), float(_sech_squared(20.0)), float(_sech_squared(-800.0))
    (0.7864477329659276, 1.6993417021166355e-17, 0.0)
    """
    if isinstance(x, float):  # a Python or numpy scalar: math's cosh, not four array calls
        r = 1.0 / math.cosh(builtins.min(builtins.abs(x), 700.0))
        return onp.float64(r * r)
    r = 1.0 / cosh(minimum(absolute(x), 700.0))
    return r * r


sinh = defrule(onp.sinh,           "cosh {0}",              REALS, reads="x",
              partial=lambda ans, x: cosh(x),                                                             elementwise=True)
cosh = defrule(onp.cosh,           "sinh {0}",              REALS, reads="x",
              partial=lambda ans, x: sinh(x),                                                             elementwise=True)
tanh = defrule(onp.tanh,           "1 - tanh² {0}",         REALS, reads="x",
              partial=lambda ans, x: _sech_squared(x),                                                    elementwise=True)
arcsinh = defrule(onp.arcsinh,     "1/√({0}²+1)",           REALS, reads="x",
              jvp=lambda t, ans, x: t / hypot(x, 1.0),
              vjp=lambda g, ans, x: g / hypot(x, 1.0),                                            elementwise=True)
arccosh = defrule(onp.arccosh,     "1/√({0}²-1)",           ABOVE_ONE, reads="x",
              jvp=lambda t, ans, x: t / (sqrt(x - 1) * sqrt(x + 1)),
              vjp=lambda g, ans, x: g / (sqrt(x - 1) * sqrt(x + 1)),                                            elementwise=True)
arctanh = defrule(onp.arctanh,     "1/(1-{0}²)",            UNIT, reads="x",
              jvp=lambda t, ans, x: t / ((1 - x) * (1 + x)),
              vjp=lambda g, ans, x: g / ((1 - x) * (1 + x)),                                                elementwise=True)
acosh, asinh, atanh = arccosh, arcsinh, arctanh

# === complex parts and types ===================================================================
real = defrule(onp.real,           "Re",                    REALS, reads="x",
              jvp=lambda t, ans, x: real(t),
              vjp=real_vjp,                                                                         elementwise=True)
imag = defrule(onp.imag,           "Im",                    REALS, reads="x",
              jvp=lambda t, ans, x: imag(t),
              vjp=imag_vjp,                                                                         elementwise=True)
conjugate = defrule(onp.conjugate, "conj",                  REALS, reads="",
              jvp=lambda t, ans, x: conjugate(t),
              vjp=lambda g, ans, x: conjugate(g),                                                   elementwise=True)
conj = conjugate
angle = defrule(onp.angle,         "Im(1/{0})",             NONZERO, reads="ans, x",
              jvp=lambda t, ans, x, deg=False: imag(t / x) * (1 / _DEGREE if deg else 1.0),
              vjp=lambda g, ans, x, deg=False: real_vjp(g, ans, x) * -1j / x * (1 / _DEGREE if deg else 1.0) if onp.iscomplexobj(unbox(x)) else zeros_like(g), elementwise=True)
real_if_close = defrule(onp.real_if_close, "1",             REALS, reads="",
              jvp=lambda t, ans, x, tol=100: _real_like(ans, t),
              vjp=lambda g, ans, x, tol=100: g,                                                     elementwise=True)
astype = defrule(onp.astype,       "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, dtype, **kw: astype(t, dtype),
              vjp=lambda g, ans, x, dtype, **kw: astype(g, onp.result_type(unbox(x))),              elementwise=True)
nan_to_num = defrule(onp.nan_to_num, "[{0} finite]",        REALS, reads="x",
              jvp=lambda t, ans, x, *args, **kw: where(isfinite(x), t, 0.0),
              vjp=lambda g, ans, x, *args, **kw: where(isfinite(x), g, 0.0),                        elementwise=True)

# === comparisons and selection =================================================================
maximum = defrule(onp.maximum,     ("[{0} ≥ {1}]", "[{1} > {0}]"), REALS, reads=("x, y", "x, y"),
              jvp=(lambda t, ans, x, y: where(x >= y, t, 0.0), lambda t, ans, x, y: where(y > x, t, 0.0)),
              vjp=(lambda g, ans, x, y: where(x >= y, g, 0.0), lambda g, ans, x, y: where(y > x, g, 0.0)), elementwise=True, smooth=False)
minimum = defrule(onp.minimum,     ("[{0} ≤ {1}]", "[{1} < {0}]"), REALS, reads=("x, y", "x, y"),
              jvp=(lambda t, ans, x, y: where(x <= y, t, 0.0), lambda t, ans, x, y: where(y < x, t, 0.0)),
              vjp=(lambda g, ans, x, y: where(x <= y, g, 0.0), lambda g, ans, x, y: where(y < x, g, 0.0)), elementwise=True, smooth=False)
fmax = defrule(onp.fmax,           ("[{0} ≥ {1}]", "[{1} > {0}]"), REALS, reads=("x, y", "x, y"),
              jvp=(lambda t, ans, x, y: where(x >= y, t, 0.0), lambda t, ans, x, y: where(y > x, t, 0.0)),
              vjp=(lambda g, ans, x, y: where(x >= y, g, 0.0), lambda g, ans, x, y: where(y > x, g, 0.0)), elementwise=True, smooth=False)
fmin = defrule(onp.fmin,           ("[{0} ≤ {1}]", "[{1} < {0}]"), REALS, reads=("x, y", "x, y"),
              jvp=(lambda t, ans, x, y: where(x <= y, t, 0.0), lambda t, ans, x, y: where(y < x, t, 0.0)),
              vjp=(lambda g, ans, x, y: where(x <= y, g, 0.0), lambda g, ans, x, y: where(y < x, g, 0.0)), elementwise=True, smooth=False)


def _clip_masks(x, low, high):
    """Where each of ``clip(x, low, high) = minimum(maximum(x, low), high)`` is passed on, as
    plain masks ``(for x, for low, for high)``: x inside ``[low, high]`` (ties to x, as in
    ``maximum`` and ``minimum``), low above x, high below ``max(x, low)``. Either bound may be
    None, and bounds of a larger shape broadcast the masks (and the output) past x's shape."""
    raw = unbox(x)
    raised = raw if low is None else onp.maximum(raw, unbox(low))
    under = onp.zeros(onp.shape(raised), dtype=bool) if high is None else raised > unbox(high)
    above = onp.zeros(onp.shape(raised), dtype=bool) if low is None else unbox(low) > raw
    return ~above & ~under, above & ~under, under


def _clip_rule(argnum):
    """ẏ = ṫ and x̄ = ȳ where argument ``argnum`` is what ``clip`` returns, 0 elsewhere."""
    return lambda t, ans, x, low=None, high=None, *rest, **kw: where(_clip_masks(x, low, high)[argnum], t, 0.0)


_clip = defrule(onp.clip,          ("[{1} ≤ {0} ≤ {2}]", "[{0} < {1}]", "[max({0}, {1}) > {2}]"), REALS, reads=("x, low, high",) * 3, name="clip",
              jvp=(_clip_rule(0),                          _clip_rule(1),                       _clip_rule(2)),
              vjp=(_clip_rule(0),                          _clip_rule(1),                       _clip_rule(2)), elementwise=True, smooth=False)
where = defrule(onp.where,         (None, "[c]", "[¬c]"),   REALS, reads=(None, "c", "c"),
              jvp=(None, lambda t, ans, c, x, y: where(c, t, 0.0), lambda t, ans, c, x, y: where(c, 0.0, t)),
              vjp=(None, lambda g, ans, c, x, y: where(c, g, 0.0), lambda g, ans, c, x, y: where(c, 0.0, g)), elementwise=True,
              constant_arguments=(0,))

# === reductions ================================================================================
def _sum_raw(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """numpy's ``sum``; on a plain array its ufunc reduction directly, as ``numpy.sum`` itself
    ends up doing, without the Python wrapper that costs more than summing a small array.
    The array is called ``a``, as numpy calls it, so that ``sum(a=x)`` works."""
    if type(a) is onp.ndarray and not kwargs:
        return onp.add.reduce(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)
    return onp.sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)


sum = defrule(_sum_raw,            "1",                     REALS, reads="x", name="sum",  # noqa: A001
              jvp=lambda t, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw: sum(t, axis=axis, dtype=dtype, keepdims=keepdims),
              vjp=_sum_vjp)
mean = defrule(onp.mean,           "1/n",                   REALS, reads="ans, x",
              jvp=lambda t, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kw: mean(t, axis=axis, dtype=dtype, keepdims=keepdims),
              vjp=_mean_vjp)
prod = defrule(onp.prod,           "{ans}/{0}",             REALS,   reads="ans, x",
              jvp=_prod_jvp,
              vjp=_prod_vjp)
max = defrule(onp.max,             "[{0} = max]",           REALS, reads="ans, x",  # noqa: A001 - numpy's name
              jvp=_extremum_jvp,
              vjp=_extremum_vjp,                                                                    smooth=False)
amax = defrule(onp.amax,           "[{0} = max]",           REALS, reads="ans, x",
              jvp=_extremum_jvp,
              vjp=_extremum_vjp,                                                                    smooth=False)
min = defrule(onp.min,             "[{0} = min]",           REALS, reads="ans, x",  # noqa: A001 - numpy's name
              jvp=_extremum_jvp,
              vjp=_extremum_vjp,                                                                    smooth=False)
amin = defrule(onp.amin,           "[{0} = min]",           REALS, reads="ans, x",
              jvp=_extremum_jvp,
              vjp=_extremum_vjp,                                                                    smooth=False)
var = defrule(onp.var,             "2({0}-mean)/(n-ddof)",  REALS, reads="x",
              jvp=_var_jvp,
              vjp=_var_vjp)
std = defrule(onp.std,             "({0}-mean)/((n-ddof)·{ans})", REALS, reads="ans, x",
              jvp=_std_jvp,
              vjp=_std_vjp)
cumsum = defrule(onp.cumsum,       "[i ≤ j]",               REALS, reads="x",
              jvp=lambda t, ans, x, axis=None, dtype=None, out=None: cumsum(t, axis=axis),
              vjp=_cumsum_vjp)
diff = defrule(onp.diff,           "Δ",                     REALS, reads="",
              jvp=lambda t, ans, x, n=1, axis=-1: diff(t, n=n, axis=axis),
              vjp=_diff_vjp)
trace = defrule(onp.trace,         "[on diagonal]",         REALS, reads="x",
              jvp=lambda t, ans, x, offset=0, axis1=0, axis2=1, dtype=None, out=None: trace(t, offset, axis1, axis2),
              vjp=_trace_vjp)
_gradient = defrule(_gradient_raw, "central differences",   REALS, reads="spacing, axis, edge_order", name="gradient",
              jvp=lambda t, ans, f, spacing, axis, edge_order: _gradient(t, spacing, axis, edge_order),
              vjp=lambda g, ans, f, spacing, axis, edge_order: _gradient_transpose(g, spacing, axis, edge_order))
_gradient_transpose = defrule(_gradient_transpose_raw, "transposed differences", REALS, reads="spacing, axis, edge_order", name="gradient_transpose",
              jvp=lambda t, ans, g, spacing, axis, edge_order: _gradient_transpose(t, spacing, axis, edge_order),
              vjp=lambda h, ans, g, spacing, axis, edge_order: _gradient(h, spacing, axis, edge_order))

# === products ==================================================================================
dot = defrule(onp.dot,             ("·{1}ᵀ", "{0}ᵀ·"),      REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b: dot(t, b),         lambda t, ans, a, b: dot(a, t)),
              vjp=(_dot_vjp_left,                          _dot_vjp_right))
matmul = defrule(onp.matmul,       ("·{1}ᵀ", "{0}ᵀ·"),      REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b: matmul(t, b),      lambda t, ans, a, b: matmul(a, t)),
              vjp=(_matmul_vjp_left,                       _matmul_vjp_right))
inner = defrule(onp.inner,         ("{1}", "{0}"),          REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b: inner(t, b),       lambda t, ans, a, b: inner(a, t)),
              vjp=(_inner_vjp_left,                        _inner_vjp_right))
outer = defrule(onp.outer,         ("{1}ᵀ", "{0}"),         REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b: outer(t, b),       lambda t, ans, a, b: outer(a, t)),
              vjp=(lambda g, ans, a, b: reshape(dot(g, ravel(b)), _shape(a)), lambda g, ans, a, b: reshape(dot(ravel(a), g), _shape(b))))
tensordot = defrule(onp.tensordot, ("·{1}", "{0}·"),        REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b, axes=2: tensordot(t, b, axes), lambda t, ans, a, b, axes=2: tensordot(a, t, axes)),
              vjp=(_tensordot_vjp_left,                    _tensordot_vjp_right))
kron = defrule(onp.kron,           ("⊗{1}", "{0}⊗"),        REALS, reads=("a, b", "a, b"),
              jvp=(lambda t, ans, a, b: kron(t, b),        lambda t, ans, a, b: kron(a, t)),
              vjp=(_kron_vjp_left,                         _kron_vjp_right))
cross = defrule(onp.cross,         ("×{1}", "{0}×"),        REALS, reads=("b", "a"),
              jvp=(lambda t, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: cross(t, b, axisa, axisb, axisc, axis),
                   lambda t, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: cross(a, t, axisa, axisb, axisc, axis)),
              vjp=(lambda g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: cross(b, g, axisb, axisc, axisa, axis),
                   lambda g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: cross(g, a, axisc, axisa, axisb, axis)))
_einsum = defrule(onp.einsum,      None,                    REALS, name="einsum",                   variadic=True)
_einsum.jvp_for = _einsum_jvp
_einsum.vjp_for = _einsum_vjp

# === shapes (linear: the adjoint undoes the move) ==============================================
reshape = defrule(onp.reshape,     "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, shape=None, order="C", **kw: reshape(t, _shape(ans), order=order),
              vjp=lambda g, ans, x, shape=None, order="C", **kw: reshape(g, _shape(x), order=order))
ravel = defrule(onp.ravel,         "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, order="C": ravel(t, order),
              vjp=lambda g, ans, x, order="C": reshape(g, _shape(x), order=order))
squeeze = defrule(onp.squeeze,     "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, axis=None: squeeze(t, axis),
              vjp=lambda g, ans, x, axis=None: reshape(g, _shape(x)))
expand_dims = defrule(onp.expand_dims, "1",                 REALS, reads="x",
              jvp=lambda t, ans, x, axis: expand_dims(t, axis),
              vjp=lambda g, ans, x, axis: reshape(g, _shape(x)))
_atleast_1d = defrule(onp.atleast_1d, "1",                  REALS, reads="x", name="atleast_1d",
              jvp=lambda t, ans, x: _atleast_1d(t),
              vjp=lambda g, ans, x: reshape(g, _shape(x)))
_atleast_2d = defrule(onp.atleast_2d, "1",                  REALS, reads="x", name="atleast_2d",
              jvp=lambda t, ans, x: _atleast_2d(t),
              vjp=lambda g, ans, x: reshape(g, _shape(x)))
_atleast_3d = defrule(onp.atleast_3d, "1",                  REALS, reads="x", name="atleast_3d",
              jvp=lambda t, ans, x: _atleast_3d(t),
              vjp=lambda g, ans, x: reshape(g, _shape(x)))
transpose = defrule(onp.transpose, "1",                     REALS, reads="",
              jvp=lambda t, ans, x, axes=None: transpose(t, axes),
              vjp=lambda g, ans, x, axes=None: transpose(g, None if axes is None else tuple(onp.argsort(axes))))
permute_dims = transpose
swapaxes = defrule(onp.swapaxes,   "1",                     REALS, reads="axis1, axis2",
              jvp=lambda t, ans, x, axis1, axis2: swapaxes(t, axis1, axis2),
              vjp=lambda g, ans, x, axis1, axis2: swapaxes(g, axis1, axis2))
moveaxis = defrule(onp.moveaxis,   "1",                     REALS, reads="source, destination",
              jvp=lambda t, ans, x, source, destination: moveaxis(t, source, destination),
              vjp=lambda g, ans, x, source, destination: moveaxis(g, destination, source))
rollaxis = defrule(onp.rollaxis,   "1",                     REALS, reads="x, axis",
              jvp=lambda t, ans, x, axis, start=0: rollaxis(t, axis, start),
              vjp=lambda g, ans, x, axis, start=0: transpose(g, tuple(onp.argsort(_rollaxis_order(_ndim(x), axis, start)))))
broadcast_to = defrule(onp.broadcast_to, "1",               REALS, reads="",
              jvp=lambda t, ans, x, shape, **kw: broadcast_to(t, shape),
              vjp=lambda g, ans, x, shape, **kw: g)  # the sweep sums g back to x's shape
flip = defrule(onp.flip,           "1",                     REALS, reads="",
              jvp=lambda t, ans, x, axis=None: flip(t, axis),
              vjp=lambda g, ans, x, axis=None: flip(g, axis))
fliplr = defrule(onp.fliplr,       "1",                     REALS, reads="",
              jvp=lambda t, ans, x: fliplr(t),
              vjp=lambda g, ans, x: fliplr(g))
flipud = defrule(onp.flipud,       "1",                     REALS, reads="",
              jvp=lambda t, ans, x: flipud(t),
              vjp=lambda g, ans, x: flipud(g))
rot90 = defrule(onp.rot90,         "1",                     REALS, reads="",
              jvp=lambda t, ans, x, k=1, axes=(0, 1): rot90(t, k, axes),
              vjp=lambda g, ans, x, k=1, axes=(0, 1): rot90(g, -k, axes))
roll = defrule(onp.roll,           "1",                     REALS, reads="shift",
              jvp=lambda t, ans, x, shift, axis=None: roll(t, shift, axis),
              vjp=lambda g, ans, x, shift, axis=None: roll(g, _negated(shift), axis))
tril = defrule(onp.tril,           "[i ≥ j-k]",             REALS, reads="",
              jvp=lambda t, ans, x, k=0: tril(t, k),
              vjp=lambda g, ans, x, k=0: tril(g, k))
triu = defrule(onp.triu,           "[i ≤ j-k]",             REALS, reads="",
              jvp=lambda t, ans, x, k=0: triu(t, k),
              vjp=lambda g, ans, x, k=0: triu(g, k))
diag = defrule(onp.diag,           "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, k=0: diag(t, k),
              vjp=lambda g, ans, x, k=0: diag(g, k) if _ndim(x) == 1 else _place_diagonal(g, k, 0, 1, _shape(x)))
diagonal = defrule(onp.diagonal,   "1",                     REALS, reads="x",
              jvp=lambda t, ans, x, offset=0, axis1=0, axis2=1: diagonal(t, offset, axis1, axis2),
              vjp=lambda g, ans, x, offset=0, axis1=0, axis2=1: _place_diagonal(g, offset, axis1, axis2, _shape(x)))
make_diagonal = defrule(_make_diagonal, "1",                REALS, reads="", name="make_diagonal",
              jvp=lambda t, ans, d, offset=0, axis1=0, axis2=1: make_diagonal(t, offset, axis1, axis2),
              vjp=lambda g, ans, d, offset=0, axis1=0, axis2=1: diagonal(g, offset, axis1, axis2))
_place_diagonal = defrule(_place_diagonal_raw, "1",         REALS, reads="offset, axis1, axis2", name="place_diagonal",
              jvp=lambda t, ans, d, offset, axis1, axis2, shape: _place_diagonal(t, offset, axis1, axis2, shape),
              vjp=lambda g, ans, d, offset, axis1, axis2, shape: diagonal(g, offset, axis1, axis2))
repeat = defrule(onp.repeat,       "1",                     REALS, reads="x, repeats",
              jvp=lambda t, ans, x, repeats, axis=None: repeat(t, repeats, axis),
              vjp=_repeat_vjp)
tile = defrule(onp.tile,           "1",                     REALS, reads="x, reps",
              jvp=lambda t, ans, x, reps: tile(t, reps),
              vjp=_tile_vjp)
pad = defrule(onp.pad,             "1",                     REALS, reads="x, pad_width",
              jvp=lambda t, ans, x, pad_width, mode="constant", **kw: pad(t, pad_width, mode="constant"),
              vjp=_pad_vjp)
full = defrule(onp.full,           (None, "1"),             REALS, reads=(None, ""),
              jvp=(None, lambda t, ans, shape, fill_value, dtype=None, *order, **kw: full(shape, t, dtype)),
              vjp=(None, lambda g, ans, shape, fill_value, dtype=None, *order, **kw: g))  # the sweep sums g to the fill's shape
linspace = defrule(onp.linspace,   ("1 - k/(n-1)", "k/(n-1)"), REALS, reads=("ans, start", "ans, start"),
              jvp=(_linspace_jvp(0),                       _linspace_jvp(1)),
              vjp=(_linspace_vjp(0),                       _linspace_vjp(1)))

# === indexing and sorting ======================================================================
getitem = defrule(_take,           "1",                     REALS, reads="x, index", name="getitem",
              jvp=lambda t, ans, x, index: getitem(t, index),
              vjp=lambda g, ans, x, index: untake(g, index, _shape(x)))
untake = defrule(_untake_raw,      "1",                     REALS, reads="index", name="untake",
              jvp=lambda t, ans, g, index, shape: untake(t, index, shape),
              vjp=lambda h, ans, g, index, shape: getitem(h, index))
take = defrule(onp.take,           "1",                     REALS, reads="x, indices",
              jvp=lambda t, ans, x, indices, axis=None, **kw: take(t, indices, axis),
              vjp=lambda g, ans, x, indices, axis=None, **kw: _untake_along(g, indices, axis, _shape(x)))
_untake_along = defrule(_untake_along_raw, "1",             REALS, reads="indices, axis", name="untake_along",
              jvp=lambda t, ans, g, indices, axis, shape: _untake_along(t, indices, axis, shape),
              vjp=lambda h, ans, g, indices, axis, shape: take(h, indices, axis))
take_along_axis = defrule(onp.take_along_axis, "1",         REALS, reads="x, indices",
              jvp=lambda t, ans, x, indices, axis=-1: take_along_axis(t, indices, axis),
              vjp=lambda g, ans, x, indices, axis=-1: _add_along_axis(g, indices, axis, _shape(x)))
_add_along_axis = defrule(_add_along_axis_raw, "1",         REALS, reads="indices, axis", name="add_along_axis",
              jvp=lambda t, ans, g, indices, axis, shape: _add_along_axis(t, indices, axis, shape),
              vjp=lambda h, ans, g, indices, axis, shape: take_along_axis(h, indices, axis))
sort = defrule(onp.sort,           "1",                     REALS, reads="x",
              jvp=_sort_jvp,
              vjp=_sort_vjp)
partition = defrule(onp.partition, "1",                     REALS, reads="x, kth",
              jvp=_partition_jvp,
              vjp=_partition_vjp)

# === joining and splitting =====================================================================
_concatenate = defrule(_concatenate_raw, None,              REALS, name="concatenate", variadic=True)
_concatenate.jvp_for = _concatenate_jvp
_concatenate.vjp_for = _concatenate_vjp
_stack = defrule(_stack_raw,       None,                    REALS, name="stack", variadic=True)
_stack.jvp_for = (lambda argnum: None if argnum == 0 else
              (lambda t, ans, axis, *arrays: untake(t, _stack_index(ans, axis, argnum - 1), _shape(ans))))
_stack.vjp_for = (lambda argnum: None if argnum == 0 else
              (lambda g, ans, axis, *arrays: getitem(g, _stack_index(ans, axis, argnum - 1))))
_array = defrule(_array_raw,       None,                    REALS, name="array", variadic=True)
_array.jvp_for = (lambda argnum: None if argnum == 0 else
              (lambda t, ans, shape, *elements: untake(t, _array_index(shape, argnum - 1), _shape(ans))))
_array.vjp_for = (lambda argnum: None if argnum == 0 else
              (lambda g, ans, shape, *elements: getitem(g, _array_index(shape, argnum - 1))))
_split_piece = defrule(_take,      "1",                     REALS, reads="x, index", name="split",
              jvp=lambda t, ans, x, index: _split_piece(t, index),
              vjp=lambda g, ans, x, index: untake(g, index, _shape(x)))
# fmt: on


# === the numpy functions built on those rows ====================================================


@_built_on(_concatenate)
def concatenate(arrays, axis=0):
    """numpy's ``concatenate``, recorded as one node whose arguments are the arrays."""
    return _concatenate(axis, *_arrays(arrays))


@_built_on(_stack)
def stack(arrays, axis=0):
    """numpy's ``stack``, recorded as one node whose arguments are the arrays."""
    return _stack(axis, *_arrays(arrays))


def _arrays(pieces):
    """The pieces of a join, a (nested) list among them made one array: numpy would make an
    array of boxes of a list holding traced values, and lose their derivatives."""
    return [array(a) if isinstance(a, (list, tuple)) else a for a in pieces]


def _at_least(arrays, ndim, promote):
    return [a if _ndim(a) >= ndim else promote(a) for a in _arrays(arrays)]


@_built_on(_concatenate)
def hstack(tup):
    """numpy's ``hstack``: joined along the columns (along the only axis of vectors)."""
    arrays = _at_least(tup, 1, _atleast_1d)
    return _concatenate(0 if _ndim(arrays[0]) == 1 else 1, *arrays)


@_built_on(_concatenate)
def vstack(tup):
    """numpy's ``vstack``: joined along the rows, vectors taken as rows."""
    return _concatenate(0, *_at_least(tup, 2, _atleast_2d))


row_stack = vstack  # numpy's deprecated alias, which autograd programs still use


@_built_on(_concatenate)
def column_stack(tup):
    """numpy's ``column_stack``: vectors become columns, then joined along the columns."""
    return _concatenate(1, *_at_least(tup, 2, lambda a: reshape(a, (-1, 1))))


@_built_on(_concatenate)
def dstack(tup):
    """numpy's ``dstack``: joined along the third axis."""
    return _concatenate(2, *_at_least(tup, 3, _atleast_3d))


@_built_on(_concatenate)
def append(arr, values, axis=None):
    """numpy's ``append``: ``values`` joined after ``arr`` (both flattened if axis is None)."""
    arr, values = _arrays((arr, values))
    if axis is None:
        return _concatenate(0, ravel(arr), ravel(values))
    return _concatenate(axis, arr, values)


@_built_on(_array)
def array(object, dtype=None, **kwargs):  # noqa: A002 - numpy's name
    """numpy's ``array``; a (nested) list holding traced values becomes one ``array`` node.

    Example:
        >>> import gradviz
        >>> gradviz.grad(lambda x: sum(array([x, 2.0 * x]) ** 2))(1.0)
        np.float64(10.0)
    """
    if type(object) is Box:
        return object if dtype is None else astype(object, dtype)
    if isinstance(object, (list, tuple)):
        elements, shape = _nested_elements(object)
        if builtins.any(type(element) is Box for element in elements):
            result = _array(shape, *elements)
            return result if dtype is None else astype(result, dtype)
    return onp.array(object, dtype, **kwargs)


@_built_on(_einsum)
def einsum(*operands, **kwargs):
    """numpy's ``einsum``, in either form: ``einsum("ij,jk->ik", a, b)`` or the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``; one ``einsum`` node with the subscripts first.

    Example:
        >>> einsum(onp.ones((2, 3)), [0, 1], onp.ones(3), [1], [0])
        array([3., 3.])
    """
    if operands and not isinstance(operands[0], str):
        operands = _einsum_from_sublists(operands)
    return _einsum(*operands, **kwargs)


def _einsum_from_sublists(operands):
    """``(a, [0, 1], b, [1, 2], [0, 2])`` as ``("ab,bc->ac", a, b)``: each axis number a
    letter, ``Ellipsis`` written ``...``."""
    def letters(sublist):
        return "".join("..." if axis is Ellipsis else string.ascii_letters[int(axis)] for axis in sublist)

    arrays, sublists = operands[0:-1:2], operands[1::2]
    spec = ",".join(letters(sublist) for sublist in sublists[: len(arrays)])
    if len(operands) % 2:  # an output sublist comes last
        spec += "->" + letters(operands[-1])
    return (spec, *arrays)


@_built_on(_concatenate)
def block(arrays):
    """numpy's ``block``: nested lists joined along the last axis at the innermost level, the
    one before at the next, and so on; every piece promoted to the result's rank first."""
    depth, level = 0, arrays
    while isinstance(level, list):
        depth, level = depth + 1, level[0] if level else None
    ndim = builtins.max([depth] + [_ndim(a) for a in _block_leaves(arrays)])
    return _block_join(arrays, depth, ndim)


def _block_leaves(arrays):
    leaves, pending = [], [arrays]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        else:
            leaves.append(item)
    return leaves


def _block_join(arrays, depth, ndim):
    """Join one level of ``block``'s nesting (``depth`` levels below it, itself included)."""
    if not isinstance(arrays, list):
        shape = _shape(arrays)
        return reshape(arrays, (1,) * (ndim - len(shape)) + tuple(shape)) if len(shape) < ndim else arrays
    pieces = [_block_join(item, depth - 1, ndim) for item in arrays]
    return _concatenate(ndim - depth, *pieces)


@_built_on(where)
def select(condlist, choicelist, default=0):
    """numpy's ``select``: the choice of the first true condition, ``default`` where none is;
    recorded as one ``where`` node per condition (conditions carry no derivative)."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        return onp.select(condlist, choicelist, default)
    result = default
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        result = where(condition, choice, result)
    return result


@_built_on(_clip)
def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):  # noqa: A002
    """numpy's ``clip``, its bounds recorded as arguments 1 and 2 whichever of numpy's names
    they come under (``a_min``/``a_max``, or the array API's ``min``/``max``), so that a
    traced bound has its derivative too.

    Example:
        >>> import gradviz
        >>> gradviz.grad(lambda top: sum(clip(onp.array([0.5, 2.0]), max=top)))(1.0)
        np.float64(1.0)
    """
    if (min is not None or max is not None) and (a_min is not None or a_max is not None):
        raise TypeError("clip() takes its bounds as a_min and a_max, or as min and max, not both")
    if min is not None or max is not None:
        a_min, a_max = min, max
    return _clip(a, a_min, a_max, out, **kwargs)


def _one_node_each(primitive):
    """numpy's ``f(*arrays)`` convention: one node per array, a list back for several."""

    @_built_on(primitive)
    def function(*arys):
        results = [primitive(a) for a in arys]
        return results[0] if len(results) == 1 else results

    function.__name__ = function.__qualname__ = primitive.name
    function.__doc__ = f"numpy's ``{primitive.name}``, one ``{primitive.name}`` node per array."
    return function


atleast_1d = _one_node_each(_atleast_1d)
atleast_2d = _one_node_each(_atleast_2d)
atleast_3d = _one_node_each(_atleast_3d)


@_built_on(_split_piece)
def split(ary, indices_or_sections, axis=0):
    """numpy's ``split``: a list of pieces, each recorded as one ``split`` node."""
    return _split_along(ary, indices_or_sections, axis, equal_parts=True)


@_built_on(_split_piece)
def array_split(ary, indices_or_sections, axis=0):
    """numpy's ``array_split``: like ``split``, the pieces may differ by one in length."""
    return _split_along(ary, indices_or_sections, axis, equal_parts=False)


@_built_on(_split_piece)
def hsplit(ary, indices_or_sections):
    """numpy's ``hsplit``: split along the columns (along the only axis of vectors)."""
    return split(ary, indices_or_sections, axis=1 if _ndim(ary) > 1 else 0)


@_built_on(_split_piece)
def vsplit(ary, indices_or_sections):
    """numpy's ``vsplit``: split along the rows."""
    if _ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, axis=0)


@_built_on(_split_piece)
def dsplit(ary, indices_or_sections):
    """numpy's ``dsplit``: split along the third axis."""
    if _ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, axis=2)


@_built_on(_gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy's ``gradient`` with a scalar spacing: one ``gradient`` node per axis.

    Example:
        >>> gradient(onp.array([1.0, 4.0, 9.0]))
        array([3., 4., 5.])
    """
    if len(varargs) > 1 or (varargs and onp.ndim(varargs[0])):
        raise NotImplementedError("gradviz.numpy.gradient: only one scalar spacing is supported")
    spacing = varargs[0] if varargs else 1.0
    ndim = _ndim(f)
    if isinstance(axis, (int, onp.integer)):
        return _gradient(f, spacing, int(axis), edge_order)
    axes = range(ndim) if axis is None else axis
    results = [_gradient(f, spacing, a, edge_order) for a in axes]
    return results[0] if ndim == 1 and axis is None else results


# === no derivative: recorded, values pass through ==============================================
sign = defnondiff(onp.sign)
floor = defnondiff(onp.floor)
ceil = defnondiff(onp.ceil)
trunc = defnondiff(onp.trunc)
rint = defnondiff(onp.rint)
round = defnondiff(onp.round)  # noqa: A001 - numpy's name
around = defnondiff(onp.around)
fix = defnondiff(onp.fix)
isscalar = defnondiff(onp.isscalar)
isposinf = defnondiff(onp.isposinf)
isneginf = defnondiff(onp.isneginf)
array_equiv = defnondiff(onp.array_equiv)
floor_divide = defnondiff(onp.floor_divide)
argmax = defnondiff(onp.argmax)
argmin = defnondiff(onp.argmin)
argsort = defnondiff(onp.argsort)
argpartition = defnondiff(onp.argpartition)
argwhere = defnondiff(onp.argwhere)
nonzero = defnondiff(onp.nonzero)
flatnonzero = defnondiff(onp.flatnonzero)
searchsorted = defnondiff(onp.searchsorted)
digitize = defnondiff(onp.digitize)
count_nonzero = defnondiff(onp.count_nonzero)
greater = defnondiff(onp.greater)
greater_equal = defnondiff(onp.greater_equal)
less = defnondiff(onp.less)
less_equal = defnondiff(onp.less_equal)
equal = defnondiff(onp.equal)
not_equal = defnondiff(onp.not_equal)
isclose = defnondiff(onp.isclose)
allclose = defnondiff(onp.allclose)
array_equal = defnondiff(onp.array_equal)
isnan = defnondiff(onp.isnan)
isinf = defnondiff(onp.isinf)
isfinite = defnondiff(onp.isfinite)
isreal = defnondiff(onp.isreal)
iscomplex = defnondiff(onp.iscomplex)
iscomplexobj = defnondiff(onp.iscomplexobj)
signbit = defnondiff(onp.signbit)
logical_and = defnondiff(onp.logical_and)
logical_or = defnondiff(onp.logical_or)
logical_not = defnondiff(onp.logical_not)
logical_xor = defnondiff(onp.logical_xor)
all = defnondiff(onp.all)  # noqa: A001 - numpy's name
any = defnondiff(onp.any)  # noqa: A001 - numpy's name
zeros_like = defnondiff(onp.zeros_like)
ones_like = defnondiff(onp.ones_like)
empty_like = defnondiff(onp.empty_like)
full_like = defnondiff(onp.full_like)
shape = defnondiff(onp.shape)
ndim = defnondiff(onp.ndim)
size = defnondiff(onp.size)
result_type = defnondiff(onp.result_type)
