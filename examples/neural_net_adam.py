"""A small neural network classifies the two-moons data set, trained with Adam.

The loss is the mean cross-entropy of a softmax output, written with ``logsumexp`` from
``gradviz.scipy.special``; the parameters are a list of ``(W, b)`` pairs, and ``grad``
returns the gradient in the same structure. Adam is the dozen lines of :func:`adam`.
Run ``python examples/neural_net_adam.py``.
"""

from __future__ import annotations

import gradviz
import gradviz.numpy as np
from gradviz.scipy.special import logsumexp


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0):
    """Two interleaved half circles, ``n`` points each, labels 0 and 1 (one-hot)."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    inputs = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * n, 2))
    labels = np.concatenate([np.zeros(n, dtype=int), np.ones(n, dtype=int)])
    return inputs, np.eye(2)[labels]


def init_params(sizes, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((m, n)) / np.sqrt(m), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def log_probabilities(params, inputs):
    hidden = inputs
    for weights, bias in params[:-1]:
        hidden = np.tanh(hidden @ weights + bias)
    weights, bias = params[-1]
    scores = hidden @ weights + bias
    return scores - logsumexp(scores, axis=1, keepdims=True)


def loss(params, inputs, targets):
    """Mean cross-entropy."""
    return -np.sum(log_probabilities(params, inputs) * targets) / inputs.shape[0]


def accuracy(params, inputs, targets) -> float:
    predicted = np.argmax(log_probabilities(params, inputs), axis=1)
    return float(np.mean(predicted == np.argmax(targets, axis=1)))


def adam(gradient, params, steps: int, learning_rate=0.05, b1=0.9, b2=0.999, eps=1e-8, callback=None):
    """Adam (Kingma and Ba, 2015) on a flat list of arrays; ``gradient(params, step)``."""
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        g = gradient(params, step)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        params = [p - learning_rate * (mi / (1 - b1**step)) / (np.sqrt(vi / (1 - b2**step)) + eps)
                  for p, mi, vi in zip(params, m, v)]
        if callback is not None:
            callback(params, step)
    return params


def _flatten(params):
    return [array for pair in params for array in pair]


def _pair(flat):
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def train(n: int = 100, sizes=(2, 16, 16, 2), steps: int = 200, seed: int = 0):
    """Returns the trained parameters and the loss after every step."""
    inputs, targets = make_moons(n, seed=seed)
    objective_grad = gradviz.grad(lambda flat: loss(_pair(flat), inputs, targets))
    params = init_params(list(sizes), seed)
    history = [float(loss(params, inputs, targets))]

    def record(flat, step):
        history.append(float(loss(_pair(flat), inputs, targets)))

    flat = adam(lambda flat, step: objective_grad(flat), _flatten(params), steps, callback=record)
    return _pair(flat), history, (inputs, targets)


def main(n: int = 100, steps: int = 200):
    params, history, (inputs, targets) = train(n, steps=steps)
    print(f"loss {history[0]:.3f} -> {history[-1]:.3f}, accuracy {accuracy(params, inputs, targets):.2f}")
    return params, history


if __name__ == "__main__":
    main()
