"""The rule table for ``numpy.fft``: every transform, its tangent and adjoint rules.

Every transform is linear, so its tangent rule is the transform of the tangent. Its adjoint
rule is the transpose (autograd's convention for complex values: an adjoint ``c`` pairs with
a tangent ``v`` as ``Re Σ c·v``, with no conjugate, so a holomorphic map's adjoint is ``Jᵀ``
and the gradient of a real function of ``z`` is ``∂f/∂x − i ∂f/∂y``). The DFT matrix is
symmetric, so the adjoint of ``fft`` is ``fft`` again, followed by the transpose of the
zero-padding or truncation that ``n``/``s`` asked for; a real input keeps the real part.

The real transforms are compositions: ``rfftn`` is ``rfft`` on the last axis followed by
``fft`` on the others, and its adjoint runs the two transposes in the opposite order. The
adjoint of ``irfft`` weighs each half-spectrum entry by how often it appears in the full
spectrum (1 for the zero and Nyquist frequencies, 2 for the others).

The complex helpers ``real``, ``imag`` and ``conj`` live here too: the adjoint rules of the
transforms (and of ``eig``) need them.

The adjoint of a real value is real. The sweeps do not enforce it: a real ``a`` multiplied by a
complex ``z`` receives the complex ``ȳ·z``, whose imaginary part pairs with no tangent of ``a``
and so is harmless while it stays among real values (their rules have real partials). It must
not reach a complex value: every rule from a complex argument to a real output (``real``,
``imag``, the inverse real transforms) first drops the imaginary part of its ``ȳ``. Without that,
the first derivative is right only while ``ȳ`` happens to be real, and reverse over reverse,
where ``ȳ`` is itself an adjoint, goes wrong.
"""

from __future__ import annotations

import inspect

import numpy as onp

from gradviz.engine.broadcast import is_complex, shape_of
from gradviz.engine.tracer import Primitive, unbox
from gradviz.rules import defrule
from gradviz.rules.domains import REALS

__all__ = [
    "FFT_RULES", "real", "imag", "conj", "as_complex", "resize", "real_vjp", "imag_vjp",
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn",
    "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn", "fftshift", "ifftshift",
]

#: The primitives of this table, by name (kept apart from numpy's table).
FFT_RULES: dict[str, Primitive] = {}


def _match_real(adjoint, x):
    """A real argument keeps the real part of its adjoint (its imaginary part pairs with 0)."""
    return adjoint if is_complex(x) else real(adjoint)


def _resize(x, sizes, axes):
    """Truncate or zero-pad ``x`` along each of ``axes`` to the matching size in ``sizes``."""
    x = onp.asarray(x)
    shape = list(x.shape)
    for size, axis in zip(sizes, axes):
        shape[axis] = size
    out = onp.zeros(shape, dtype=x.dtype)
    common = tuple(slice(0, min(a, b)) for a, b in zip(x.shape, shape))
    out[common] = x[common]
    return out


def _sizes(x, axes) -> tuple[int, ...]:
    shape = shape_of(x)
    return tuple(shape[a] for a in axes)


def _as_complex(x):
    """``x`` as a complex array: the embedding ℝ → ℂ, whose transpose is ``real``."""
    return onp.add(x, 0j)


def _adjoint_into(g, x):
    """A real adjoint ``g`` sent to a complex argument passes through :data:`as_complex`, so
    that differentiating the rule again sends a real adjoint back to ``g``."""
    return as_complex(g) if is_complex(x) else g


def _real_adjoint(g):
    """The adjoint of a real output: ``Re ȳ`` (an imaginary part pairs with no tangent)."""
    return real(g) if is_complex(g) else g


def real_vjp(g, ans, x):
    """x̄ = Re ȳ, as a complex array when ``x`` is complex (the rule of ``real``)."""
    return _adjoint_into(_real_adjoint(g), x)


def imag_vjp(g, ans, x):
    """x̄ = −i·Re ȳ for a complex ``x``; zero for a real one, whose imaginary part is 0."""
    if not is_complex(x):
        return onp.zeros(shape_of(x), onp.result_type(unbox(x), 0.0))
    return as_complex(_real_adjoint(g)) * -1j


# fmt: off
# ruff: noqa: E501, E731

# === complex parts =============================================================================
#      primitive            partials      domain, adjoint reads   tangent (t = ẋ)      adjoint (g = ȳ)
as_complex = defrule(_as_complex, "1",       REALS, reads="", table=FFT_RULES, name="as_complex",
              jvp=lambda t, ans, x: as_complex(t),
              vjp=lambda g, ans, x: real(g))
real = defrule(onp.real,        "Re",         REALS, reads="x", table=FFT_RULES,
              jvp=lambda t, ans, x: real(t),
              vjp=real_vjp)
imag = defrule(onp.imag,        "Im",         REALS, reads="x", table=FFT_RULES,
              jvp=lambda t, ans, x: imag(t),
              vjp=imag_vjp)
conj = defrule(onp.conj,        "conj",       REALS, reads="", table=FFT_RULES,
              jvp=lambda t, ans, x: conj(t),
              vjp=lambda g, ans, x: conj(g))
resize = defrule(_resize,       "1",          REALS, reads="x, axes", table=FFT_RULES, name="resize",
              jvp=lambda t, ans, x, sizes, axes: resize(t, sizes, axes),
              vjp=lambda g, ans, x, sizes, axes: resize(g, _sizes(x, axes), axes))
# fmt: on


# === how each transform reads its arguments ===================================================


def _plan(fun, a, args, kwargs, *, inverse_real=False):
    """Normalize a transform's arguments to ``(sizes, axes, norm)``, as numpy reads them."""
    bound = inspect.signature(fun).bind(a, *args, **kwargs)
    bound.apply_defaults()
    params = bound.arguments
    shape = shape_of(a)
    ndim = len(shape)
    if "n" in params:
        sizes, axes = (params["n"],), (params["axis"],)
    else:
        sizes, axes = params["s"], params["axes"]
        if axes is None:
            axes = tuple(range(ndim)) if sizes is None else tuple(range(ndim - len(sizes), ndim))
    axes = tuple(axis % ndim for axis in axes)
    if sizes is None or sizes == (None,):
        sizes = [shape[axis] for axis in axes]
        if inverse_real:
            sizes[-1] = 2 * (shape[axes[-1]] - 1)
    return tuple(sizes), axes, params["norm"]


def _half(size: int) -> int:
    return size // 2 + 1


# === transposes ===============================================================================


def _fftn_transpose(g, x, axes, norm, inverse):
    """The transpose of ``fftn(·, s=…, axes)``: the same transform, then undo the resizing."""
    transform = ifftn if inverse else fftn
    return resize(transform(g, None, axes, norm), _sizes(x, axes), axes)


def _rfftn_transpose(g, x, sizes, axes, norm):
    """rfftn = fft over axes[:-1] ∘ rfft over the last axis; transpose in the opposite order."""
    if len(axes) > 1:
        g = resize(fftn(g, None, axes[:-1], norm), _sizes(x, axes[:-1]), axes[:-1])
    last = axes[-1]
    return real(resize(fft(g, sizes[-1], last, norm), _sizes(x, (last,)), (last,)))


def _half_spectrum_weights(size: int, axis: int, ndim: int):
    """How often each entry of a half spectrum appears in the full one: 1, 2, …, 2, (1)."""
    weights = onp.full(_half(size), 2.0)
    weights[0] = 1.0
    if size % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * ndim
    shape[axis] = weights.size
    return weights.reshape(shape)


def _irfftn_transpose(g, x, sizes, axes, norm):
    """irfftn = irfft over the last axis ∘ ifft over axes[:-1]; transpose in the opposite order."""
    last = axes[-1]
    ndim = len(shape_of(g))
    g = _real_adjoint(g)  # the output is real
    half = resize(ifft(g, None, last, norm), (_half(sizes[-1]),), (last,))
    h = resize(half * _half_spectrum_weights(sizes[-1], last, ndim), _sizes(x, (last,)), (last,))
    if len(axes) > 1:
        h = resize(ifftn(h, None, axes[:-1], norm), _sizes(x, axes[:-1]), axes[:-1])
    return _match_real(h, x)


def _complex_vjp(fun, inverse):
    def vjp(g, ans, a, *args, **kwargs):
        _, axes, norm = _plan(fun, a, args, kwargs)
        return _match_real(_fftn_transpose(g, a, axes, norm, inverse), a)

    vjp.__doc__ = f"The transpose of {fun.__name__}: {'ifftn' if inverse else 'fftn'} of ȳ, resized back."
    return vjp


def _rfft_vjp(fun):
    def vjp(g, ans, a, *args, **kwargs):
        sizes, axes, norm = _plan(fun, a, args, kwargs)
        return _rfftn_transpose(g, a, sizes, axes, norm)

    vjp.__doc__ = f"The transpose of {fun.__name__}: fft of the zero-padded ȳ, real part."
    return vjp


def _irfft_vjp(fun):
    def vjp(g, ans, a, *args, **kwargs):
        sizes, axes, norm = _plan(fun, a, args, kwargs, inverse_real=True)
        return _irfftn_transpose(g, a, sizes, axes, norm)

    vjp.__doc__ = f"The transpose of {fun.__name__}: weighted half spectrum of ifft(ȳ)."
    return vjp


def _linear_jvp(name):
    return lambda t, ans, a, *args, **kwargs: FFT_RULES[name](t, *args, **kwargs)


def _transform(fun, vjp_maker, partial):
    # Every transform's adjoint reads its input a (its shape, and whether it is real).
    return defrule(fun, partial, REALS, reads="a", table=FFT_RULES,
                   jvp=_linear_jvp(fun.__name__), vjp=vjp_maker(fun))


_ffts = onp.fft
# fmt: off
# === the transforms ===========================================================================
#      primitive                      adjoint rule              display partial
fft = _transform(_ffts.fft,           lambda f: _complex_vjp(f, False), "F")
ifft = _transform(_ffts.ifft,         lambda f: _complex_vjp(f, True),  "F⁻¹")
fft2 = _transform(_ffts.fft2,         lambda f: _complex_vjp(f, False), "F")
ifft2 = _transform(_ffts.ifft2,       lambda f: _complex_vjp(f, True),  "F⁻¹")
fftn = _transform(_ffts.fftn,         lambda f: _complex_vjp(f, False), "F")
ifftn = _transform(_ffts.ifftn,       lambda f: _complex_vjp(f, True),  "F⁻¹")
rfft = _transform(_ffts.rfft,         _rfft_vjp,                        "F")
rfft2 = _transform(_ffts.rfft2,       _rfft_vjp,                        "F")
rfftn = _transform(_ffts.rfftn,       _rfft_vjp,                        "F")
irfft = _transform(_ffts.irfft,       _irfft_vjp,                       "F⁻¹")
irfft2 = _transform(_ffts.irfft2,     _irfft_vjp,                       "F⁻¹")
irfftn = _transform(_ffts.irfftn,     _irfft_vjp,                       "F⁻¹")
fftshift = defrule(_ffts.fftshift,    "1",  REALS, reads="", table=FFT_RULES,
              jvp=lambda t, ans, x, axes=None: fftshift(t, axes),
              vjp=lambda g, ans, x, axes=None: ifftshift(g, axes))
ifftshift = defrule(_ffts.ifftshift,  "1",  REALS, reads="", table=FFT_RULES,
              jvp=lambda t, ans, x, axes=None: ifftshift(t, axes),
              vjp=lambda g, ans, x, axes=None: fftshift(g, axes))
# fmt: on
