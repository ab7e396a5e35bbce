"""A variational autoencoder on binary vectors: Gaussian encoder, Bernoulli decoder, both
small MLPs whose parameters sit in one tuple; the ELBO by the reparameterisation trick."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.misc.optimizers import adam


def mlp(params, x):
    for W, b in params[:-1]:
        x = np.tanh(np.dot(x, W) + b)
    W, b = params[-1]
    return np.dot(x, W) + b


def init(rs, sizes):
    return [(0.2 * rs.randn(m, n), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def elbo(params, data, noise):
    encoder, decoder = params
    stats = mlp(encoder, data)
    mean, log_std = stats[:, :2], stats[:, 2:]
    z = mean + np.exp(log_std) * noise
    logits = mlp(decoder, z)
    log_likelihood = np.sum(data * logits - np.logaddexp(0, logits), axis=1)
    kl = 0.5 * np.sum(np.exp(2 * log_std) + mean ** 2 - 1 - 2 * log_std, axis=1)
    return np.mean(log_likelihood - kl)


def main():
    rs = npr.RandomState(8)
    data = (rs.rand(10, 6) > 0.5).astype(float)
    params = (init(rs, [6, 5, 4]), init(rs, [2, 5, 6]))
    noises = [rs.randn(10, 2) for _ in range(8)]
    objective = lambda p, t: -elbo(p, data, noises[t])  # noqa: E731
    history = []
    trained = adam(grad(objective), params, step_size=0.05, num_iters=8,
                   callback=lambda p, t, g: history.append(objective(p, t)))
    return history + list(trained[1][-1][1])
