"""The rule table for ``numpy.linalg``: tangent and adjoint rules for every matrix function.

Each function is one primitive, so a call is one node on the trace (``inv``, ``eigh`` …).
Every rule works on stacks of matrices (the last two axes) and calls only gradviz
primitives, so the rules can themselves be differentiated: ``hvp`` and ``hessian`` go
through them. ``T(x)`` swaps the last two axes. Formulas follow M. Giles, "An extended
collection of matrix derivative results for forward and reverse mode AD" (2008) and
J. Townsend, "Differentiating the singular value decomposition" (2016).

Functions with several outputs (``slogdet``, ``eigh``, ``eig``, ``svd``) are one node whose
value is a tuple; :data:`unpack` nodes take it apart, and the tangent or adjoint of such a
node is a :class:`Parts` tuple with ``None`` for a zero part.

``eigh`` and ``cholesky`` read only one triangle of their input, as numpy does, so their
derivatives are those of the function numpy computes: a change in the other triangle has no
effect. Tests draw each rule's inputs from ``info["matrices"]``.
"""

from __future__ import annotations

import numpy as onp

from gradviz.engine.broadcast import is_complex, shape_of
from gradviz.engine.tracer import Primitive, unbox
from gradviz.errors import RuleError
from gradviz.rules import defrule
from gradviz.rules.domains import REALS
from gradviz.rules.fft_rules import conj, real
from gradviz.rules._numpy_helpers import _restore_axes
from gradviz.rules.numpy_rules import (
    _over_length, absolute, matmul, reshape, sign, sum, swapaxes, transpose, where,
)

__all__ = [
    "LINALG_RULES", "Parts", "unpack",
    "det", "slogdet", "inv", "pinv", "solve", "norm", "eigh", "eig", "cholesky", "svd",
]

#: The primitives of this table, by name (kept apart from numpy's table).
LINALG_RULES: dict[str, Primitive] = {}


class Parts(tuple):
    """The tangent or adjoint of a tuple-valued node: one entry per output, ``None`` for 0."""

    __slots__ = ()

    def __add__(self, other):  # type: ignore[override]
        return Parts(a if b is None else b if a is None else a + b for a, b in zip(self, other))


def _unpack_adjoint(g, ans, value, index):
    """The adjoint of ``value[index]``: ȳ in its own slot, zero (``None``) in the others."""
    return Parts(g if k == index else None for k in range(len(unbox(value))))


def _item(value, index):
    return value[index]


# fmt: off
# ruff: noqa: E501, E731
unpack = defrule(_item,         "1",          REALS, reads="value, index", table=LINALG_RULES, name="unpack",
              jvp=lambda t, ans, value, index: t[index],
              vjp=_unpack_adjoint)
# fmt: on


# === helpers on stacks of matrices ============================================================


def T(x):
    """Swap the last two axes: the transpose of every matrix in a stack."""
    return swapaxes(x, -1, -2)


def _as_matrix(x):
    """Append two unit axes, so a per-matrix scalar broadcasts against its matrix."""
    return reshape(x, shape_of(x) + (1, 1))


def _column(x):
    """``[..., n] → [..., n, 1]``."""
    return reshape(x, shape_of(x) + (1,))


def _row(x):
    """``[..., n] → [..., 1, n]``."""
    shape = shape_of(x)
    return reshape(x, shape[:-1] + (1, shape[-1]))


def _uncolumn(x):
    return reshape(x, shape_of(x)[:-1])


def _diag_embed(v):
    """``diag(v)`` for every vector of a stack: ``[..., n] → [..., n, n]``."""
    return _row(v) * onp.eye(shape_of(v)[-1])


def _trace(m):
    return sum(m * onp.eye(shape_of(m)[-1]), axis=(-2, -1))


def _gap_inverse(w):
    """``F[i, j] = 1 / (w[j] − w[i])`` off the diagonal, 0 on it (eigenvalue gaps)."""
    eye = onp.eye(shape_of(w)[-1])
    gaps = _row(w) - _column(w)
    return (1.0 - eye) / (gaps + eye)


def _parts(ans, count):
    return tuple(unpack(ans, k) for k in range(count))


def _triangle_mask(n, lower=True):
    """Ones on and below (``lower``) or on and above the diagonal of an ``n×n`` matrix."""
    return onp.tril(onp.ones((n, n))) if lower else onp.triu(onp.ones((n, n)))


def _sym_from_triangle(t, lower=True):
    """The symmetric (for complex ``t`` Hermitian) matrix numpy reads from one triangle of
    ``t``; a complex diagonal counts by its real part only, as LAPACK reads it."""
    n = shape_of(t)[-1]
    keep = _triangle_mask(n, lower)
    strict = keep - onp.eye(n)
    if not is_complex(t):
        return t * keep + T(t * strict)
    part = t * strict
    return part + conj(T(part)) + real(t) * onp.eye(n)


def _sym_from_triangle_adjoint(c, lower=True):
    """The transpose of :func:`_sym_from_triangle`: ``tril(c) + tril(cᵀ, −1)`` for ``lower``
    (``tril(c + cᴴ, −1) + Re diag c`` for complex c)."""
    n = shape_of(c)[-1]
    keep = _triangle_mask(n, lower)
    if not is_complex(c):
        return c * keep + T(c) * (keep - onp.eye(n))
    return (c + conj(T(c))) * (keep - onp.eye(n)) + real(c) * onp.eye(n)


def _H(x):
    """The conjugate transpose of every matrix in a stack (the transpose, for real ones)."""
    return conj(T(x)) if is_complex(x) else T(x)


# === determinants and inverses ================================================================


def _slogdet(a):
    return tuple(onp.linalg.slogdet(a))


def _slogdet_adjoint(g, ans, a):
    """ā = ḡ_logdet · A⁻ᵀ; the sign is locally constant."""
    if g[1] is None:
        return onp.zeros(shape_of(a))
    return _as_matrix(g[1]) * T(inv(a))


def _solve_vjp_a(g, ans, a, b):
    """ā = −A⁻ᵀḡ · xᵀ (x the solution; a vector b is a single column)."""
    if len(shape_of(b)) == 1:
        return -matmul(solve(T(a), _column(g)), T(_column(ans)))
    return -matmul(solve(T(a), g), T(ans))


def _solve_vjp_b(g, ans, a, b):
    """b̄ = A⁻ᵀḡ."""
    if len(shape_of(b)) == 1:
        return _uncolumn(solve(T(a), _column(g)))
    return solve(T(a), g)


def _solve_jvp_a(t, ans, a, b):
    """ẋ = −A⁻¹Ȧx."""
    if len(shape_of(b)) == 1:
        return _uncolumn(-solve(a, matmul(t, _column(ans))))
    return -solve(a, matmul(t, ans))


def _pinv_jvp(t, ans, a, *args, **kwargs):
    """Ṗ = −PȦP + PPᵀȦᵀ(I − AP) + (I − PA)ȦᵀPᵀP (Golub and Pereyra; constant rank)."""
    p = ans
    m, n = shape_of(a)[-2:]
    return (-matmul(matmul(p, t), p)
            + matmul(matmul(matmul(p, T(p)), T(t)), onp.eye(m) - matmul(a, p))
            + matmul(matmul(onp.eye(n) - matmul(p, a), T(t)), matmul(T(p), p)))


def _pinv_vjp(g, ans, a, *args, **kwargs):
    """ā = −PᵀḡPᵀ + (I − AP)ḡᵀPPᵀ + PᵀPḡᵀ(I − PA): the transpose of the tangent map."""
    p = ans
    m, n = shape_of(a)[-2:]
    return (-matmul(matmul(T(p), g), T(p))
            + matmul(matmul(onp.eye(m) - matmul(a, p), T(g)), matmul(p, T(p)))
            + matmul(matmul(matmul(T(p), p), T(g)), onp.eye(n) - matmul(p, a)))


# fmt: off
# === determinants, inverses, solves ============================================================
#      primitive                  partials             domain, adjoint reads    tangent (t = Ȧ)              adjoint (g = ȳ)
det = defrule(onp.linalg.det,     "{ans}·{0}⁻ᵀ",       REALS, reads="ans, a", table=LINALG_RULES, matrices="well-conditioned",
              jvp=lambda t, ans, a: ans * _trace(solve(a, t)),
              vjp=lambda g, ans, a: _as_matrix(g * ans) * T(inv(a)))
slogdet = defrule(_slogdet,       "{0}⁻ᵀ",             REALS, reads="a", table=LINALG_RULES, name="slogdet", matrices="well-conditioned",
              jvp=lambda t, ans, a: Parts((None, _trace(solve(a, t)))),
              vjp=_slogdet_adjoint)
inv = defrule(onp.linalg.inv,     "−{ans}ᵀ·ȳ·{ans}ᵀ",  REALS, reads="ans", table=LINALG_RULES, matrices="well-conditioned",
              jvp=lambda t, ans, a: -matmul(matmul(ans, t), ans),
              vjp=lambda g, ans, a: -matmul(matmul(T(ans), g), T(ans)))
solve = defrule(onp.linalg.solve, ("−{0}⁻ᵀȳ·{ans}ᵀ", "{0}⁻ᵀ"), REALS, reads=("ans, a, b", "a, b"), table=LINALG_RULES, matrices="well-conditioned",
              jvp=(_solve_jvp_a,                      lambda t, ans, a, b: solve(a, t)),
              vjp=(_solve_vjp_a,                      _solve_vjp_b))
pinv = defrule(onp.linalg.pinv,   "∂pinv",             REALS, reads="ans, a", table=LINALG_RULES, matrices="full-rank rectangular",
              jvp=_pinv_jvp,
              vjp=_pinv_vjp)
# fmt: on


# === norms ====================================================================================


def _norm_kind(x, ord, axis) -> str:
    matrix = (axis is None and len(shape_of(x)) == 2) or isinstance(axis, tuple)
    if matrix and ord in (None, "fro"):
        return "two"
    if matrix and ord == "nuc":
        return "nuc"
    if not matrix and (ord is None or (isinstance(ord, (int, float)) and 1 < ord < onp.inf)):
        return "two" if ord in (None, 2) else "p"
    raise RuleError(
        f"norm has no derivative for ord={ord!r} with axis={axis!r} on shape {shape_of(x)}: "
        "use ord=None, 'fro', 'nuc' or a vector p-norm with 1 < p < inf"
    )


def _nuclear_direction(x, axis):
    """U·Vᴴ of the matrices in ``x``, conjugated for complex x (autograd's convention, as for
    the other norms): the derivative of the nuclear norm."""
    if axis is None:
        u, s, vh = _parts(svd(x, full_matrices=False), 3)
        return _conj_if_complex(matmul(u, vh))
    ndim = len(shape_of(x))
    rows, cols = (a % ndim for a in axis)
    order = tuple(a for a in range(ndim) if a not in (rows, cols)) + (rows, cols)
    u, s, vh = _parts(svd(transpose(x, order), full_matrices=False), 3)
    return _conj_if_complex(transpose(matmul(u, vh), tuple(int(a) for a in onp.argsort(order))))


def _conj_if_complex(x):
    return conj(x) if is_complex(x) else x


def _norm_partial(ans, x, ord, axis, keepdims):
    """∂‖x‖/∂x (autograd's convention for complex x: conj(x) / ‖x‖); 0 where ‖x‖ = 0, the
    smallest subgradient (autograd's is nan; see ``_over_length``)."""
    kind = _norm_kind(x, ord, axis)
    scale = _restore_axes(ans, x, axis, keepdims)
    if kind == "two":
        return _over_length(conj(x) if is_complex(x) else x, scale)
    if kind == "nuc":
        return _nuclear_direction(x, axis)
    if is_complex(x):  # conj(x)·|x|^(p−2), |x|² as x·conj x, kept finite at x = 0 for p < 2
        squared = real(x * conj(x))
        power = where(unbox(squared) == 0, 0.0, where(unbox(squared) == 0, 1.0, squared) ** ((ord - 2) / 2))
        return _over_length(conj(x) * power, scale ** (ord - 1))
    # sign(x)·|x|^(p−1), not x·|x|^(p−2): that is 0·∞ at a zero element when p < 2
    return _over_length(sign(x) * absolute(x) ** (ord - 1), scale ** (ord - 1))


def _norm_jvp(t, ans, x, ord=None, axis=None, keepdims=False):
    """‖x‖˙ = Re Σ ∂‖x‖/∂x · ẋ over the reduced axes."""
    term = _norm_partial(ans, x, ord, axis, keepdims) * t
    if is_complex(x):
        term = real(term)
    if axis is None and not keepdims:
        return sum(term)
    return sum(term, axis=axis if axis is not None else tuple(range(len(shape_of(x)))), keepdims=keepdims)


def _norm_vjp(g, ans, x, ord=None, axis=None, keepdims=False):
    """x̄ = Re ḡ · ∂‖x‖/∂x (the norm is real: an imaginary part of ḡ pairs with no tangent)."""
    if is_complex(g):
        g = real(g)
    return _restore_axes(g, x, axis, keepdims) * _norm_partial(ans, x, ord, axis, keepdims)


# fmt: off
norm = defrule(onp.linalg.norm,   "{0}/{ans}",         REALS, reads="ans, x", table=LINALG_RULES, matrices="any, nonzero",
              jvp=_norm_jvp,
              vjp=_norm_vjp)
# fmt: on


# === decompositions ===========================================================================


def _eigh(a, UPLO="L"):  # noqa: N803 - numpy's name
    return tuple(onp.linalg.eigh(a, UPLO))


def _eigh_jvp(t, ans, a, UPLO="L"):  # noqa: N803
    """ẇ = Re diag(VᴴṠV), V̇ = V(F ∘ VᴴṠV), Ṡ the symmetric (Hermitian) matrix read from Ȧ's
    triangle."""
    w, v = _parts(ans, 2)
    inner = matmul(_H(v), matmul(_sym_from_triangle(t, UPLO == "L"), v))
    dw = sum(inner * onp.eye(shape_of(w)[-1]), axis=-1)
    return Parts((real(dw) if is_complex(dw) else dw, matmul(v, _gap_inverse(w) * inner)))


def _eigh_vjp(g, ans, a, UPLO="L"):  # noqa: N803
    """Ā = tri(conj(V)(diag(w̄) + F ∘ VᵀV̄)Vᵀ), folded onto the triangle numpy reads."""
    w, v = _parts(ans, 2)
    middle = 0.0
    if g[0] is not None:
        middle = _diag_embed(g[0])
    if g[1] is not None:
        middle = middle + _gap_inverse(w) * matmul(T(v), g[1])
    # conj(V) on the left: the adjoint of VᴴṠV's entries (it is V for real matrices).
    left = conj(v) if is_complex(v) else v
    return _sym_from_triangle_adjoint(matmul(matmul(left, middle), T(v)), UPLO == "L")


def _eig(a):
    return tuple(onp.linalg.eig(a))


def _eig_jvp(t, ans, a):
    """ẇ = diag(V⁻¹ȦV); V̇ = V(F ∘ V⁻¹ȦV), minus the part that would change each ‖vₖ‖ = 1."""
    w, v = _parts(ans, 2)
    inner = matmul(solve(v, t), v)
    n = shape_of(w)[-1]
    dv = matmul(v, _gap_inverse(w) * inner)
    stretch = real(sum(conj(v) * dv, axis=-2))
    return Parts((sum(inner * onp.eye(n), axis=-1), dv - v * _row(stretch)))


def _eig_vjp(g, ans, a):
    """Ā = Re V⁻ᵀ(diag(w̄) + F ∘ VᵀV̄′)Vᵀ, with V̄′ = V̄ − conj(V)·Re diag(VᵀV̄) (unit norm)."""
    w, v = _parts(ans, 2)
    middle = 0.0
    if g[0] is not None:
        middle = _diag_embed(g[0])
    if g[1] is not None:
        stretch = real(sum(g[1] * v, axis=-2))
        gv = g[1] - conj(v) * _row(stretch)
        middle = middle + _gap_inverse(w) * matmul(T(v), gv)
    result = matmul(solve(T(v), middle), T(v))
    return result if is_complex(a) else real(result)


def _cholesky(a, upper=False):
    return onp.linalg.cholesky(a, upper=upper)


def _lower_half_mask(n):
    """Φ: keep the strict lower triangle, halve the diagonal."""
    return onp.tril(onp.ones((n, n)), -1) + 0.5 * onp.eye(n)


def _conjugate_by_inverse(low, m):
    """L⁻¹ M L⁻ᴴ, by two triangular solves (L⁻ᵀ for real L)."""
    return _H(solve(low, _H(solve(low, m))))


def _cholesky_jvp(t, ans, a, upper=False):
    """L̇ = L Φ(L⁻¹ṠL⁻ᴴ), Ṡ the Hermitian (real: symmetric) matrix read from Ȧ's lower
    triangle; from Ȧ = L̇Lᴴ + LL̇ᴴ, with L⁻¹L̇ lower triangular and its diagonal real. The
    upper factor is U = Lᴴ."""
    low = _H(ans) if upper else ans
    n = shape_of(a)[-1]
    dl = matmul(low, _lower_half_mask(n) * _conjugate_by_inverse(low, _sym_from_triangle(t, not upper)))
    return _H(dl) if upper else dl


def _cholesky_vjp(g, ans, a, upper=False):
    """Ā = tri(L⁻ᵀ Φ(LᵀL̄) L̄⁻¹) (L̄ on the right the elementwise conjugate, L⁻¹ for real
    L), folded onto the triangle numpy reads: the transpose of the tangent rule under
    autograd's pairing Re Σ x̄·ẋ, without conjugation."""
    low, g = (_H(ans), _H(g)) if upper else (ans, g)
    n = shape_of(a)[-1]
    inner = _lower_half_mask(n) * matmul(T(low), g)
    c = T(solve(_H(low), T(solve(T(low), inner))))
    return _sym_from_triangle_adjoint(c, not upper)


# fmt: off
eigh = defrule(_eigh,             "∂eigh",             REALS, reads="ans", table=LINALG_RULES, name="eigh", matrices="symmetric, distinct eigenvalues",
              jvp=_eigh_jvp,
              vjp=_eigh_vjp)
eig = defrule(_eig,               "∂eig",              REALS, reads="ans, a", table=LINALG_RULES, name="eig", matrices="real, distinct eigenvalues",
              jvp=_eig_jvp,
              vjp=_eig_vjp)
cholesky = defrule(_cholesky,     "∂chol",             REALS, reads="ans, a", table=LINALG_RULES, name="cholesky", matrices="symmetric positive definite",
              jvp=_cholesky_jvp,
              vjp=_cholesky_vjp)
# fmt: on


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    result = onp.linalg.svd(a, full_matrices, compute_uv, hermitian)
    return tuple(result) if compute_uv else result


def _svd_check(a, full_matrices, compute_uv):
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise RuleError(
            f"svd of a {m}×{n} matrix has no derivative with full_matrices=True (the extra "
            "columns of u or vh are not unique): call svd(a, full_matrices=False)"
        )
    if is_complex(a):
        raise RuleError("svd has derivatives for real matrices only: got a complex matrix")


def _svd_gaps(s):
    """F[i, j] = 1 / (s[j]² − s[i]²) off the diagonal."""
    return _gap_inverse(s * s)


def _svd_jvp(t, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """ṡ = diag(UᵀȦV); U̇, V̇ from the symmetric parts of UᵀȦV·S (Townsend 2016)."""
    _svd_check(a, full_matrices, compute_uv)
    if not compute_uv:
        u, s, vh = _parts(svd(a, full_matrices=False), 3)
        return sum(u * matmul(t, T(vh)), axis=-2)
    u, s, vh = _parts(ans, 3)
    v, m, n = T(vh), *shape_of(a)[-2:]
    p = matmul(matmul(T(u), t), v)
    k = shape_of(s)[-1]
    diag_s = _diag_embed(s)
    inv_s = _row(1.0 / s)
    f = _svd_gaps(s)
    du = matmul(u, f * (matmul(p, diag_s) + matmul(diag_s, T(p))))
    du = du + matmul(onp.eye(m) - matmul(u, T(u)), matmul(t, v)) * inv_s
    dv = matmul(v, f * (matmul(diag_s, p) + matmul(T(p), diag_s)))
    dv = dv + matmul(onp.eye(n) - matmul(v, vh), matmul(T(t), u)) * inv_s
    return Parts((du, sum(p * onp.eye(k), axis=-1), T(dv)))


def _svd_vjp(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """Ā = U(diag(s̄) + (J+Jᵀ)S + S(K+Kᵀ))Vᵀ + (I−UUᵀ)ŪS⁻¹Vᵀ + US⁻¹V̄ᵀ(I−VVᵀ)."""
    _svd_check(a, full_matrices, compute_uv)
    if not compute_uv:
        u, s, vh = _parts(svd(a, full_matrices=False), 3)
        return matmul(u * _row(g), vh)
    u, s, vh = _parts(ans, 3)
    v, m, n = T(vh), *shape_of(a)[-2:]
    diag_s = _diag_embed(s)
    inv_s = _row(1.0 / s)
    middle = 0.0 if g[1] is None else _diag_embed(g[1])
    outer = 0.0
    if g[0] is not None:
        j = _svd_gaps(s) * matmul(T(u), g[0])
        middle = middle + matmul(j + T(j), diag_s)
        outer = outer + matmul(matmul(onp.eye(m) - matmul(u, T(u)), g[0]) * inv_s, vh)
    if g[2] is not None:
        gv = T(g[2])
        kk = _svd_gaps(s) * matmul(vh, gv)
        middle = middle + matmul(diag_s, kk + T(kk))
        outer = outer + matmul(u * inv_s, matmul(T(gv), onp.eye(n) - matmul(v, vh)))
    return matmul(matmul(u, middle), vh) + outer


# fmt: off
svd = defrule(_svd,               "∂svd",              REALS, reads="ans, a", table=LINALG_RULES, name="svd", matrices="full rank, distinct singular values",
              jvp=_svd_jvp,
              vjp=_svd_vjp)
# fmt: on
