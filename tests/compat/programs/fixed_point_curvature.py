"""The second derivative of a square root found as a fixed point of gradient descent on
(x² − a)²: grad of grad through misc.fixed_points.fixed_point."""

import autograd.numpy as np
from autograd import grad
from autograd.misc.fixed_points import fixed_point


def descent_step(a):
    return lambda x: x - 0.05 * (x ** 2 - a)


def root(a):
    return fixed_point(descent_step, a, 3.0, lambda x, y: np.abs(x - y), 1e-14)


def main():
    return [root(4.0), grad(root)(4.0), grad(grad(root))(4.0)]
