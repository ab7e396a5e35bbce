"""Variational inference with a mixture of two Gaussians as the approximation: the entropy
term estimated with logsumexp, the sampling noise fixed so both runs see the same draws."""

import autograd.numpy as np
import autograd.numpy.random as npr
import autograd.scipy.stats.norm as norm
from autograd import grad
from autograd.scipy.special import logsumexp


def target_log_density(x):
    return logsumexp(np.stack([norm.logpdf(x, -2, 0.6), norm.logpdf(x, 1.5, 0.8)]), axis=0)


def mixture_log_density(x, params):
    means, log_stds, logits = params[0:2], params[2:4], params[4:6]
    log_weights = logits - logsumexp(logits)
    components = norm.logpdf(x[:, None], means, np.exp(log_stds)) + log_weights
    return logsumexp(components, axis=1)


def elbo(params, noise):
    means, log_stds, logits = params[0:2], params[2:4], params[4:6]
    weights = np.exp(logits - logsumexp(logits))
    total = 0.0
    for k in range(2):  # one reparameterised sample set per component
        x = means[k] + np.exp(log_stds[k]) * noise[k]
        total = total + weights[k] * np.mean(target_log_density(x) - mixture_log_density(x, params))
    return total


def main():
    rs = npr.RandomState(3)
    params = np.array([-1.0, 1.0, 0.0, 0.0, 0.1, -0.1])
    values = []
    for _ in range(8):
        noise = rs.randn(2, 25)
        values.append(elbo(params, noise))
        params = params + 0.1 * grad(elbo)(params, noise)
    return values + list(params)
