"""Fit a Gaussian process's kernel to noisy data by gradient ascent on the log marginal
likelihood, differentiating through ``cholesky``, ``solve_triangular`` and ``slogdet``.

    log p(y | θ) = −½ yᵀK⁻¹y − ½ log det K − (n/2) log 2π,   K = a²·exp(−|xᵢ−xⱼ|²/2ℓ²) + σ²I

The three hyperparameters are kept as logarithms so that they stay positive.
Run ``python examples/gaussian_process.py``.
"""

from __future__ import annotations

import math

import gradviz
import gradviz.numpy as np
from gradviz.scipy.linalg import solve_triangular


def make_data(n: int = 20, seed: int = 0):
    """Noisy samples of a smooth curve."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n))
    y = np.sin(1.5 * x) + 0.3 * x + 0.1 * rng.standard_normal(n)
    return x, y - y.mean()


def kernel(params, xa, xb):
    """The squared-exponential kernel; ``params`` = (log a, log ℓ, log σ)."""
    log_amplitude, log_length = params[0], params[1]
    squared_distances = (xa[:, None] - xb[None, :]) ** 2
    return np.exp(2 * log_amplitude) * np.exp(-0.5 * squared_distances / np.exp(2 * log_length))


def log_marginal_likelihood(params, x, y):
    n = x.shape[0]
    k = kernel(params, x, x) + (np.exp(2 * params[2]) + 1e-6) * np.eye(n)
    lower = np.linalg.cholesky(k)
    alpha = solve_triangular(lower, y, lower=True)
    return -0.5 * np.sum(alpha * alpha) - 0.5 * np.linalg.slogdet(k)[1] - 0.5 * n * math.log(2 * math.pi)


def predict(params, x, y, x_new):
    """The posterior mean at ``x_new``."""
    k = kernel(params, x, x) + np.exp(2 * params[2]) * np.eye(x.shape[0])
    return kernel(params, x_new, x) @ np.linalg.solve(k, y)


def fit(x, y, steps: int = 100, learning_rate: float = 0.05, params=None):
    """Gradient ascent on the log marginal likelihood; returns the parameters and its history."""
    params = np.array([0.0, 0.0, -1.0]) if params is None else params
    value_and_grad = gradviz.value_and_grad(log_marginal_likelihood)
    history = []
    for _ in range(steps):
        value, slope = value_and_grad(params, x, y)
        history.append(float(value))
        params = params + learning_rate * slope / max(1.0, float(np.linalg.norm(slope)))
    return params, history


def main(n: int = 20, steps: int = 100):
    x, y = make_data(n)
    params, history = fit(x, y, steps)
    print(f"log likelihood {history[0]:.3f} -> {history[-1]:.3f}")
    print("amplitude, length scale, noise:", np.round(np.exp(params), 3))
    return params, history


if __name__ == "__main__":
    main()
