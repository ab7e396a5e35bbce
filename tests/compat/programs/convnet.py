"""A small convolutional network: scipy.signal.convolve along chosen axes (batch and channels
kept, colour channels summed), max pooling by reshaping, adam over a flattened parameter
vector."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd.scipy.signal import convolve
from autograd import grad
from autograd.misc import flatten
from autograd.misc.optimizers import adam
from autograd.scipy.special import logsumexp


def forward(params, images):
    filters, bias, W, b = params
    conv = convolve(images, filters, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode="valid")
    hidden = np.tanh(conv + bias[None, :, None, None])            # (batch, 4, 6, 6)
    pooled = np.max(hidden.reshape(hidden.shape[0], 4, 3, 2, 3, 2), axis=(3, 5))
    scores = np.dot(pooled.reshape(pooled.shape[0], -1), W) + b
    return scores - logsumexp(scores, axis=1, keepdims=True)


def main():
    rs = npr.RandomState(5)
    images = rs.randn(6, 1, 8, 8)
    labels = np.eye(2)[rs.randint(0, 2, 6)]
    params = (0.3 * rs.randn(1, 4, 3, 3), np.zeros(4), 0.1 * rs.randn(36, 2), np.zeros(2))
    flat, unflatten = flatten(params)
    loss = lambda flat, t: -np.sum(forward(unflatten(flat), images) * labels)  # noqa: E731
    history = []
    trained = adam(grad(loss), flat, step_size=0.05, num_iters=6,
                   callback=lambda p, t, g: history.append(loss(p, t)))
    return history + list(trained[:6])
