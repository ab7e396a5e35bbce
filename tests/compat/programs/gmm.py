"""A Gaussian mixture model fitted by maximum likelihood, with Newton-CG steps: the Hessian is
only ever applied to vectors, by hessian_vector_product, inside a few conjugate-gradient
iterations."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad, hessian_vector_product
from autograd.scipy.special import logsumexp


def unpack(params):
    return params[:2], params[2:4], params[4:6]


def log_likelihood(params, data):
    logits, means, log_stds = unpack(params)
    log_weights = logits - logsumexp(logits)
    z = (data[:, None] - means) / np.exp(log_stds)
    per_component = -0.5 * z ** 2 - log_stds - 0.5 * np.log(2 * np.pi) + log_weights
    return np.sum(logsumexp(per_component, axis=1)) - 0.5 * np.sum(params ** 2)


def newton_direction(params, data, iterations=4):
    """Solve H d = −g approximately by conjugate gradients, with H applied by hvp."""
    negative = lambda p: -log_likelihood(p, data)  # noqa: E731
    g = grad(negative)(params)
    hvp = hessian_vector_product(negative)
    d, r = np.zeros_like(g), -g
    p = r
    for _ in range(iterations):
        hp = hvp(params, p)
        alpha = np.dot(r, r) / np.dot(p, hp)
        d, r_new = d + alpha * p, r - alpha * hp
        p = r_new + np.dot(r_new, r_new) / np.dot(r, r) * p
        r = r_new
    return d


def main():
    rs = npr.RandomState(13)
    data = np.concatenate([rs.randn(20) - 2, 0.5 * rs.randn(20) + 1.5])
    params = np.array([0.0, 0.0, -1.0, 1.0, 0.0, 0.0])
    history = []
    for _ in range(3):
        history.append(log_likelihood(params, data))
        params = params + 0.5 * newton_direction(params, data)
    return history + list(params)
