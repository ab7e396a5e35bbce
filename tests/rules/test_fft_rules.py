"""Every rule of gradviz.numpy.fft, for real and complex inputs.

Complex values follow autograd's convention: an adjoint ``c`` pairs with a tangent ``v`` as
``Re Σ c·v`` (no conjugate). So the reverse check here is ``Re Σ u·(J v) = Re Σ (Jᵀu)·v``;
forward mode is checked against central finite differences, and real-valued compositions
also at second order with ``check_grads``.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradviz
import gradviz.numpy as np
from gradviz.debug.gradcheck import check_grads
from gradviz.engine.tracer import unbox
from gradviz.rules.fft_rules import FFT_RULES, imag, real

# name, keyword arguments, input kinds ("real", "complex")
CASES = [
    ("fft", {}, ("real", "complex")),
    ("fft", {"n": 8}, ("real", "complex")),
    ("fft", {"n": 3, "axis": 0, "norm": "ortho"}, ("real", "complex")),
    ("ifft", {"n": 5}, ("real", "complex")),
    ("fft2", {}, ("real", "complex")),
    ("ifft2", {"s": (5, 4), "norm": "forward"}, ("complex",)),
    ("fftn", {"axes": (0,)}, ("complex",)),
    ("ifftn", {"s": (3, 7), "axes": (0, 1)}, ("real", "complex")),
    ("rfft", {}, ("real",)),
    ("rfft", {"n": 9}, ("real",)),
    ("rfft2", {"s": (5, 4)}, ("real",)),
    ("rfftn", {"norm": "forward"}, ("real",)),
    ("irfft", {}, ("complex",)),
    ("irfft", {"n": 7}, ("complex", "real")),
    ("irfft2", {}, ("complex",)),
    ("irfftn", {"s": (3, 9), "axes": (0, 1), "norm": "ortho"}, ("complex",)),
    ("fftshift", {}, ("real", "complex")),
    ("ifftshift", {"axes": 0}, ("real", "complex")),
]


def _draw(rng, shape, kind):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if kind == "complex" else x


def _complex_draw(rng, shape, like):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if onp.iscomplexobj(like) else x


def bilinear_check(fun, x, seed=0, *, rtol=1e-9, atol=1e-9):
    """Forward mode against central differences, then reverse against forward by the pairing
    ``Re Σ u·(J v) = Re Σ (Jᵀu)·v``; ``rtol``/``atol`` bound that last comparison."""
    rng = onp.random.default_rng(seed)
    v = _complex_draw(rng, x.shape, x)
    out, tangent = gradviz.jvp(fun, (x,), (v,))
    eps = 1e-6
    numeric = (fun(x + eps * v) - fun(x - eps * v)) / (2 * eps)
    onp.testing.assert_allclose(tangent, numeric, atol=1e-6)
    u = _complex_draw(rng, onp.shape(out), out)
    _, vjp_fn = gradviz.vjp(fun, x)
    (adjoint,) = vjp_fn(u)
    assert onp.iscomplexobj(adjoint) == onp.iscomplexobj(x), "a real input gets a real adjoint"
    onp.testing.assert_allclose(onp.real(onp.sum(u * tangent)), onp.real(onp.sum(adjoint * v)),
                                rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, kwargs, kinds", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_transform(name, kwargs, kinds):
    rng = onp.random.default_rng(0)
    for kind in kinds:
        bilinear_check(lambda a: FFT_RULES[name](a, **kwargs), _draw(rng, (4, 6), kind))


@given(seed=st.integers(0, 10_000), name=st.sampled_from(["fft", "ifft2", "rfftn", "irfftn"]),
       rows=st.integers(1, 4), cols=st.integers(2, 5))
def test_transform_random_shapes(seed, name, rows, cols):
    rng = onp.random.default_rng(seed)
    kind = "real" if name == "rfftn" else "complex"
    bilinear_check(lambda a: FFT_RULES[name](a), _draw(rng, (rows, cols), kind), seed)


def test_every_fft_function_is_covered():
    assert {case[0] for case in CASES} == set(np.fft.DIFFERENTIABLE)
    for name in np.fft.DIFFERENTIABLE:
        assert FFT_RULES[name].jvps and FFT_RULES[name].vjps


@pytest.mark.parametrize("name", ["fft", "rfft", "fft2", "ifftn"])
def test_second_order_of_a_power_spectrum(name):
    def power(x):
        y = FFT_RULES[name](x)
        return np.sum(real(y) * real(y) * imag(y) + real(y) * imag(y) * imag(y))

    check_grads(power, onp.random.default_rng(1).standard_normal((3, 4)), order=2)


def test_irfft_round_trip_second_order():
    check_grads(lambda x: np.fft.irfft(np.fft.rfft(x) * np.fft.rfft(x), n=6),
                onp.random.default_rng(2).standard_normal(6), order=2)


def test_complex_gradient_matches_autograd():
    """The gradient of a real function of complex z is ∂f/∂x − i ∂f/∂y, as in autograd."""
    z = _draw(onp.random.default_rng(3), (5,), "complex")
    ours = gradviz.grad(lambda z: np.sum(real(np.fft.fft(z)) ** 2 + imag(np.fft.ifft(z)) ** 3))(z)
    theirs = autograd.grad(lambda z: anp.sum(anp.real(anp.fft.fft(z)) ** 2 + anp.imag(anp.fft.ifft(z)) ** 3))(z)
    onp.testing.assert_allclose(ours, theirs, rtol=1e-9)
    x, y, eps = z.real, z.imag, 1e-6
    f = lambda z: onp.sum(onp.real(onp.fft.fft(z)) ** 2 + onp.imag(onp.fft.ifft(z)) ** 3)  # noqa: E731
    e = onp.eye(5)
    dfdx = [(f(x + eps * e[k] + 1j * y) - f(x - eps * e[k] + 1j * y)) / (2 * eps) for k in range(5)]
    dfdy = [(f(x + 1j * (y + eps * e[k])) - f(x + 1j * (y - eps * e[k]))) / (2 * eps) for k in range(5)]
    onp.testing.assert_allclose(ours, onp.array(dfdx) - 1j * onp.array(dfdy), rtol=1e-6)


def test_an_fft_call_is_one_node():
    ops = [node.op for node in gradviz.trace(np.fft.rfft2, onp.ones((2, 4)))]
    assert ops == ["input", "rfft2"]


def test_functions_without_rules_refuse_traced_values():
    assert np.fft.fftfreq(4).shape == (4,)
    with pytest.raises(gradviz.GradvizError, match="fft.hfft has no derivative rule"):
        gradviz.grad(lambda x: np.sum(np.fft.hfft(x)))(onp.ones(4))


def _mixed_power(name, kwargs):
    """A real function that multiplies real parts with complex values (a real node then receives
    a complex adjoint) and reads the real and imaginary parts of one transform."""

    def power(x):
        y = FFT_RULES[name](x, **kwargs)
        if not onp.iscomplexobj(unbox(y)):  # irfft: the complex values are the input's
            return np.sum(real(y * y * (1 + 2j)) * y) + np.sum(real(x) * imag(x * (1 + 2j)))
        return np.sum(real(y) * real(y) * imag(y) + imag(real(y) * y * (1 + 2j)) * real(y))

    power.__name__ = f"power_of_{name}"
    return power


@pytest.mark.parametrize("name, kwargs, kinds", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_reverse_over_reverse(name, kwargs, kinds):
    """Regression: real and imag passed a complex ȳ on to a complex argument unchanged, so the
    second derivative by reverse over reverse broke ⟨u, J v⟩ = ⟨Jᵀu, v⟩."""
    rng = onp.random.default_rng(1)
    for kind in kinds:
        check_grads(_mixed_power(name, kwargs), _draw(rng, (3, 4), kind), order=2,
                    reverse_over_reverse=True)


@pytest.mark.parametrize("kind", ["real", "complex"])
def test_a_complex_adjoint_of_a_real_part_is_projected(kind):
    """Regression: Re z · z sends a complex adjoint to Re z; its imaginary part must not reach z."""
    x = _draw(onp.random.default_rng(4), (5,), kind)
    check_grads(lambda z: real(z) * imag(z) * z, x, order=2, reverse_over_reverse=True)
    ours = gradviz.grad(lambda z: np.sum(real(real(z) * z * (1 + 2j)) + imag(imag(z) * z)))(x)
    theirs = autograd.grad(lambda z: anp.sum(anp.real(anp.real(z) * z * (1 + 2j))
                                              + anp.imag(anp.imag(z) * z)))(x)
    # a real input's gradient may still carry an imaginary part that pairs with nothing
    onp.testing.assert_allclose(ours if kind == "complex" else onp.real(ours), theirs, rtol=1e-12)


def test_second_derivative_by_both_modes_agrees():
    """The dot-product identity for x ↦ 0.7·∇f(x), f built on three transforms of x."""
    def f(x):
        return np.sum(real(np.fft.fft(x)) ** 2 * imag(np.fft.fft(x)) + real(np.fft.fft(x)) ** 3)

    def scaled(x):
        return gradviz.grad(f)(x) * 0.7

    x = onp.random.default_rng(1).standard_normal((3, 4))
    w, v = onp.random.default_rng(2).standard_normal((2, 3, 4))
    forward = onp.sum(w * gradviz.jvp(scaled, (x,), (v,))[1])
    (reverse,) = gradviz.vjp(scaled, x)[1](w)
    onp.testing.assert_allclose(onp.sum(onp.real(reverse) * v), forward, rtol=1e-10)
