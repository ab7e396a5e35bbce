"""Black-box stochastic variational inference of a 2-D banana-shaped posterior with a diagonal
Gaussian, the reparameterisation trick and adam."""

import autograd.numpy as np
import autograd.numpy.random as npr
import autograd.scipy.stats.norm as norm
from autograd import grad
from autograd.misc.optimizers import adam


def log_density(z):
    a, b = z[:, 0], z[:, 1]
    return norm.logpdf(a, 0, 1.5) + norm.logpdf(b, 0.5 * a ** 2 - 1, 0.7)


def elbo(params, noise):
    mean, log_std = params[:2], params[2:]
    samples = noise * np.exp(log_std) + mean
    entropy = np.sum(log_std) + np.log(2 * np.pi * np.e)
    return entropy + np.mean(log_density(samples))


def main():
    rs = npr.RandomState(1)
    noises = [rs.randn(20, 2) for _ in range(15)]
    objective = lambda params, t: -elbo(params, noises[t])  # noqa: E731
    trace = []

    def callback(params, t, g):
        trace.append(-objective(params, t))

    final = adam(grad(objective), np.array([0.5, -0.5, 0.0, 0.0]), step_size=0.1,
                 num_iters=15, callback=callback)
    return trace + list(final)
