"""A multi-layer perceptron classifier on random "images", parameters as a list of (W, b)
tuples, trained with misc.optimizers.adam on minibatches."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.misc.flatten import flatten
from autograd.scipy.special import logsumexp
from autograd.misc.optimizers import adam


def init_params(scale, sizes, rs):
    return [(scale * rs.randn(m, n), scale * rs.randn(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def log_predictions(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def log_posterior(params, inputs, targets, l2=0.01):
    prior = -l2 * np.sum(flatten(params)[0] ** 2)
    return prior + np.sum(log_predictions(params, inputs) * targets)


def main():
    rs = npr.RandomState(4)
    images = rs.randn(40, 16)
    labels = np.eye(3)[rs.randint(0, 3, 40)]
    params = init_params(0.1, [16, 10, 3], rs)

    def objective(params, t):
        batch = slice((t % 4) * 10, (t % 4 + 1) * 10)
        return -log_posterior(params, images[batch], labels[batch])

    losses = []
    trained = adam(grad(objective), params, step_size=0.05, num_iters=10,
                   callback=lambda p, t, g: losses.append(objective(p, t)))
    accuracy = np.mean(np.argmax(log_predictions(trained, images), 1) == np.argmax(labels, 1))
    return losses + [accuracy] + list(flatten(trained)[0][:5])
