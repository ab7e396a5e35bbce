"""A Bayesian neural network for 1-D regression: weights as a list of (W, b) tuples, flattened
with misc.flatten, a mean-field Gaussian posterior fitted by stochastic VI with adam."""

import autograd.numpy as np
import autograd.numpy.random as npr
import autograd.scipy.stats.norm as norm
from autograd import grad
from autograd.misc import flatten
from autograd.misc.optimizers import adam


def predict(weights, inputs):
    for W, b in weights[:-1]:
        inputs = np.tanh(np.dot(inputs, W) + b)
    W, b = weights[-1]
    return np.dot(inputs, W) + b


def main():
    rs = npr.RandomState(2)
    inputs = np.linspace(-3, 3, 16).reshape(16, 1)
    targets = np.cos(inputs) + 0.1 * rs.randn(16, 1)
    shapes = [(1, 8), (8, 1)]
    template = [(rs.randn(m, n), rs.randn(n)) for m, n in shapes]
    flat, unflatten = flatten(template)
    noises = [rs.randn(3, flat.size) for _ in range(12)]

    def log_posterior(sample):
        weights = unflatten(sample)
        prior = np.sum(norm.logpdf(sample, 0, 1))
        return prior + np.sum(norm.logpdf(targets, predict(weights, inputs), 0.1))

    def objective(params, t):
        mean, log_std = params[:flat.size], params[flat.size:]
        total = 0.0
        for eps in noises[t]:
            total = total + log_posterior(mean + np.exp(log_std) * eps)
        return -(total / len(noises[t]) + np.sum(log_std))

    history = []
    start = np.concatenate([flat * 0.1, -3 * np.ones(flat.size)])
    final = adam(grad(objective), start, step_size=0.05, num_iters=12,
                 callback=lambda p, t, g: history.append(objective(p, t)))
    return history + list(predict(unflatten(final[:flat.size]), inputs[:4]).ravel())
