"""An LSTM over a batch of sequences, its gates' weights a list, trained by hand-rolled
momentum on the list of gradients."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import value_and_grad
from autograd.scipy.special import expit


def step(weights, x, hidden, cell):
    joined = np.concatenate([x, hidden, np.ones((x.shape[0], 1))], axis=1)
    forget, ingate, outgate, change = (f(np.dot(joined, W)) for f, W in
                                       zip([expit, expit, expit, np.tanh], weights[:4]))
    cell = cell * forget + ingate * change
    return outgate * np.tanh(cell), cell


def loss(weights, inputs, targets):
    hidden = np.zeros((inputs.shape[1], 3))
    cell = np.zeros((inputs.shape[1], 3))
    error = 0.0
    for x, y in zip(inputs, targets):
        hidden, cell = step(weights, x, hidden, cell)
        error = error + np.sum((np.dot(hidden, weights[4]) - y) ** 2)
    return error / len(inputs)


def main():
    rs = npr.RandomState(7)
    inputs, targets = rs.randn(5, 2, 2), rs.randn(5, 2, 1)
    weights = [0.3 * rs.randn(6, 3) for _ in range(4)] + [0.3 * rs.randn(3, 1)]
    velocity = [np.zeros_like(w) for w in weights]
    history = []
    for _ in range(5):
        value, gradients = value_and_grad(loss)(weights, inputs, targets)
        history.append(value)
        velocity = [0.9 * v - 0.1 * g for v, g in zip(velocity, gradients)]
        weights = [w + v for w, v in zip(weights, velocity)]
    return history + list(weights[4].ravel())
