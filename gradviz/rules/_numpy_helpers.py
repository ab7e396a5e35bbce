"""The named rules and index arithmetic behind :mod:`gradviz.rules.numpy_rules`' table.

A rule longer than a line is a named function here, its math in its docstring; the table names
it in its row. Rules call the table's own primitives (``gnp.reshape``, ``gnp.sum``), never raw
numpy on a possible box, so that a derivative can itself be differentiated; those names are
looked up when a rule runs, by which time the table is built (the table imports this module
first, which is why the primitives are reached through the module and not imported by name).
Raw numpy appears on plain arrays only: index arithmetic (shapes, masks, permutations, which
carry no derivative) and the raw functions of the table's own primitives.
"""

from __future__ import annotations

import builtins
import math
import string

import numpy as onp

from gradviz.engine.tracer import Box, unbox


# --- index arithmetic (plain numbers only) ------------------------------------------------------


def _shape(value) -> tuple[int, ...]:
    """The shape of an array, box, scalar or (nested) list."""
    shape = getattr(value, "shape", None)  # arrays and boxes answer directly: the common case
    return onp.shape(unbox(value)) if shape is None else shape


def _ndim(value) -> int:
    return len(_shape(value))


def _axes(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (``None``, an int or a tuple) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, onp.integer)):
        return (int(axis) % ndim,)
    return tuple(sorted(int(a) % ndim for a in axis))


def _count(x, axis) -> int:
    """How many elements of ``x`` a reduction over ``axis`` combines."""
    shape = _shape(x)
    return int(onp.prod([shape[a] for a in _axes(axis, len(shape))], dtype=onp.int64))


def _built_on(primitive):
    """Mark a numpy-style function as a thin wrapper that records ``primitive`` nodes."""

    def mark(function):
        function.primitive = primitive
        return function

    return mark


def _real_like(x, value):
    """``value``, with its imaginary part dropped when ``x`` is real."""
    if onp.iscomplexobj(unbox(value)) and not onp.iscomplexobj(unbox(x)):
        return gnp.real(value)
    return value


# --- reductions -----------------------------------------------------------------------------------


def _expand_reduced(g, x, axis, keepdims):
    """Give a reduction's output back the reduced axes (as ones), so it broadcasts against x."""
    if axis is None or keepdims:
        return g
    shape = list(_shape(g))
    for a in _axes(axis, _ndim(x)):
        shape.insert(a, 1)
    return gnp.reshape(g, tuple(shape))


def _restore_axes(v, x, axis, keepdims):
    """Give a reduction's output back every reduced axis (as ones), so it broadcasts against
    ``x``; unlike :func:`_expand_reduced`, a full reduction becomes ``(1,) * x.ndim`` too."""
    if axis is None and not keepdims:
        return gnp.reshape(v, (1,) * _ndim(x))
    return _expand_reduced(v, x, axis, keepdims)


def _extremum_weights(ans, x, axis, keepdims):
    """1/k on each of the k elements equal to the max (or min), 0 elsewhere: a plain array."""
    hits = gnp.equal(x, _expand_reduced(ans, x, axis, keepdims))
    dtype = onp.result_type(unbox(x), onp.float32)
    return (hits / onp.sum(hits, axis=axis, keepdims=True)).astype(dtype, copy=False)


def _sum_vjp(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """x̄ = ȳ at every element: broadcast back along the summed axes."""
    shape = _shape(x)
    if axis is None and type(g) is not Box and not getattr(g, "shape", ()) and math.prod(shape) <= 65536:
        # The usual end of a loss: numpy's broadcast_to costs more than filling a small array
        # (a large one stays a broadcast view: filling it would cost a pass over memory).
        return _filled(shape, g)
    return gnp.broadcast_to(_expand_reduced(g, x, axis, keepdims), shape)


def _filled(shape: tuple[int, ...], g) -> onp.ndarray:
    """An array of ``shape`` holding the scalar ``g`` (float32 stays float32, ints become float64)."""
    dtype = getattr(g, "dtype", None)
    if dtype is None or dtype.kind not in "fc":
        dtype = onp.result_type(g, onp.float64)
    filled = onp.empty(shape, dtype)
    filled.fill(g)
    return filled


def _mean_vjp(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """x̄ = ȳ/n at every element, n the number of elements averaged."""
    return _sum_vjp(g, ans, x, axis, keepdims=keepdims) / _count(x, axis)


def _product_of_others(ans, x, axis, keepdims):
    """∂y/∂xᵢ = Πⱼ≠ᵢ xⱼ: ``y/xᵢ`` where no element is zero; where one is, the product of the
    elements before i times the product of those after it (``y/xᵢ`` is ``0/0`` there). Made of
    products only, it is exact at any number of zeros and at every order: with two zeros, the
    second derivative in the pair is the product of the rest."""
    if not onp.any(unbox(x) == 0):
        return _expand_reduced(ans, x, axis, keepdims) / x
    axes = _axes(axis, _ndim(x))
    order = tuple(a for a in range(_ndim(x)) if a not in axes) + axes
    moved = gnp.transpose(x, order)
    shape = _shape(moved)
    rows = gnp.reshape(moved, shape[: len(order) - len(axes)] + (-1,))
    before = _products_before(rows)
    after = gnp.flip(_products_before(gnp.flip(rows, -1)), -1)
    return gnp.transpose(gnp.reshape(before * after, shape), tuple(int(a) for a in onp.argsort(order)))


def _products_before(rows):
    """Πⱼ<ᵢ xⱼ along the last axis (1 first): a shifted scan by ⌈log₂ n⌉ doubling steps
    (Hillis and Steele's), multiplications only, so that it can itself be differentiated."""
    n = _shape(rows)[-1]
    dtype = onp.result_type(unbox(rows))
    scan = gnp.concatenate([onp.ones(_shape(rows)[:-1] + (1,), dtype), rows[..., :-1]], axis=-1)
    shift = 1
    while shift < n:
        ones = onp.ones(_shape(scan)[:-1] + (shift,), dtype)
        scan = scan * gnp.concatenate([ones, scan[..., :-shift]], axis=-1)
        shift *= 2
    return scan


def _prod_jvp(t, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """ẏ = Σ ṫᵢ·Πⱼ≠ᵢ xⱼ."""
    return gnp.sum(t * _product_of_others(ans, x, axis, keepdims), axis=axis, keepdims=keepdims)


def _prod_vjp(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """x̄ᵢ = ȳ·Πⱼ≠ᵢ xⱼ (``ȳ·y/xᵢ`` where no element is zero)."""
    return _expand_reduced(g, x, axis, keepdims) * _product_of_others(ans, x, axis, keepdims)


def _extremum_jvp(t, ans, x, axis=None, out=None, keepdims=False, **kwargs):
    """ẏ = the tangent of the element that is the extremum (ties share it evenly)."""
    return gnp.sum(t * _extremum_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims)


def _extremum_vjp(g, ans, x, axis=None, out=None, keepdims=False, **kwargs):
    """x̄ = ȳ on the element that is the extremum, 0 elsewhere (ties share it evenly)."""
    return _expand_reduced(g, x, axis, keepdims) * _extremum_weights(ans, x, axis, keepdims)


def _deviation(x, axis):
    """``conj(x − x̄)``: the direction in which the variance grows (conjugated for complex x,
    whose variance is the mean of ``|x − x̄|²``)."""
    deviation = x - gnp.mean(x, axis=axis, keepdims=True)
    return gnp.conjugate(deviation) if onp.iscomplexobj(unbox(x)) else deviation


def _spread(t, x, axis, keepdims):
    """``Re Σ conj(xᵢ − x̄)·ṫᵢ`` over ``axis`` (the variance is real, complex x or not)."""
    spread = gnp.sum(t * _deviation(x, axis), axis=axis, keepdims=keepdims)
    return gnp.real(spread) if onp.iscomplexobj(unbox(spread)) else spread


def _var_jvp(t, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """ẏ = Σ 2 Re(conj(xᵢ − x̄)·ṫᵢ) / (n − ddof)."""
    return _spread(t, x, axis, keepdims) * (2.0 / (_count(x, axis) - ddof))


def _var_vjp(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """x̄ᵢ = ȳ·2 conj(xᵢ − x̄) / (n − ddof)."""
    scale = 2.0 / (_count(x, axis) - ddof)
    return _expand_reduced(g, x, axis, keepdims) * _deviation(x, axis) * scale


def _std_jvp(t, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """ẏ = Σ Re(conj(xᵢ − x̄)·ṫᵢ) / ((n − ddof)·σ)."""
    return gnp._over_length(_spread(t, x, axis, keepdims), ans) * (1.0 / (_count(x, axis) - ddof))


def _std_vjp(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """x̄ᵢ = ȳ·conj(xᵢ − x̄) / ((n − ddof)·σ); 0 where σ = 0 (constant data), the smallest
    subgradient, as for a norm (``_over_length``)."""
    scale = 1.0 / (_count(x, axis) - ddof)
    deviation = gnp._over_length(_deviation(x, axis), _expand_reduced(ans, x, axis, keepdims))
    return _expand_reduced(g, x, axis, keepdims) * deviation * scale


def _reversed_along(g, axis):
    return gnp.getitem(g, (slice(None),) * axis + (slice(None, None, -1),))


def _cumsum_vjp(g, ans, x, axis=None, dtype=None, out=None):
    """x̄ᵢ = Σ_{j ≥ i} ȳⱼ: a cumulative sum taken from the end."""
    if axis is None:
        return gnp.reshape(_reversed_along(gnp.cumsum(_reversed_along(g, 0)), 0), _shape(x))
    axis = axis % _ndim(x)
    return _reversed_along(gnp.cumsum(_reversed_along(g, axis), axis=axis), axis)


def _undiff(g, axis):
    """The transpose of one forward difference: x̄ⱼ = ȳⱼ₋₁ − ȳⱼ."""
    ndim = _ndim(g)
    axis = axis % ndim
    before = (slice(None),) * axis
    first = gnp.getitem(g, before + (slice(0, 1),))
    last = gnp.getitem(g, before + (slice(-1, None),))
    return gnp.concatenate([-first, -gnp.diff(g, axis=axis), last], axis=axis)


def _diff_vjp(g, ans, x, n=1, axis=-1):
    """x̄ = Dᵀⁿ ȳ, D the forward difference ``yᵢ = xᵢ₊₁ − xᵢ``."""
    for _ in range(n):
        g = _undiff(g, axis)
    return g


def _trace_vjp(g, ans, x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """x̄ = ȳ on the diagonal, 0 elsewhere."""
    length = onp.diagonal(onp.empty(_shape(x), dtype=bool), offset, axis1, axis2).shape[-1]
    on_diagonal = gnp.broadcast_to(gnp.reshape(g, _shape(g) + (1,)), _shape(g) + (length,))
    return gnp._place_diagonal(on_diagonal, offset, axis1, axis2, _shape(x))


# --- products ---------------------------------------------------------------------------------


def _dot_vjp_left(g, ans, a, b):
    """ā = ȳ·bᵀ: ȳ contracted with b over b's free axes."""
    a_ndim, b_ndim = _ndim(a), _ndim(b)
    if a_ndim == 0 or b_ndim == 0:
        return g * b
    if b_ndim == 1:
        return gnp.reshape(g, _shape(g) + (1,)) * b
    if b_ndim == 2:  # matrices and vectors: one BLAS call, not tensordot's bookkeeping
        # ``.T`` is numpy's own attribute on a plain array (no Python wrapper to pay) and
        # gradviz's transpose on a traced one, so second derivatives still work.
        return gnp.dot(b, g) if a_ndim == 1 else gnp.dot(g, b.T)
    b_free = tuple(range(b_ndim - 2)) + (b_ndim - 1,)
    return gnp.tensordot(g, b, axes=(tuple(range(a_ndim - 1, a_ndim + b_ndim - 2)), b_free))


def _dot_vjp_right(g, ans, a, b):
    """b̄ = aᵀ·ȳ: a contracted with ȳ over a's free axes."""
    a_ndim, b_ndim = _ndim(a), _ndim(b)
    if a_ndim == 0 or b_ndim == 0:
        return g * a
    if a_ndim == 2 and b_ndim <= 2:  # matrices and vectors: one BLAS call, not tensordot's bookkeeping
        return gnp.dot(a.T, g)
    if a_ndim == 1 and b_ndim == 2:
        return gnp.outer(a, g)
    a_free = tuple(range(a_ndim - 1))
    contracted = gnp.tensordot(a, g, axes=(a_free, a_free))
    return contracted if b_ndim == 1 else gnp.moveaxis(contracted, 0, -2)


def _matmul_vjp_left(g, ans, a, b):
    """ā = ȳ·bᵀ, batch axes summed back by the sweep."""
    if _ndim(b) == 1:
        return gnp.reshape(g, _shape(g) + (1,)) * b
    if _ndim(a) == 1:
        if _ndim(b) == 2:  # one BLAS call, not a broadcast product summed back
            return gnp.dot(b, g)
        return gnp.sum(b * gnp.reshape(g, _shape(g)[:-1] + (1, _shape(g)[-1])), axis=-1)
    return gnp.matmul(g, gnp.swapaxes(b, -1, -2))


def _matmul_vjp_right(g, ans, a, b):
    """b̄ = aᵀ·ȳ, batch axes summed back by the sweep."""
    if _ndim(a) == 1:
        if _ndim(b) == 1:
            return g * a
        return gnp.reshape(a, (-1, 1)) * gnp.reshape(g, _shape(g)[:-1] + (1, _shape(g)[-1]))
    if _ndim(b) == 1:
        if _ndim(a) == 2:  # X @ w: gᵀ·X in one BLAS call, not an N×K product summed back
            return gnp.dot(g, a)
        return a * gnp.reshape(g, _shape(g) + (1,))
    return gnp.matmul(gnp.swapaxes(a, -1, -2), g)


def _tensordot_axes(a_ndim, b_ndim, axes):
    """numpy's ``axes`` argument as two lists of non-negative axes."""
    if isinstance(axes, (int, onp.integer)):
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, (int, onp.integer)) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, (int, onp.integer)) else list(b_axes)
    return [a % a_ndim for a in a_axes], [b % b_ndim for b in b_axes]


def _transposed_back(value, order):
    order = list(order)
    return value if order == sorted(order) else gnp.transpose(value, tuple(onp.argsort(order)))


def _contract_left(g, a_ndim, b, a_axes, b_axes):
    """ā of ``tensordot(a, b)``: ȳ contracted with b over b's free axes, axes put back."""
    b_free = [i for i in range(_ndim(b)) if i not in b_axes]
    g_ndim = _ndim(g)
    result = gnp.tensordot(g, b, axes=(tuple(range(g_ndim - len(b_free), g_ndim)), tuple(b_free)))
    a_free = [i for i in range(a_ndim) if i not in a_axes]
    return _transposed_back(result, a_free + [a_axes[b_axes.index(j)] for j in sorted(b_axes)])


def _contract_right(g, a, b_ndim, a_axes, b_axes):
    """b̄ of ``tensordot(a, b)``: a contracted with ȳ over a's free axes, axes put back."""
    a_free = [i for i in range(_ndim(a)) if i not in a_axes]
    result = gnp.tensordot(a, g, axes=(tuple(a_free), tuple(range(len(a_free)))))
    b_free = [i for i in range(b_ndim) if i not in b_axes]
    return _transposed_back(result, [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + b_free)


def _tensordot_vjp_left(g, ans, a, b, axes=2):
    """ā = ȳ contracted with b over b's free axes."""
    a_axes, b_axes = _tensordot_axes(_ndim(a), _ndim(b), axes)
    return _contract_left(g, _ndim(a), b, a_axes, b_axes)


def _tensordot_vjp_right(g, ans, a, b, axes=2):
    """b̄ = a contracted with ȳ over a's free axes."""
    a_axes, b_axes = _tensordot_axes(_ndim(a), _ndim(b), axes)
    return _contract_right(g, a, _ndim(b), a_axes, b_axes)


def _inner_vjp_left(g, ans, a, b):
    """ā = ȳ contracted with b over b's leading axes."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        return g * b
    return _contract_left(g, _ndim(a), b, [_ndim(a) - 1], [_ndim(b) - 1])


def _inner_vjp_right(g, ans, a, b):
    """b̄ = a contracted with ȳ over a's leading axes."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        return g * a
    return _contract_right(g, a, _ndim(b), [_ndim(a) - 1], [_ndim(b) - 1])


def _kron_blocks(a, b):
    """Both shapes padded to one length, and ȳ's shape with each (a, b) axis pair split."""
    ndim = builtins.max(_ndim(a), _ndim(b))
    a_shape = (1,) * (ndim - _ndim(a)) + _shape(a)
    b_shape = (1,) * (ndim - _ndim(b)) + _shape(b)
    return ndim, a_shape, b_shape, tuple(n for pair in zip(a_shape, b_shape) for n in pair)


def _kron_vjp_left(g, ans, a, b):
    """āᵢ = ⟨block i of ȳ, b⟩."""
    ndim, a_shape, b_shape, split = _kron_blocks(a, b)
    blocks = gnp.reshape(g, split)
    result = gnp.tensordot(blocks, gnp.reshape(b, b_shape), axes=(tuple(range(1, 2 * ndim, 2)), tuple(range(ndim))))
    return gnp.reshape(result, _shape(a))


def _kron_vjp_right(g, ans, a, b):
    """b̄ = Σᵢ aᵢ·(block i of ȳ)."""
    ndim, a_shape, b_shape, split = _kron_blocks(a, b)
    blocks = gnp.reshape(g, split)
    result = gnp.tensordot(gnp.reshape(a, a_shape), blocks, axes=(tuple(range(ndim)), tuple(range(0, 2 * ndim, 2))))
    return gnp.reshape(result, _shape(b))


def _einsum_subscripts(subscripts, shapes):
    """Explicit ``inputs, output`` subscripts, each ``...`` written out with spare letters."""
    subscripts = subscripts.replace(" ", "")
    given, _, output = subscripts.partition("->")
    inputs = given.split(",")
    spare = [c for c in string.ascii_letters if c not in subscripts]
    widths = [len(shape) - len(s) + 3 if "..." in s else 0 for s, shape in zip(inputs, shapes)]
    width = builtins.max(widths, default=0)
    fill = "".join(spare[:width])
    inputs = [s.replace("...", fill[width - w :]) for s, w in zip(inputs, widths)]
    if "->" in subscripts:
        output = output.replace("...", fill)
    else:
        letters = "".join(inputs)
        output = fill + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in fill))
    return inputs, output


def _einsum_jvp(argnum):
    if argnum == 0:
        return None
    return lambda t, ans, subscripts, *operands: gnp.einsum(
        subscripts, *[t if k == argnum - 1 else o for k, o in enumerate(operands)]
    )


def _einsum_vjp(argnum):
    """Ā = ȳ contracted with every other operand, into A's subscripts (broadcast if summed)."""
    if argnum == 0:
        return None

    def vjp(g, ans, subscripts, *operands):
        inputs, output = _einsum_subscripts(subscripts, [_shape(o) for o in operands])
        k = argnum - 1
        target = inputs[k]
        if len(set(target)) != len(target):
            raise NotImplementedError(f"the adjoint of einsum operand {target!r} (a repeated index)")
        others = inputs[:k] + inputs[k + 1 :]
        available = set(output).union(*others)
        kept = "".join(c for c in target if c in available)
        spec = ",".join([output, *others]) + "->" + kept
        result = gnp.einsum(spec, g, *operands[:k], *operands[k + 1 :])
        if kept == target:
            return result
        sizes = dict(zip(kept, _shape(result)))
        result = gnp.reshape(result, tuple(sizes.get(c, 1) for c in target))
        return gnp.broadcast_to(result, onp.broadcast_shapes(_shape(result), _shape(operands[k])))

    return vjp


# --- shapes -----------------------------------------------------------------------------------


def _rollaxis_order(ndim, axis, start):
    """The permutation ``rollaxis`` applies, so its adjoint can undo it."""
    order = list(range(ndim))
    axis = axis % ndim
    start = start + ndim if start < 0 else start
    if axis < start:
        start -= 1
    order.remove(axis)
    order.insert(start, axis)
    return tuple(order)


def _negated(shift):
    return -shift if isinstance(shift, (int, onp.integer)) else tuple(-s for s in shift)


def _pad_vjp(g, ans, x, pad_width, mode="constant", **kwargs):
    """x̄ = ȳ with the padding cut off (only constant padding has this adjoint)."""
    if mode != "constant":
        raise NotImplementedError(f"the adjoint of pad(mode={mode!r}): only mode='constant'")
    widths = onp.broadcast_to(onp.asarray(pad_width, dtype=int), (_ndim(x), 2))
    return gnp.getitem(g, tuple(slice(before, before + n) for (before, _), n in zip(widths, _shape(x))))


def _repeat_vjp(g, ans, x, repeats, axis=None):
    """x̄ᵢ = the sum of ȳ over the copies of xᵢ."""
    shape = _shape(x)
    flat = (int(onp.prod(shape, dtype=onp.int64)),) if axis is None else shape
    axis = 0 if axis is None else axis % len(shape)
    if onp.size(repeats) == 1:
        count = int(onp.ravel(repeats)[0])
        grouped = gnp.reshape(g, flat[:axis] + (flat[axis], count) + flat[axis + 1 :])
        return gnp.reshape(gnp.sum(grouped, axis=axis + 1), shape)
    index = onp.repeat(onp.arange(flat[axis]), repeats)
    return gnp.reshape(gnp._untake_along(g, index, axis, flat), shape)


def _tile_vjp(g, ans, x, reps):
    """x̄ = the sum of ȳ over the tiles."""
    reps = (reps,) if isinstance(reps, (int, onp.integer)) else tuple(reps)
    ndim = builtins.max(_ndim(x), len(reps))
    x_shape = (1,) * (ndim - _ndim(x)) + _shape(x)
    reps = (1,) * (ndim - len(reps)) + reps
    split = tuple(n for pair in zip(reps, x_shape) for n in pair)
    return gnp.reshape(gnp.sum(gnp.reshape(g, split), axis=tuple(range(0, 2 * ndim, 2))), _shape(x))


def _make_diagonal(d, offset=0, axis1=0, axis2=1):
    """The array whose ``diagonal(offset, axis1, axis2)`` is ``d``, zero elsewhere."""
    d = onp.asarray(d)
    side = d.shape[-1] + builtins.abs(offset)
    ndim = d.ndim + 1
    first, second = sorted((axis1 % ndim, axis2 % ndim))
    shape = list(d.shape[:-1])
    shape.insert(first, side)
    shape.insert(second, side)
    return _place_diagonal_raw(d, offset, axis1, axis2, tuple(shape))


def _place_diagonal_raw(d, offset, axis1, axis2, shape):
    """Zeros of ``shape`` with ``d`` written on the diagonal ``(offset, axis1, axis2)``."""
    result = onp.zeros(shape, dtype=onp.result_type(d, onp.float32))
    ndim = len(shape)
    view = onp.moveaxis(result, (axis1 % ndim, axis2 % ndim), (-2, -1))
    index = onp.arange(onp.shape(d)[-1])
    view[..., index + builtins.max(-offset, 0), index + builtins.max(offset, 0)] = d
    return result


def _gradient_raw(f, spacing, axis, edge_order):
    return onp.gradient(f, spacing, axis=axis, edge_order=edge_order)


def _gradient_transpose_raw(g, spacing, axis, edge_order):
    """Dᵀȳ for numpy's first-order ``gradient`` D (central inside, one-sided at the ends)."""
    if edge_order != 1:
        raise NotImplementedError("the adjoint of gradient(edge_order=2): only edge_order=1")
    doubled = onp.moveaxis(onp.array(g), axis, 0)
    doubled[0] *= 2
    doubled[-1] *= 2
    padded = onp.concatenate([-doubled[:1], doubled, -doubled[-1:]])
    return onp.moveaxis((padded[:-2] - padded[2:]) / (2 * spacing), 0, axis)


def _sorting_order(x, axis, sort, kth=None):
    """The permutation that sorts (or partitions) ``x`` along ``axis``: a plain index array."""
    raw = onp.asarray(unbox(x))
    if sort:
        return onp.argsort(raw, axis=axis, kind="stable")
    return onp.argpartition(raw, kth, axis=axis)


def _sort_jvp(t, ans, x, axis=-1, kind=None, order=None, **kwargs):
    """ẏ = ṫ in sorted order."""
    return gnp.take_along_axis(t, _sorting_order(x, axis, True), axis)


def _sort_vjp(g, ans, x, axis=-1, kind=None, order=None, **kwargs):
    """x̄ = ȳ put back in the original order."""
    return gnp._add_along_axis(g, _sorting_order(x, axis, True), axis, _shape(x))


def _partition_jvp(t, ans, x, kth, axis=-1, kind="introselect", order=None):
    """ẏ = ṫ in partitioned order."""
    return gnp.take_along_axis(t, _sorting_order(x, axis, False, kth), axis)


def _partition_vjp(g, ans, x, kth, axis=-1, kind="introselect", order=None):
    """x̄ = ȳ put back in the original order."""
    return gnp._add_along_axis(g, _sorting_order(x, axis, False, kth), axis, _shape(x))


def _linspace_weight(ans, start, num, endpoint, axis):
    """The plain weights ``k/(num−1)`` of ``stop`` in each output, shaped to broadcast."""
    if axis != 0:
        raise NotImplementedError("the derivative of linspace(axis≠0): only axis=0")
    weight = onp.linspace(0.0, 1.0, num, endpoint=endpoint)
    dtype = onp.result_type(unbox(ans), onp.float32)
    return weight.astype(dtype).reshape((num,) + (1,) * _ndim(start))


def _linspace_jvp(argnum):
    def jvp(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
        weight = _linspace_weight(ans, start, num, endpoint, axis)
        return t * (1 - weight if argnum == 0 else weight)

    return jvp


def _linspace_vjp(argnum):
    def vjp(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
        weight = _linspace_weight(ans, start, num, endpoint, axis)
        return gnp.sum(g * (1 - weight if argnum == 0 else weight), axis=0)

    return vjp


# --- indexing ---------------------------------------------------------------------------------


def _take(x, index):
    return x[index]


def _may_repeat(index) -> bool:
    """Whether ``index`` can select an element twice (it holds an integer array)."""
    for part in index if type(index) is tuple else (index,):
        if isinstance(part, (list, onp.ndarray)) and onp.asarray(part).dtype.kind in "iu":
            return True
    return False


def _untake_raw(g, index, shape):
    """The adjoint of ``x[index]``: g scattered into zeros of x's shape, repeats added."""
    result = onp.zeros(shape, dtype=onp.result_type(g, onp.float32))
    if _may_repeat(index):
        onp.add.at(result, index, g)
    else:
        result[index] = g
    return result


def _untake_along_raw(g, index, axis, shape):
    """The adjoint of ``take(x, index, axis)``: g scattered back, repeats added."""
    result = onp.zeros(shape, dtype=onp.result_type(g, onp.float32))
    if axis is None:
        onp.add.at(result.reshape(-1), index, g)
        return result
    axis = axis % len(shape)
    count = onp.ndim(index)
    view = onp.moveaxis(result, axis, 0)
    onp.add.at(view, index, onp.moveaxis(onp.asarray(g), list(range(axis, axis + count)), list(range(count))))
    return result


def _add_along_axis_raw(g, indices, axis, shape):
    """The adjoint of ``take_along_axis``: g scattered back along ``axis``, repeats added."""
    result = onp.zeros(shape, dtype=onp.result_type(g, onp.float32))
    if axis is None:
        onp.add.at(result.reshape(-1), indices, g)
        return result
    axis = axis % len(shape)
    index = tuple(
        indices if d == axis else onp.arange(n).reshape((1,) * d + (n,) + (1,) * (indices.ndim - d - 1))
        for d, n in enumerate(indices.shape)
    )
    onp.add.at(result, index, g)
    return result


# --- joining and splitting ----------------------------------------------------------------------


def _concatenate_raw(axis, *arrays):
    return onp.concatenate(arrays, axis)


def _stack_raw(axis, *arrays):
    return onp.stack(arrays, axis)


def _array_raw(shape, *elements):
    # Python numbers among the elements take the arrays' dtype, as they would in arithmetic.
    stacked = onp.array(elements, dtype=onp.result_type(*elements))
    return stacked.reshape(shape + stacked.shape[1:])


def _piece_index(arrays, position, axis):
    """Where ``arrays[position]`` lies in their concatenation along ``axis``."""
    if axis is None:
        sizes = [int(onp.prod(_shape(a), dtype=onp.int64)) for a in arrays]
        start = builtins.sum(sizes[:position])
        return (slice(start, start + sizes[position]),)
    axis = axis % _ndim(arrays[position])
    start = builtins.sum(_shape(a)[axis] for a in arrays[:position])
    return (slice(None),) * axis + (slice(start, start + _shape(arrays[position])[axis]),)


def _concatenate_jvp(argnum):
    if argnum == 0:
        return None

    def jvp(t, ans, axis, *arrays):
        index = _piece_index(arrays, argnum - 1, axis)
        return gnp.untake(gnp.ravel(t) if axis is None else t, index, _shape(ans))

    return jvp


def _concatenate_vjp(argnum):
    if argnum == 0:
        return None

    def vjp(g, ans, axis, *arrays):
        piece = gnp.getitem(g, _piece_index(arrays, argnum - 1, axis))
        return gnp.reshape(piece, _shape(arrays[argnum - 1])) if axis is None else piece

    return vjp


def _stack_index(ans, axis, position):
    return (slice(None),) * (axis % _ndim(ans)) + (position,)


def _array_index(shape, position):
    return tuple(int(i) for i in onp.unravel_index(position, shape))


def _nested_elements(data):
    """The elements of a regular nested list, and the list's shape: ``[[a, b]] → [a, b], (1, 2)``."""
    shape = []
    level = [data]
    while level and builtins.all(isinstance(item, (list, tuple)) for item in level):
        lengths = {len(item) for item in level}
        if len(lengths) != 1:
            break
        shape.append(lengths.pop())
        level = [element for item in level for element in item]
    return level, tuple(shape)


def _split_bounds(length, indices_or_sections, equal_parts):
    """``(start, stop)`` of each piece, as numpy's ``split``/``array_split`` cut them."""
    if isinstance(indices_or_sections, (int, onp.integer)):
        sections = int(indices_or_sections)
        if equal_parts and length % sections:
            raise ValueError("array split does not result in an equal division")
        size, extra = divmod(length, sections)
        cuts = [0]
        for k in range(sections):
            cuts.append(cuts[-1] + size + (1 if k < extra else 0))
    else:
        cuts = [0, *[builtins.min(int(i), length) for i in indices_or_sections], length]
    return list(zip(cuts[:-1], cuts[1:]))


def _split_along(ary, indices_or_sections, axis, equal_parts):
    axis = axis % _ndim(ary)
    before = (slice(None),) * axis
    bounds = _split_bounds(_shape(ary)[axis], indices_or_sections, equal_parts)
    return [gnp._split_piece(ary, before + (slice(start, stop),)) for start, stop in bounds]


# Last, not first: the table imports this module's names, so this module must have defined
# them before the table starts, whichever of the two a program imports first
# (``import gradviz.scipy.stats`` reaches this module through the linear-algebra rules).
from gradviz.rules import numpy_rules as gnp  # noqa: E402
