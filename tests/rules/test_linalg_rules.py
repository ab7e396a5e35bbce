"""Every rule of gradviz.numpy.linalg: forward mode against finite differences, reverse mode
against forward mode, second order, and values against autograd's."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as onp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fft_rules import bilinear_check

import gradviz
import gradviz.numpy as np
from gradviz.debug.gradcheck import check_grads
from gradviz.errors import GradvizError, RuleError
from gradviz.rules.linalg_rules import LINALG_RULES

# --- inputs each rule needs (the rule's info["matrices"] names the kind) ----------------------


def well_conditioned(rng, shape):
    n = shape[-1]
    return rng.standard_normal(shape) + 3.0 * onp.eye(n)


def spd(rng, shape):
    x = rng.standard_normal(shape)
    return x @ onp.swapaxes(x, -1, -2) + shape[-1] * onp.eye(shape[-1])


def symmetric(rng, shape):
    """Symmetric, with eigenvalues kept apart so the eigenvectors are smooth."""
    x = rng.standard_normal(shape)
    return (x + onp.swapaxes(x, -1, -2)) / 2 + onp.diag(onp.arange(shape[-1]) * 2.0)


def distinct_real_eigenvalues(rng, shape):
    return rng.standard_normal(shape) * 0.3 + onp.diag(onp.arange(1.0, shape[-1] + 1) * 1.5)


def complex_eigenvalues(rng, shape):
    rotation = onp.array([[0.5, -2.0, 0.1], [2.0, 0.5, 0.0], [0.2, 0.1, 3.0]])
    return rotation + 0.1 * rng.standard_normal(shape)


def full_rank(rng, shape):
    x = rng.standard_normal(shape)
    k = min(shape[-2:])
    x[..., :k, :k] += 2.0 * onp.eye(k)
    return x


def gaussian(rng, shape):
    return rng.standard_normal(shape)


# name → (function of the inputs, list of input makers)
CASES = {
    "det": (lambda a: np.linalg.det(a), [(well_conditioned, (3, 3))]),
    "det batched": (lambda a: np.linalg.det(a), [(well_conditioned, (2, 3, 3))]),
    "slogdet": (lambda a: np.linalg.slogdet(a)[1], [(well_conditioned, (3, 3))]),
    "slogdet sign·exp": (lambda a: np.linalg.slogdet(a)[0] * np.exp(np.linalg.slogdet(a)[1]),
                         [(well_conditioned, (2, 2, 2))]),
    "inv": (lambda a: np.linalg.inv(a), [(well_conditioned, (3, 3))]),
    "inv batched": (lambda a: np.linalg.inv(a), [(well_conditioned, (2, 2, 2))]),
    "solve matrix": (lambda a, b: np.linalg.solve(a, b),
                     [(well_conditioned, (3, 3)), (gaussian, (3, 2))]),
    "solve vector": (lambda a, b: np.linalg.solve(a, b),
                     [(well_conditioned, (3, 3)), (gaussian, (3,))]),
    "pinv tall": (lambda a: np.linalg.pinv(a), [(full_rank, (4, 2))]),
    "pinv wide": (lambda a: np.linalg.pinv(a), [(full_rank, (2, 3))]),
    "norm vector": (lambda x: np.linalg.norm(x), [(gaussian, (4,))]),
    "norm p=3 axis": (lambda x: np.linalg.norm(x, 3, axis=1), [(gaussian, (2, 3))]),
    "norm fro": (lambda x: np.linalg.norm(x, "fro"), [(gaussian, (3, 3))]),
    "norm keepdims": (lambda x: np.linalg.norm(x, axis=0, keepdims=True), [(gaussian, (3, 2))]),
    "norm nuc": (lambda x: np.linalg.norm(x, "nuc"), [(full_rank, (3, 2))]),
    "norm nuc axes": (lambda x: np.linalg.norm(x, "nuc", axis=(0, 2)), [(full_rank, (3, 2, 2))]),
    "eigh values": (lambda a: np.linalg.eigh(a)[0], [(symmetric, (3, 3))]),
    "eigh vectors": (lambda a: np.linalg.eigh(a)[1] ** 2, [(symmetric, (3, 3))]),
    "eigh upper": (lambda a: np.linalg.eigh(a, "U")[0] + np.sum(np.linalg.eigh(a, "U")[1] ** 2, axis=0),
                   [(symmetric, (3, 3))]),
    "eig real values": (lambda a: np.linalg.eig(a)[0], [(distinct_real_eigenvalues, (3, 3))]),
    "cholesky": (lambda a: np.linalg.cholesky(a), [(spd, (3, 3))]),
    "cholesky upper batched": (lambda a: np.linalg.cholesky(a, upper=True), [(spd, (2, 3, 3))]),
    "svd values": (lambda a: np.linalg.svd(a, compute_uv=False), [(full_rank, (3, 2))]),
    "svd thin": (lambda a: [x ** 2 for x in np.linalg.svd(a, full_matrices=False)], [(full_rank, (4, 3))]),
    "svd wide": (lambda a: [x ** 2 for x in np.linalg.svd(a, full_matrices=False)], [(full_rank, (2, 3))]),
    "svd square": (lambda a: np.linalg.svd(a)[0] ** 2 + np.linalg.svd(a)[2] ** 2, [(full_rank, (3, 3))]),
}


def _inputs(makers, seed):
    rng = onp.random.default_rng(seed)
    return [make(rng, shape) for make, shape in makers]


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_fixed_inputs(case):
    fun, makers = CASES[case]
    check_grads(fun, *_inputs(makers, 1), modes=("fwd", "rev"), order=2)


@given(seed=st.integers(0, 10_000), case=st.sampled_from(["inv", "solve vector", "eigh vectors",
                                                          "cholesky", "svd thin", "pinv wide"]))
def test_rule_random_inputs(seed, case):
    fun, makers = CASES[case]
    check_grads(fun, *_inputs(makers, seed), modes=("fwd", "rev"), order=1)


def test_every_linalg_function_is_covered():
    tested = {case.split()[0] for case in CASES}
    assert set(np.linalg.DIFFERENTIABLE) <= tested
    assert set(np.linalg.DIFFERENTIABLE) <= set(LINALG_RULES)
    for name in np.linalg.DIFFERENTIABLE:
        primitive = LINALG_RULES[name]
        assert primitive.jvps and primitive.vjps, name
        assert primitive.info["matrices"], name


# --- complex eigenvalues: checked with autograd's pairing Re Σ c·v (no conjugate) -------------

# The inputs are real and the outputs complex, so bilinear_check draws a real v and a complex u.
# Its last comparison keeps this file's tolerances (assert_allclose's default rtol).
_TOLERANCES = {"rtol": 1e-7, "atol": 1e-8}


def test_eig_complex_eigenvalues():
    a = complex_eigenvalues(onp.random.default_rng(0), (3, 3))
    assert onp.iscomplexobj(onp.linalg.eig(a)[0]) and onp.abs(onp.linalg.eig(a)[0].imag).max() > 1
    bilinear_check(lambda a: np.linalg.eig(a)[0], a, **_TOLERANCES)


def test_eig_vectors_up_to_phase():
    """Only |v|² is defined (each column's phase is LAPACK's choice), so check that."""
    a = complex_eigenvalues(onp.random.default_rng(1), (3, 3))

    def moduli(a):
        v = np.linalg.eig(a)[1]
        return gradviz.rules.fft_rules.real(v * gradviz.rules.fft_rules.conj(v))

    bilinear_check(lambda a: moduli(a) + 0j, a, **_TOLERANCES)


def test_eig_gradient_matches_autograd():
    a = distinct_real_eigenvalues(onp.random.default_rng(2), (3, 3))
    ours = gradviz.grad(lambda a: np.sum(gradviz.rules.fft_rules.real(np.linalg.eig(a)[0]) ** 2))(a)
    theirs = autograd.grad(lambda a: anp.sum(anp.real(anp.linalg.eig(a)[0]) ** 2))(a)
    onp.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("norm", [
    lambda z: np.linalg.norm(z) * z,
    lambda z: np.linalg.norm(z, axis=0, keepdims=True) * z,
    lambda z: np.linalg.norm(z, 3, axis=1),
    lambda z: gradviz.rules.fft_rules.real(np.linalg.norm(z[0], 1.5) * z * (1 + 2j)),
], ids=["fro times z", "columns times z", "p=3 rows", "p=1.5 inside real"])
def test_norm_of_complex_values(norm):
    """Regressions: a complex ȳ reaching the (real) norm kept its imaginary part, and the
    p-norm's |x|^(p−2) was written x·sign(x), which is x²/|x| for complex x."""
    rng = onp.random.default_rng(5)
    z = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    check_grads(norm, z, order=2, reverse_over_reverse=True)


# --- against autograd: the same numbers from an independent implementation --------------------


@pytest.mark.parametrize("name, fun, afun, make, shape", [
    ("det", lambda a: np.linalg.det(a), lambda a: anp.linalg.det(a), well_conditioned, (3, 3)),
    ("inv", lambda a: np.sum(np.linalg.inv(a) ** 2), lambda a: anp.sum(anp.linalg.inv(a) ** 2),
     well_conditioned, (3, 3)),
    ("cholesky", lambda a: np.sum(np.linalg.cholesky(a) ** 3), lambda a: anp.sum(anp.linalg.cholesky(a) ** 3),
     spd, (3, 3)),
    ("svd", lambda a: np.sum(np.linalg.svd(a, compute_uv=False) ** 3),
     lambda a: anp.sum(anp.linalg.svd(a, compute_uv=False) ** 3), full_rank, (4, 3)),
    ("pinv", lambda a: np.sum(np.linalg.pinv(a) ** 2), lambda a: anp.sum(anp.linalg.pinv(a) ** 2),
     full_rank, (3, 2)),
    ("norm nuc", lambda a: np.linalg.norm(a, "nuc"), lambda a: anp.linalg.norm(a, "nuc"), full_rank, (3, 2)),
])
def test_gradient_matches_autograd(name, fun, afun, make, shape):
    a = make(onp.random.default_rng(3), shape)
    if name == "cholesky":  # autograd's rule assumes a symmetric argument: compare on one
        ours = gradviz.grad(lambda a: fun((a + a.T) / 2))(a)
        theirs = autograd.grad(lambda a: afun((a + a.T) / 2))(a)
    else:
        ours, theirs = gradviz.grad(fun)(a), autograd.grad(afun)(a)
    onp.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


# --- forward over reverse through linalg ------------------------------------------------------


def test_hvp_through_linalg_matches_finite_differences_of_grad():
    """Autograd has no JVP for inv/cholesky/eigh, so its hvp stops here; gradviz's does not."""
    rng = onp.random.default_rng(4)
    x = spd(rng, (3, 3))
    v = rng.standard_normal((3, 3))

    def f(a):
        s = a + a.T
        return (np.sum(np.linalg.inv(s) ** 2) + np.sum(np.linalg.cholesky(s) ** 3)
                + np.sum(np.linalg.eigh(s)[0] ** 3) + np.linalg.slogdet(s)[1])

    got = gradviz.hvp(f)(x, v)
    g = gradviz.grad(f)
    eps = 1e-5
    expected = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    onp.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_hessian_of_logdet_is_known_closed_form():
    """∂²log det A [V, W] = −tr(A⁻¹ V A⁻¹ W)."""
    a = spd(onp.random.default_rng(5), (2, 2))
    h = gradviz.hessian(lambda a: np.linalg.slogdet(a)[1])(a)
    inv = onp.linalg.inv(a)
    expected = -onp.einsum("jk,li->ijkl", inv, inv)
    onp.testing.assert_allclose(h, expected, rtol=1e-8)


# --- the trace and the errors ------------------------------------------------------------------


def test_a_linalg_call_is_one_node():
    a = well_conditioned(onp.random.default_rng(6), (3, 3))
    assert [node.op for node in gradviz.trace(np.linalg.inv, a)] == ["input", "inv"]
    ops = [node.op for node in gradviz.trace(lambda a: np.linalg.eigh(a)[0], a + a.T)]
    assert ops.count("eigh") == 1


def test_functions_without_rules_refuse_traced_values():
    a = well_conditioned(onp.random.default_rng(7), (3, 3))
    assert np.linalg.matrix_rank(a) == 3
    with pytest.raises(GradvizError, match="linalg.qr has no derivative rule"):
        gradviz.grad(lambda a: np.sum(np.linalg.qr(a)[0]))(a)


def test_svd_full_matrices_of_rectangular_matrix_is_refused():
    a = full_rank(onp.random.default_rng(8), (3, 2))
    with pytest.raises(RuleError, match="full_matrices=False"):
        gradviz.grad(lambda a: np.sum(np.linalg.svd(a)[0]))(a)


def test_norm_without_derivative_is_refused():
    with pytest.raises(RuleError, match="ord=inf"):
        gradviz.grad(lambda x: np.linalg.norm(x, onp.inf))(onp.array([1.0, -2.0]))


def test_plain_arrays_give_numpy_values():
    a = spd(onp.random.default_rng(9), (3, 3))
    onp.testing.assert_allclose(np.linalg.eigh(a)[0], onp.linalg.eigh(a)[0])
    onp.testing.assert_allclose(np.linalg.svd(a)[1], onp.linalg.svd(a)[1])
    assert np.linalg.slogdet(a)[0] == 1.0
