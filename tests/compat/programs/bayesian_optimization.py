"""Bayesian optimisation in one dimension: a GP posterior, an expected-improvement acquisition
whose value is an array of size 1 (grad takes it as autograd does), maximised by gradient
steps from a few starts."""

import autograd.numpy as np
import autograd.scipy.stats.norm as norm
from autograd import grad


def objective(x):
    return np.sin(3 * x) + 0.3 * x ** 2


def kernel(a, b):
    return np.exp(-0.5 * (a[:, None] - b[None, :]) ** 2 / 0.3 ** 2)


def posterior(x_new, xs, ys):
    K = kernel(xs, xs) + 1e-4 * np.eye(len(xs))
    k = kernel(x_new, xs)
    mean = np.dot(k, np.linalg.solve(K, ys))
    var = 1.0 - np.sum(k * np.linalg.solve(K, k.T).T, axis=1)
    return mean, np.sqrt(np.maximum(var, 1e-9))


def expected_improvement(x, xs, ys):
    """x has shape (1,), and so has the value: a size-1 output."""
    mean, std = posterior(x, xs, ys)
    z = (np.min(ys) - mean) / std
    return -(std * (z * norm.cdf(z) + norm.pdf(z)))


def main():
    xs = np.array([-1.0, 0.2, 1.1])
    ys = objective(xs)
    found = []
    for _ in range(3):
        best = None
        for start in (-1.5, -0.4, 0.7):
            x = np.array([start])
            for _ in range(5):
                x = x - 0.3 * grad(expected_improvement)(x, xs, ys)
            if best is None or expected_improvement(x, xs, ys)[0] < expected_improvement(best, xs, ys)[0]:
                best = x
        xs = np.concatenate([xs, best])
        ys = np.concatenate([ys, objective(best)])
        found.append(best[0])
    return found + list(ys)
