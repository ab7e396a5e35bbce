"""Differentiating through a fixed point: Newton's iteration for the square root, its
derivative by misc.fixed_points.fixed_point (the implicit function theorem), not by unrolling."""

import autograd.numpy as np
from autograd import grad
from autograd.misc.fixed_points import fixed_point


def newton_sqrt_step(a):
    return lambda x: 0.5 * (x + a / x)


def distance(x, y):
    return np.abs(x - y)


def sqrt(a):
    return fixed_point(newton_sqrt_step, a, 1.0, distance, 1e-12)


def main():
    values = [sqrt(a) for a in (2.0, 5.0, 10.0)]
    slopes = [grad(sqrt)(a) for a in (2.0, 5.0, 10.0)]
    curvature = grad(lambda a: sqrt(a) * np.sin(a))(3.0)
    return values + slopes + [curvature]
