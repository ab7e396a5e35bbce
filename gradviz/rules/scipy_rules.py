"""The rule table for scipy: special functions, triangular and Sylvester solves, the matrix
square root, convolution and ``odeint``.

Elementwise functions are written as their partial derivatives ``∂ans/∂argᵢ``; the tangent
term is ``t·∂ᵢ`` and the adjoint term ``g·∂ᵢ`` (``defrule(partial=…)``). Every partial is itself
built from rows of this table (``gammaln′ = digamma``, ``digamma′ = polygamma(1, ·)`` …), so
derivatives of any order exist. Where scipy has no derivative in an argument (the order ``n``
of ``polygamma``, the shape parameters of ``gammainc`` and ``betainc``) the row has no rule,
and differentiating there fails with an error naming the function and the argument.

``odeint`` is the exception to "rules call only primitives": its rules integrate an augmented
system with scipy (forward sensitivities, or the adjoint system backwards in time), so they
give first derivatives only, and refuse clearly when asked for more.
"""

from __future__ import annotations

import numpy as onp
import scipy.integrate
import scipy.linalg
import scipy.signal
import scipy.special as sp
import scipy.stats

from gradviz.engine.broadcast import shape_of
from gradviz.engine.tracer import Box, Primitive, unbox
from gradviz.errors import RuleError
from gradviz.rules import defnondiff, defrule
from gradviz.rules.domains import POSITIVE, REALS, UNIT, Domain
from gradviz.rules.linalg_rules import T, _column, _triangle_mask
from gradviz.rules._numpy_helpers import _restore_axes, _transposed_back
from gradviz.rules.numpy_rules import (
    _sech_squared,
    exp,
    getitem,
    log,
    log1p,
    matmul,
    reshape,
    sign,
    sum,
    where,
)

__all__ = ["SCIPY_RULES", "PROBABILITIES"]

#: The primitives of this table, by name (kept apart from numpy's table).
SCIPY_RULES: dict[str, Primitive] = {}

PROBABILITIES = Domain("probabilities (0, 1)", 0.1, 0.9)
ABOVE_HALF = Domain("positive, away from poles", 0.6, 4.0)

_SQRT_PI = float(onp.sqrt(onp.pi))
_INV_SQRT_2PI = float(1 / onp.sqrt(2 * onp.pi))


def _row(fun, display, domain, reads, *partials, **info):
    """A row stated by its partials ``∂(ans, *args)`` (``None``: no rule) and what each reads."""
    return defrule(fun, display, domain, table=SCIPY_RULES, partial=partials, reads=reads, **info)


def _zero_over(x, y):
    """x/y, and 0 where x = 0: ``xlogy(0, y)`` is 0 for every y, so is its slope in y, even at
    y = 0 where x/y is 0/0."""
    at_zero = unbox(x) == 0
    if not onp.any(at_zero):
        return x / y
    return where(at_zero, 0.0, x / where(at_zero, 1.0, y))


def _multigammaln_partial(ans, a, d):
    """∂/∂a log Γ_d(a) = Σ_{j<d} ψ(a − j/2)."""
    total = 0.0
    for j in range(int(d)):
        total = total + digamma(a - j / 2.0)
    return total


# fmt: off
# ruff: noqa: E501, E731
# === gamma and beta functions ==================================================================
#      primitive                   display                          domain  adjoint reads  partial ∂ans/∂arg (rule terms t·∂, g·∂)
gamma = _row(sp.gamma,             "{ans}·ψ({0})",                  POSITIVE, "ans, x",   lambda ans, x: ans * digamma(x))
gammaln = _row(sp.gammaln,         "ψ({0})",                        POSITIVE, "x",   lambda ans, x: digamma(x))
digamma = _row(sp.digamma,         "ψ′({0})",                       POSITIVE, "x",   lambda ans, x: polygamma(1, x), name="digamma")
psi = digamma
polygamma = _row(sp.polygamma,     (None, "ψ⁽ⁿ⁺¹⁾({1})"),           POSITIVE, (None, "n, x"),   None, lambda ans, n, x: polygamma(n + 1, x))
rgamma = _row(sp.rgamma,           "−ψ({0})/Γ({0})",                POSITIVE, "ans, x",   lambda ans, x: -digamma(x) * ans)
multigammaln = _row(sp.multigammaln, ("Σψ({0}−j/2)", None),         ABOVE_HALF, ("a, d", None), _multigammaln_partial, None)
beta = _row(sp.beta,               ("{ans}(ψ({0})−ψ({0}+{1}))", "{ans}(ψ({1})−ψ({0}+{1}))"), POSITIVE, ("ans, a, b", "ans, a, b"),
             lambda ans, a, b: ans * (digamma(a) - digamma(a + b)),
             lambda ans, a, b: ans * (digamma(b) - digamma(a + b)))
betaln = _row(sp.betaln,           ("ψ({0})−ψ({0}+{1})", "ψ({1})−ψ({0}+{1})"), POSITIVE, ("a, b", "a, b"),
             lambda ans, a, b: digamma(a) - digamma(a + b),
             lambda ans, a, b: digamma(b) - digamma(a + b))
betainc = _row(sp.betainc,         (None, None, "{2}^({0}−1)(1−{2})^({1}−1)/B"), PROBABILITIES, (None, None, "a, b, x"),
             None, None,
             lambda ans, a, b, x: exp((a - 1) * log(x) + (b - 1) * log1p(-x) - betaln(a, b)))
gammainc = _row(sp.gammainc,       (None, "e^(−{1}){1}^({0}−1)/Γ({0})"), POSITIVE, (None, "a, x"),
             None, lambda ans, a, x: exp((a - 1) * log(x) - x - gammaln(a)))
gammaincc = _row(sp.gammaincc,     (None, "−e^(−{1}){1}^({0}−1)/Γ({0})"), POSITIVE, (None, "a, x"),
             None, lambda ans, a, x: -exp((a - 1) * log(x) - x - gammaln(a)))

# === error functions and the logistic ==========================================================
erf = _row(sp.erf,                 "2/√π·e^(−{0}²)",                REALS, "x",      lambda ans, x: (2.0 / _SQRT_PI) * exp(-x * x))
erfc = _row(sp.erfc,               "−2/√π·e^(−{0}²)",               REALS, "x",      lambda ans, x: (-2.0 / _SQRT_PI) * exp(-x * x))
erfinv = _row(sp.erfinv,           "√π/2·e^({ans}²)",               UNIT, "ans",       lambda ans, x: (_SQRT_PI / 2.0) * exp(ans * ans))
erfcinv = _row(sp.erfcinv,         "−√π/2·e^({ans}²)",              Domain("(0, 2)", 0.2, 1.8), "ans", lambda ans, x: (-_SQRT_PI / 2.0) * exp(ans * ans))
ndtr = _row(sp.ndtr,               "φ({0})",                        REALS, "x",      lambda ans, x: _INV_SQRT_2PI * exp(-0.5 * x * x))
log_ndtr = _row(sp.log_ndtr,       "φ({0})/Φ({0})",                 REALS, "ans, x",      lambda ans, x: _INV_SQRT_2PI * exp(-0.5 * x * x - ans))
expit = _row(sp.expit,             "{ans}(1−{ans})",                REALS, "x",      lambda ans, x: 0.25 * _sech_squared(0.5 * x))  # not ans(1 − ans): 0 once ans rounds to 1 (x ≳ 37)
logit = _row(sp.logit,             "1/({0}(1−{0}))",                PROBABILITIES, "x", lambda ans, x: 1 / (x * (1 - x)))
xlogy = _row(sp.xlogy,             ("log {1}", "{0}/{1}"),          POSITIVE, ("y", "x, y"),   lambda ans, x, y: log(y), lambda ans, x, y: _zero_over(x, y))
xlog1py = _row(sp.xlog1py,         ("log(1+{1})", "{0}/(1+{1})"),   POSITIVE, ("y", "x, y"),   lambda ans, x, y: log1p(y), lambda ans, x, y: _zero_over(x, 1 + y))

# === Bessel functions ==========================================================================
j0 = _row(sp.j0,                   "−J₁({0})",                      REALS, "x",      lambda ans, x: -j1(x))
j1 = _row(sp.j1,                   "(J₀−J₂)/2",                     REALS, "x",      lambda ans, x: (j0(x) - jn(2, x)) / 2.0)
jn = _row(sp.jn,                   (None, "(Jₙ₋₁−Jₙ₊₁)/2"),         REALS, (None, "n, x"),      None, lambda ans, n, x: (jn(n - 1, x) - jn(n + 1, x)) / 2.0, name="jn")
y0 = _row(sp.y0,                   "−Y₁({0})",                      POSITIVE, "x",   lambda ans, x: -y1(x))
y1 = _row(sp.y1,                   "(Y₀−Y₂)/2",                     POSITIVE, "x",   lambda ans, x: (y0(x) - yn(2, x)) / 2.0)
yn = _row(sp.yn,                   (None, "(Yₙ₋₁−Yₙ₊₁)/2"),         POSITIVE, (None, "n, x"),   None, lambda ans, n, x: (yn(n - 1, x) - yn(n + 1, x)) / 2.0)
i0 = _row(sp.i0,                   "I₁({0})",                       REALS, "x",      lambda ans, x: i1(x))
i1 = _row(sp.i1,                   "(I₀+I₂)/2",                     REALS, "x",      lambda ans, x: (i0(x) + iv(2, x)) / 2.0)
iv = _row(sp.iv,                   (None, "(Iᵥ₋₁+Iᵥ₊₁)/2"),         POSITIVE, (None, "v, x"),      None, lambda ans, v, x: (iv(v - 1, x) + iv(v + 1, x)) / 2.0)
ive = _row(sp.ive,                 (None, "(Iᵥ₋₁+Iᵥ₊₁)e^(−|x|)/2 − sign(x)·{ans}"), POSITIVE, (None, "ans, v, x"),
           None, lambda ans, v, x: (ive(v - 1, x) + ive(v + 1, x)) / 2.0 - sign(x) * ans)
# fmt: on



def _t_density(x, df, loc, scale):
    """Student's t density, written with this table's rows so that it differentiates again."""
    z = (x - loc) / scale
    return exp(gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * log(df * onp.pi) - log(scale)
               - (df + 1) / 2 * log1p(z * z / df))


def _t_cdf(x, df, loc=0.0, scale=1.0):
    return scipy.stats.t.cdf(x, df, loc, scale)


# Student's t cdf is its own row: through betainc(ν/2, 1/2, ν/(ν+z²)) its derivative at z = 0
# would be ∞·0.
# fmt: off
t_cdf = _row(_t_cdf,               ("p({0})", None, "−p({0})", "−p({0})·z"), REALS, ("x, df", None, "x, df", "x, df"),
             lambda ans, x, df, loc=0.0, scale=1.0: _t_density(x, df, loc, scale),
             None,
             lambda ans, x, df, loc=0.0, scale=1.0: -_t_density(x, df, loc, scale),
             lambda ans, x, df, loc=0.0, scale=1.0: -_t_density(x, df, loc, scale) * (x - loc) / scale,
             name="t_cdf")
# fmt: on

#: The sign of Γ(x): locally constant, so its derivative is zero (recorded without a rule).
gammasgn = defnondiff(sp.gammasgn, "gammasgn")


# === logsumexp ================================================================================


def _softmax_weights(ans, a, axis, b, keepdims):
    """``b·exp(a − logsumexp(a))``: the partial of logsumexp with respect to each entry."""
    weights = exp(a - _restore_axes(ans, a, axis, keepdims))
    return weights if b is None else weights * b


def _logsumexp_jvp(t, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    """ẏ = Σ softmax(a)·ȧ over the reduced axes."""
    return sum(_softmax_weights(ans, a, axis, b, keepdims) * t, axis=axis, keepdims=keepdims)


def _logsumexp_vjp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    """ā = ḡ·softmax(a)."""
    return _restore_axes(g, a, axis, keepdims) * _softmax_weights(ans, a, axis, b, keepdims)


def _logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign:
        raise RuleError("logsumexp(return_sign=True) is not supported: drop return_sign")
    return sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)


# fmt: off
logsumexp = defrule(_logsumexp,    "softmax({0})",                  REALS, reads="ans, a", table=SCIPY_RULES, name="logsumexp",
              jvp=_logsumexp_jvp,
              vjp=_logsumexp_vjp)
# fmt: on


# === scipy.linalg ==============================================================================


def _triangle(a, lower, unit_diagonal):
    n = shape_of(a)[-1]
    mask = _triangle_mask(n, lower)
    return mask - onp.eye(n) if unit_diagonal else mask


def _transposed(trans) -> bool:
    return trans in (1, 2, "T", "C")


def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    return scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _op(m, trans):
    return T(m) if _transposed(trans) else m


def _as_columns(x, b):
    return _column(x) if len(shape_of(b)) == 1 else x


def _tri_jvp_a(t, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    """ẋ = −op(A)⁻¹·op(Ȧ restricted to the triangle read)·x."""
    dt = _op(t * _triangle(a, lower, unit_diagonal), trans)
    step = matmul(dt, _as_columns(ans, b))
    step = reshape(step, shape_of(ans))
    return -solve_triangular(a, step, trans, lower, unit_diagonal)


def _tri_vjp_b(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    """b̄ = op(A)⁻ᵀ ḡ: a triangular solve with the other transposition."""
    return solve_triangular(a, g, 0 if _transposed(trans) else 1, lower, unit_diagonal)


def _tri_vjp_a(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    """Ā = −tri(op(b̄·xᵀ)), b̄ the adjoint of b."""
    gb = _as_columns(_tri_vjp_b(g, ans, a, b, trans, lower, unit_diagonal), b)
    outer = -matmul(gb, T(_as_columns(ans, b)))
    return _op(outer, trans) * _triangle(a, lower, unit_diagonal)


def _sylvester_jvp(argnum):
    def jvp(t, ans, a, b, q):
        """Ẋ = sylv(A, B, Q̇ − ȦX − XḂ), one term per argument."""
        rhs = (-matmul(t, ans), -matmul(ans, t), t)[argnum]
        return solve_sylvester(a, b, rhs)

    return jvp


def _sylvester_vjp(argnum):
    def vjp(g, ans, a, b, q):
        """Y = sylv(Aᵀ, Bᵀ, ḡ); Q̄ = Y, Ā = −YXᵀ, B̄ = −XᵀY."""
        y = solve_sylvester(T(a), T(b), g)
        return (-matmul(y, T(ans)), -matmul(T(ans), y), y)[argnum]

    return vjp


def _sqrtm(a):
    return scipy.linalg.sqrtm(a)


# fmt: off
solve_triangular = defrule(_solve_triangular, ("−op({0})⁻ᵀȳ·{ans}ᵀ", "op({0})⁻ᵀ"), REALS, reads=("ans, a, b", "a"), table=SCIPY_RULES, name="solve_triangular",
              matrices="triangular, well-conditioned",
              jvp=(_tri_jvp_a,            lambda t, ans, a, b, trans=0, lower=False, unit_diagonal=False: solve_triangular(a, t, trans, lower, unit_diagonal)),
              vjp=(_tri_vjp_a,            _tri_vjp_b))
solve_sylvester = defrule(scipy.linalg.solve_sylvester, ("−Y{ans}ᵀ", "−{ans}ᵀY", "Y"), REALS, reads=("ans, a, b", "ans, a, b", "ans, a, b"), table=SCIPY_RULES,
              matrices="A and −B with disjoint spectra",
              jvp=tuple(_sylvester_jvp(k) for k in range(3)),
              vjp=tuple(_sylvester_vjp(k) for k in range(3)))
sqrtm = defrule(_sqrtm,            "sylv({ans}, {ans}, ·)",        REALS, reads="ans", table=SCIPY_RULES, name="sqrtm",
              matrices="symmetric positive definite",
              jvp=lambda t, ans, a: solve_sylvester(ans, ans, t),
              vjp=lambda g, ans, a: solve_sylvester(T(ans), T(ans), g))
# fmt: on


# === scipy.signal.convolve =====================================================================


def _crop(x, start, shape):
    return x[tuple(slice(s, s + n) for s, n in zip(start, shape))]


def _embed(x, start, shape):
    out = onp.zeros(shape, dtype=onp.result_type(x, onp.float64))
    out[tuple(slice(s, s + n) for s, n in zip(start, onp.shape(x)))] = x
    return out


# fmt: off
crop = defrule(_crop,              "1", REALS, reads="x, start", table=SCIPY_RULES, name="crop",
              jvp=lambda t, ans, x, start, shape: crop(t, start, shape),
              vjp=lambda g, ans, x, start, shape: embed(g, start, shape_of(x)))
embed = defrule(_embed,            "1", REALS, reads="x, start", table=SCIPY_RULES, name="embed",
              jvp=lambda t, ans, x, start, shape: embed(t, start, shape),
              vjp=lambda g, ans, x, start, shape: crop(g, start, shape_of(x)))
# fmt: on


def _axis_groups(ndim1, ndim2, axes, dot_axes):
    """Each input's axes as ``(kept, summed, convolved)``: ``axes`` pairs the convolved axes
    (all of ``in1``'s by default), ``dot_axes`` the summed ones; the rest are kept."""
    conv = (tuple(range(ndim1)),) * 2 if axes is None else (tuple(axes[0]), tuple(axes[1]))
    dot = (tuple(dot_axes[0]), tuple(dot_axes[1]))
    groups = []
    for ndim, c, d in ((ndim1, conv[0], dot[0]), (ndim2, conv[1], dot[1])):
        groups.append((tuple(k for k in range(ndim) if k not in c and k not in d), d, c))
    return groups


def _window(m: int, n: int, mode: str) -> tuple[int, int]:
    """``(start, size)`` of a mode's output inside the full convolution of lengths m and n:
    centered, as scipy's."""
    if mode == "full":
        return 0, m + n - 1
    if mode == "valid":
        return min(m, n) - 1, abs(m - n) + 1
    if mode == "same":
        return (n - 1) // 2, m
    raise RuleError(f"convolve: mode {mode!r} is not one of 'full', 'same', 'valid'")


def _full_by_shifts(a, b, kept_a: int, kept_b: int, summed: int):
    """The full convolution of ``a`` (kept, summed, convolved axes) with ``b`` (likewise),
    out as (a's kept, b's kept, convolved): one tensordot per position of ``b``'s window."""
    conv_a = a.shape[kept_a + summed:]
    conv_b = b.shape[kept_b + summed:]
    size = tuple(m + n - 1 for m, n in zip(conv_a, conv_b))
    out = onp.zeros(a.shape[:kept_a] + b.shape[:kept_b] + size, dtype=onp.result_type(a, b))
    sum_a, sum_b = list(range(kept_a, kept_a + summed)), list(range(kept_b, kept_b + summed))
    moved = list(range(kept_a, kept_a + len(conv_a)))
    for shift in onp.ndindex(*conv_b):
        term = onp.tensordot(a, b[(Ellipsis,) + shift], axes=(sum_a, sum_b))
        term = onp.moveaxis(term, moved, list(range(term.ndim - len(moved), term.ndim)))
        out[(Ellipsis,) + tuple(slice(k, k + m) for k, m in zip(shift, conv_a))] += term
    return out


def _convolve_along(in1, in2, mode, axes, dot_axes):
    """autograd's ``convolve(axes=, dot_axes=)``: out axes are in1's kept, in2's kept, then
    the convolved ones."""
    (kept1, dot1, conv1), (kept2, dot2, conv2) = _axis_groups(onp.ndim(in1), onp.ndim(in2), axes,
                                                              dot_axes)
    a = onp.transpose(in1, kept1 + dot1 + conv1)
    b = onp.transpose(in2, kept2 + dot2 + conv2)
    # Full convolution is symmetric: loop over the shifts of the smaller window.
    if onp.prod(a.shape[len(a.shape) - len(conv1):]) < onp.prod(b.shape[len(b.shape) - len(conv2):]):
        full = _full_by_shifts(b, a, len(kept2), len(kept1), len(dot1))
        full = onp.moveaxis(full, list(range(len(kept2))),
                            list(range(len(kept1), len(kept1) + len(kept2))))
    else:
        full = _full_by_shifts(a, b, len(kept1), len(kept2), len(dot1))
    windows = [_window(onp.shape(in1)[i], onp.shape(in2)[j], mode) for i, j in zip(conv1, conv2)]
    start = (0,) * (len(kept1) + len(kept2))
    return _crop(full, start + tuple(w[0] for w in windows),
                 full.shape[: len(start)] + tuple(w[1] for w in windows))


def _convolve(in1, in2, mode="full", method="auto", axes=None, dot_axes=((), ())):
    if axes is None and not any(dot_axes):
        return scipy.signal.convolve(in1, in2, mode=mode, method=method)
    return _convolve_along(in1, in2, mode, axes, dot_axes)


def _flip_axes(x, axes):
    index = [slice(None)] * len(shape_of(x))
    for axis in axes:
        index[axis] = slice(None, None, -1)
    return getitem(x, tuple(index))


def _convolve_vjp(argnum):
    def vjp(g, ans, in1, in2, mode="full", method="auto", axes=None, dot_axes=((), ())):
        """ā = (ḡ zero-padded to the full size) correlated with b: a valid convolution with b
        flipped along the convolved axes, summed over b's kept axes; b̄ likewise."""
        groups = _axis_groups(len(shape_of(in1)), len(shape_of(in2)), axes, dot_axes)
        (kept1, dot1, conv1), (kept2, dot2, conv2) = groups
        kept_out = (tuple(range(len(kept1))), tuple(range(len(kept1), len(kept1) + len(kept2))))
        kept = len(kept1) + len(kept2)
        conv_out = tuple(range(kept, len(shape_of(ans))))
        shape1, shape2 = shape_of(in1), shape_of(in2)
        windows = [_window(shape1[i], shape2[j], mode) for i, j in zip(conv1, conv2)]
        full = shape_of(ans)[:kept] + tuple(shape1[i] + shape2[j] - 1 for i, j in zip(conv1, conv2))
        padded = embed(g, (0,) * kept + tuple(w[0] for w in windows), full)
        own, other = groups[argnum], groups[1 - argnum]
        flipped = _flip_axes(in2 if argnum == 0 else in1, other[2])
        result = convolve(padded, flipped, "valid", method, (conv_out, other[2]),
                          (kept_out[1 - argnum], other[0]))
        summed_order = [own[1][other[1].index(k)] for k in sorted(other[1])]
        return _transposed_back(result, list(own[0]) + summed_order + list(own[2]))

    return vjp


# fmt: off
convolve = defrule(_convolve,      ("⋆{1}", "{0}⋆"),               REALS, reads=("ans, in1, in2", "ans, in1, in2"), table=SCIPY_RULES, name="convolve",
              jvp=(lambda t, ans, in1, in2, *options: convolve(t, in2, *options),
                   lambda t, ans, in1, in2, *options: convolve(in1, t, *options)),
              vjp=(_convolve_vjp(0), _convolve_vjp(1)))
# fmt: on


# === scipy.integrate.odeint ====================================================================


def _first_order_only(*values):
    if any(type(v) is Box for v in values):
        raise RuleError(
            "odeint has first derivatives only (its rules integrate with scipy): "
            "differentiate it once, e.g. with grad or jvp, not hessian or hvp"
        )


#: scipy's step-control settings, passed to every integration: the forward solve, the tangent
#: and the adjoint systems alike (as autograd passes its keyword arguments to both).
SOLVER_OPTIONS = ("rtol", "atol", "tcrit", "h0", "hmax", "hmin", "ixpr", "mxstep", "mxhnil",
                  "mxordn", "mxords", "ml", "mu", "printmessg")


def _odeint(func, y0, t, *args, **options):
    return scipy.integrate.odeint(func, y0, t, args=tuple(args), **options)


def _slopes(func, ys, t, y_shape, args):
    """``f(y(tᵢ), tᵢ)`` at every time point, one row each: how each output moves with its time."""
    return onp.stack([onp.ravel(onp.asarray(func(y.reshape(y_shape), time, *args), dtype=float))
                      for y, time in zip(ys, t)])


def _odeint_jvp(argnum):
    def jvp(tangent, ans, func, y0, t, *args, **options):
        """Forward sensitivities: ṡ = ∂f/∂y·s + ∂f/∂θ·θ̇, s(t₀) = ẏ₀. In the times:
        s(t₀) = −f(y₀, t₀)·ṫ₀, and each output adds its own f(y(tᵢ), tᵢ)·ṫᵢ."""
        from gradviz.differential import jvp as forward

        _first_order_only(tangent, y0, t, *args)
        y0 = onp.asarray(y0, dtype=float)
        n = y0.size
        tangent = onp.asarray(tangent, dtype=float)
        seeds = [onp.zeros_like(onp.asarray(a, dtype=float)) for a in args]
        s0 = tangent.ravel() if argnum == 1 else onp.zeros(n)
        if argnum == 2:
            slopes = _slopes(func, onp.reshape(ans, (len(t), n)), t, y0.shape, args)
            s0 = -slopes[0] * tangent[0]
        if argnum >= 3:
            seeds[argnum - 3] = tangent

        def augmented(z, time):
            out, ds = forward(lambda y, *theta: func(y, time, *theta),
                              (z[:n].reshape(y0.shape), *args), (z[n:].reshape(y0.shape), *seeds))
            return onp.concatenate([onp.ravel(out), onp.ravel(ds)])

        z = scipy.integrate.odeint(augmented, onp.concatenate([y0.ravel(), s0]), t, **options)
        sensitivities = z[:, n:]
        if argnum == 2:
            sensitivities = sensitivities + slopes * tangent[:, None]
        return sensitivities.reshape(onp.shape(ans))

    return jvp


def _odeint_vjp(argnum):
    def vjp(g, ans, func, y0, t, *args, **options):
        """Every argument's adjoint comes from one backward solve (:func:`_adjoint_solve`);
        the sweep asks for them one argument at a time, with the same ``g``."""
        _first_order_only(g, y0, t, *args)
        y0_bar, t_bar, args_bar = _adjoint_solve_once(g, ans, func, y0, t, args, options)
        if argnum == 1:
            return y0_bar.reshape(onp.shape(y0))
        if argnum == 2:
            return t_bar.reshape(onp.shape(t))
        return args_bar[argnum - 3].reshape(onp.shape(args[argnum - 3]))

    return vjp


#: The last backward solve, with what it was solved for: (g, ans, func, y0, t, args, options,
#: result). The sweep asks for each argument's adjoint in turn; one solve serves them all.
_last_solve: list = []


def _adjoint_solve_once(g, ans, func, y0, t, args, options):
    key = (g, ans, func, y0, t, *args)
    if _last_solve:
        *last_key, last_options, result = _last_solve
        if (len(last_key) == len(key) and all(a is b for a, b in zip(last_key, key))
                and last_options.keys() == options.keys()
                and all(last_options[name] is options[name] for name in options)):
            return result
    result = _adjoint_solve(g, ans, func, y0, t, args, options)
    _last_solve[:] = [*key, dict(options), result]
    return result


def _adjoint_solve(g, ans, func, y0, t, args, options):
    """``(ȳ₀, t̄, θ̄ per argument)`` by the augmented adjoint system (Froehlich, Loos and
    Hasenauer 2017, sec. 2.4.2, as autograd integrates it), solved backwards from each time
    to the one before with the forward solve's ``options``, so that the step sizes, and so the
    numbers, are autograd's even at a loose tolerance.

    The state ``[y, a, t̄₀, θ̄]`` moves as ``[f, −aᵀ∂f/∂y, −aᵀ∂f/∂t, −aᵀ∂f/∂θ]``. At each
    time ``tᵢ`` (i ≥ 1): ``t̄ᵢ = f(yᵢ, tᵢ)·ḡᵢ`` and ``t̄₀`` loses it before the solve back to
    ``tᵢ₋₁``, where ``a`` gains ``ḡᵢ₋₁``; what ``t̄₀`` holds at ``t₀`` is its adjoint.
    """
    n = int(onp.size(y0))
    sizes = [int(onp.size(a)) for a in args]
    g = onp.reshape(onp.asarray(g, dtype=float), (len(t), n))
    ys = onp.reshape(onp.asarray(ans), (len(t), n))
    adjoint, t0_bar, theta_bar = g[-1], 0.0, onp.zeros(sum(sizes))
    t_bar = onp.zeros(len(t))
    dynamics = _augmented_dynamics(func, onp.shape(y0), args)
    for i in range(len(t) - 1, 0, -1):
        t_bar[i] = onp.dot(onp.ravel(func(ys[i].reshape(onp.shape(y0)), t[i], *args)), g[i])
        t0_bar = t0_bar - t_bar[i]
        state = onp.concatenate([ys[i], adjoint, [t0_bar], theta_bar])
        back = scipy.integrate.odeint(dynamics, state, onp.array([t[i], t[i - 1]]), **options)[1]
        adjoint, t0_bar, theta_bar = back[n:2 * n] + g[i - 1], back[2 * n], back[2 * n + 1:]
    t_bar[0] = t0_bar
    return adjoint, t_bar, onp.split(theta_bar, onp.cumsum(sizes)[:-1])


def _augmented_dynamics(func, y_shape, args):
    """``[y, a, t̄₀, θ̄] ↦ [f, −aᵀ∂f/∂y, −aᵀ∂f/∂t, −aᵀ∂f/∂θ]``: one reverse sweep of ``f`` at
    ``(y, t)``, seeded with ``−a``."""
    from gradviz.differential import vjp as reverse

    n = int(onp.prod(y_shape))

    def dynamics(state, time):
        y, a = state[:n].reshape(y_shape), state[n:2 * n].reshape(y_shape)
        out, vjp_fn = reverse(lambda y, time, *theta: func(y, time, *theta), y, time, *args)
        y_bar, time_bar, *theta_bars = vjp_fn(-a)
        return onp.concatenate([onp.ravel(out), onp.ravel(y_bar), onp.ravel(time_bar)]
                               + [onp.ravel(bar) for bar in theta_bars])

    return dynamics


def _odeint_rules(make):
    return lambda argnum: None if argnum == 0 else make(argnum)


odeint_primitive = Primitive(_odeint, "odeint")
odeint_primitive.jvp_for = _odeint_rules(_odeint_jvp)
odeint_primitive.vjp_for = _odeint_rules(_odeint_vjp)
odeint_primitive.partials[1] = "∂y(t)/∂y₀"
odeint_primitive.partials[2] = "f(y(t), t)"
odeint_primitive.info["domain"] = REALS
SCIPY_RULES["odeint"] = odeint_primitive
