"""Gaussian-process regression: fit a squared-exponential kernel's log-parameters by gradient
ascent on the marginal likelihood, written with scipy's multivariate normal."""

import autograd.numpy as np
import autograd.numpy.random as npr
import autograd.scipy.stats.multivariate_normal as mvn
from autograd import value_and_grad


def kernel(log_params, a, b):
    log_amplitude, log_length = log_params[0], log_params[1]
    sq = np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=2)
    return np.exp(2 * log_amplitude) * np.exp(-0.5 * sq / np.exp(2 * log_length))


def log_marginal(params, x, y):
    cov = kernel(params[:2], x, x) + (np.exp(2 * params[2]) + 1e-6) * np.eye(len(y))
    return mvn.logpdf(y, np.zeros(len(y)), cov)


def main():
    rs = npr.RandomState(0)
    x = rs.uniform(-2, 2, (12, 1))
    y = np.sin(2 * x[:, 0]) + 0.1 * rs.randn(12)
    params = np.array([0.0, 0.0, -1.0])
    history = []
    for _ in range(6):
        value, gradient = value_and_grad(log_marginal)(params, x, y)
        history.append(value)
        params = params + 0.05 * gradient
    return history + list(params)
