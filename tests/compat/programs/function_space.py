"""A value type of the user's own: a polynomial as one object, fitted by gradient steps taken
on the object itself. A Box subclass keeps the polynomial's attributes readable while it is
traced; a VSpace subclass gives its zeros, sums and inner products."""

import warnings

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.extend import Box, VSpace, defvjp, primitive, vspace


class Poly:
    """c0 + c1 x + c2 x² + …, evaluated by calling it."""

    def __init__(self, coefs):
        self.coefs = np.asarray(coefs, dtype=float)

    @property
    def degree(self):
        return len(self.coefs) - 1

    @primitive
    def __call__(self, x):
        return np.dot(self.coefs, x ** np.arange(len(self.coefs)))

    def __add__(self, other):
        return vspace(self).add(self, other)

    def __mul__(self, a):
        return vspace(self).scalar_mul(self, a)


def slope(p, x):
    powers = np.arange(1, len(p.coefs))
    return np.dot(p.coefs[1:] * powers, x ** (powers - 1))


defvjp(Poly.__call__,
       lambda ans, p, x: lambda g: Poly(g * x ** np.arange(len(p.coefs))),
       lambda ans, p, x: lambda g: g * slope(p, x))


class PolyBox(Box, Poly):
    @property
    def coefs(self):
        return self._value.coefs


PolyBox.register(Poly)


class PolySpace(VSpace):
    def __init__(self, value):
        self.length = len(value.coefs)

    def zeros(self):
        return Poly(np.zeros(self.length))

    def _add(self, p, q):
        return Poly(p.coefs + q.coefs)

    def _scalar_mul(self, p, a):
        return Poly(p.coefs * a)

    def _inner_prod(self, p, q):
        return np.dot(p.coefs, q.coefs)


PolySpace.register(Poly)


def mean_squared_error(p, xs, ys):
    errors = [(p(x) - y) ** 2 for x, y in zip(xs, ys)]
    return sum(errors) / len(errors) / (p.degree + 1)


def main():
    rs = npr.RandomState(5)
    xs = rs.uniform(-1.0, 1.0, 12)
    ys = np.sin(2.0 * xs) + 0.05 * rs.randn(12)
    p = Poly(np.zeros(4))
    for step in range(60):
        p = p + grad(mean_squared_error)(p, xs, ys) * -1.5
    at_point = grad(lambda q, x: q(x))(p, 0.3)       # a Poly: the powers of 0.3
    dx = grad(lambda x, q: q(x) * q(x))(0.3, p)       # through the rule for x
    with warnings.catch_warnings():  # "does not depend on the input": meant here
        warnings.simplefilter("ignore")
        unused = grad(lambda q, r: q(0.5), 1)(p, p)   # zeros of the space
    space = vspace(p)
    return (list(p.coefs) + [mean_squared_error(p, xs, ys)] + list(at_point.coefs) + [dx]
            + list(unused.coefs) + [space.inner_prod(p, at_point) - p(0.3) + 1.0])
