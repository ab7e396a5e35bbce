"""An ODE net: the dynamics of a 2-D state are a small neural network, integrated with odeint;
its weights (a list, inside odeint's args tuple) fitted to a target trajectory."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.builtins import tuple
from autograd.scipy.integrate import odeint


def dynamics(y, t, weights):
    W1, b1, W2 = weights
    return np.dot(np.tanh(np.dot(y, W1) + b1), W2)


def main():
    rs = npr.RandomState(10)
    times = np.linspace(0, 1, 5)
    y0 = np.array([1.0, 0.0])
    target = np.stack([np.cos(2 * times), -np.sin(2 * times)], axis=1)
    weights = [0.5 * rs.randn(2, 4), np.zeros(4), 0.5 * rs.randn(4, 2)]
    loss = lambda w: np.sum((odeint(dynamics, y0, times, tuple((w,)), rtol=1e-12, atol=1e-12) - target) ** 2)  # noqa: E731
    history = []
    for _ in range(3):
        history.append(loss(weights))
        gradients = grad(loss)(weights)
        weights = [w - 0.1 * g for w, g in zip(weights, gradients)]
    return history
