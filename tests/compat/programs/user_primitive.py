"""A user primitive with only a VJP: a numerically stable log(1 + exp(x)) as one primitive,
its adjoint written by hand; grad, elementwise_grad and a Hessian through it."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import elementwise_grad, grad, hessian
from autograd.extend import defvjp, primitive


@primitive
def softplus(x):
    return np.where(x > 0, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(-np.abs(x))))


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2) + 1)


defvjp(softplus, lambda ans, x: lambda g: g * sigmoid(x))


def loss(w, inputs, targets):
    return np.sum(softplus(-targets * np.dot(inputs, w)))


def main():
    rs = npr.RandomState(14)
    inputs, targets = rs.randn(10, 3), np.sign(rs.randn(10))
    w = 0.1 * rs.randn(3)
    curve = elementwise_grad(softplus)(np.linspace(-3, 3, 5))
    return (list(curve) + list(grad(loss)(w, inputs, targets))
            + list(hessian(loss)(w, inputs, targets).ravel()))
