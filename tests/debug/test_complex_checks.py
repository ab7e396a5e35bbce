"""check_grads on complex values: autograd's pairing ``Re Σ c·v``, with no conjugate.

An adjoint ``c`` of a complex value pairs with a tangent ``v`` as ``Re Σ c·v``, so the adjoint
of a holomorphic ``f`` is ``ȳ·f'(z)`` (the transpose), not ``ȳ·conj(f'(z))`` (the conjugate
transpose, which a conjugating pairing ``Re vdot`` would accept instead).
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.debug import GradientCheckError, check_grads, compare_modes
from gradviz.extend import defjvp, defvjp, primitive
from gradviz.rules.fft_rules import conj, imag, real


def _complex(shape, seed=0):
    rng = onp.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _square(conjugate_adjoint: bool):
    """z², with the right adjoint ȳ·2z or the conjugate-transpose one ȳ·conj(2z)."""

    @primitive
    def square(z):
        return z * z

    defjvp(square, lambda t, ans, z: t * (2 * z))
    if conjugate_adjoint:
        defvjp(square, lambda ans, z: lambda g: g * conj(2 * z))
    else:
        defvjp(square, lambda ans, z: lambda g: g * (2 * z))
    return square


CORRECT = {
    "fft": np.fft.fft,
    "ifft2": np.fft.ifft2,
    "times a complex constant": lambda z: z * (1 + 2j),
    "exp": np.exp,
    "sin times z": lambda z: np.sin(z) * z,
    "conj": conj,
    "real part times z": lambda z: real(z) * z,
    "square": _square(conjugate_adjoint=False),
}


@pytest.mark.parametrize("name", list(CORRECT))
def test_correct_complex_rules_pass(name):
    check_grads(CORRECT[name], _complex((2, 3)), order=2)


def test_a_real_input_with_a_complex_output_passes():
    check_grads(lambda x: np.fft.fft(x) * (1 - 1j), onp.random.default_rng(1).standard_normal(4))


def test_a_conjugating_adjoint_fails():
    """Regression: with the conjugating pairing this wrong rule passed and the right one failed."""
    with pytest.raises(GradientCheckError, match="reverse mode of .* disagrees with forward mode"):
        check_grads(_square(conjugate_adjoint=True), _complex(3), order=1, blame=False)


def test_the_pairing_has_no_conjugate():
    z, square = _complex(()), _square(conjugate_adjoint=True)
    (check,) = compare_modes(square, z)
    rng = onp.random.default_rng(0)  # compare_modes draws u, then v, from its seed
    u = rng.standard_normal() + 1j * rng.standard_normal()
    v = rng.standard_normal() + 1j * rng.standard_normal()
    assert check.forward == pytest.approx(onp.real(u * 2 * z * v))
    assert check.reverse == pytest.approx(onp.real(u * onp.conj(2 * z) * v))
    assert not check.reverse_ok


def test_a_real_function_of_z_has_autograd_gradient():
    """∂f/∂x − i ∂f/∂y, as autograd returns it."""
    z = _complex(4, seed=2)
    ours = gradviz.grad(lambda z: np.sum(real(z * z) * imag(z) + real(np.exp(z))))(z)
    theirs = autograd.grad(lambda z: anp.sum(anp.real(z * z) * anp.imag(z) + anp.real(anp.exp(z))))(z)
    onp.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_absolute_of_complex_values():
    z = _complex(4, seed=3)
    ours = gradviz.grad(lambda z: np.sum(np.abs(z)))(z)
    onp.testing.assert_allclose(ours, autograd.grad(lambda z: anp.sum(anp.abs(z)))(z))
    check_grads(lambda z: np.abs(z) * z, z, order=1)


def test_numpy_complex_parts_at_second_order():
    x = onp.random.default_rng(1).standard_normal((3, 4))

    def power(x):
        y = np.fft.fft(x)
        return np.sum(np.real(y) ** 2 * np.imag(y) + np.real(y) ** 3 + np.angle(y) ** 2)

    check_grads(power, x, order=2, blame=False)
