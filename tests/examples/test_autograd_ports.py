"""Autograd's well-known examples, ported: they train, and their gradients match autograd's."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import autograd.scipy.linalg as asl
import numpy as onp
from _example_loader import load

import gradviz
import gradviz.numpy as np
from gradviz.checkpoint import checkpoint
from gradviz.debug.gradcheck import check_grads

gp = load("gaussian_process")
nn = load("neural_net_adam")


def test_gaussian_process_log_likelihood_rises():
    x, y = gp.make_data(12)
    params, history = gp.fit(x, y, steps=25)
    assert history[-1] > history[0] + 5.0
    assert all(b >= a - 1e-9 for a, b in zip(history, history[1:]))
    fitted = gp.predict(params, x, y, x)
    assert onp.mean((fitted - y) ** 2) < 0.5 * onp.var(y)


def test_gaussian_process_gradient_matches_autograd():
    x, y = gp.make_data(8)
    params = onp.array([0.2, -0.1, -1.0])

    def autograd_version(p):
        d2 = (x[:, None] - x[None, :]) ** 2
        k = anp.exp(2 * p[0]) * anp.exp(-0.5 * d2 / anp.exp(2 * p[1])) + (anp.exp(2 * p[2]) + 1e-6) * anp.eye(8)
        alpha = asl.solve_triangular(anp.linalg.cholesky(k), y, lower=True)
        return -0.5 * anp.sum(alpha**2) - 0.5 * anp.linalg.slogdet(k)[1] - 4 * math.log(2 * math.pi)

    ours = gradviz.grad(gp.log_marginal_likelihood)(params, x, y)
    onp.testing.assert_allclose(ours, autograd.grad(autograd_version)(params), rtol=1e-7)
    check_grads(lambda p: gp.log_marginal_likelihood(p, x, y), params, order=2)


def test_neural_net_loss_falls_and_classifies():
    params, history, (inputs, targets) = nn.train(n=30, sizes=(2, 12, 2), steps=120)
    assert history[-1] < 0.4 * history[0]
    assert nn.accuracy(params, inputs, targets) > 0.85


def test_neural_net_gradient_matches_autograd():
    inputs, targets = nn.make_moons(10)
    params = nn.init_params([2, 4, 2])
    flat = nn._flatten(params)

    def autograd_loss(flat):
        hidden = anp.tanh(inputs @ flat[0] + flat[1])
        scores = hidden @ flat[2] + flat[3]
        logp = scores - autograd.scipy.special.logsumexp(scores, axis=1, keepdims=True)
        return -anp.sum(logp * targets) / inputs.shape[0]

    ours = gradviz.grad(lambda flat: nn.loss(nn._pair(flat), inputs, targets))(flat)
    for a, b in zip(ours, autograd.grad(autograd_loss)(flat)):
        onp.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# --- checkpoint (autograd's differential_operators.checkpoint) --------------------------------


def _block(x, w):
    return np.tanh(x @ w) * np.sin(x @ w)


def test_checkpoint_is_one_node_and_keeps_no_inner_values():
    block = checkpoint(_block)
    x, w = onp.ones((2, 3)), onp.full((3, 3), 0.1)
    ops = [node.op for node in gradviz.trace(lambda x: np.sum(block(x, w)), x)]
    assert ops == ["input", "checkpoint(_block)", "sum"]


def test_checkpoint_gradient_matches_the_plain_function_and_autograd():
    rng = onp.random.default_rng(0)
    x, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 3))
    block = checkpoint(_block)
    f = lambda x, w: np.sum(block(block(x, w), w) ** 2)  # noqa: E731
    plain = lambda x, w: np.sum(_block(_block(x, w), w) ** 2)  # noqa: E731
    for argnum in (0, 1):
        onp.testing.assert_allclose(gradviz.grad(f, argnum)(x, w), gradviz.grad(plain, argnum)(x, w))

    def ablock(x, w):
        return anp.tanh(x @ w) * anp.sin(x @ w)

    ablock = autograd.checkpoint(ablock)
    theirs = autograd.grad(lambda w: anp.sum(ablock(ablock(x, w), w) ** 2))(w)
    onp.testing.assert_allclose(gradviz.grad(f, 1)(x, w), theirs, rtol=1e-10)


def test_checkpoint_second_order_and_hvp():
    rng = onp.random.default_rng(1)
    x, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 3))
    block = checkpoint(_block)
    check_grads(lambda w: block(x, w), w, order=2)
    v = rng.standard_normal((3, 3))
    f = lambda w: np.sum(block(x, w) ** 2)  # noqa: E731
    g = gradviz.grad(f)
    eps = 1e-5
    onp.testing.assert_allclose(gradviz.hvp(f)(w, v), (g(w + eps * v) - g(w - eps * v)) / (2 * eps),
                                rtol=1e-5, atol=1e-7)
