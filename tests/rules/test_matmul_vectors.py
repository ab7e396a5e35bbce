"""matmul between a matrix and a vector, written X @ w or v @ M: the adjoint of the vector is
one product with the matrix, and it is the same as autograd's, as np.dot's and as two forward
sweeps give."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy
import pytest

import gradviz
import gradviz.numpy as np

rng = numpy.random.default_rng(3)
X = rng.normal(size=(7, 3))
y = rng.normal(size=7)


@pytest.mark.parametrize("argnum", [0, 1])
def test_matrix_at_vector(argnum):
    def loss(np_):
        return lambda X, w: np_.sum(np_.tanh(X @ w) * y)

    w = numpy.array([0.5, -1.0, 2.0])
    ours = gradviz.grad(loss(np), argnum)(X, w)
    numpy.testing.assert_allclose(ours, autograd.grad(loss(anp), argnum)(X, w), rtol=1e-12)
    by_dot = gradviz.grad(lambda X, w: np.sum(np.tanh(np.dot(X, w)) * y), argnum)(X, w)
    numpy.testing.assert_allclose(ours, by_dot, rtol=1e-12)
    forward = gradviz.jacobian_forward(loss(np), argnum)(X, w)
    numpy.testing.assert_allclose(ours, forward, rtol=1e-12)


@pytest.mark.parametrize("argnum", [0, 1])
def test_vector_at_matrix(argnum):
    def loss(np_):
        return lambda v, M: np_.sum(np_.sin(v @ M) * numpy.arange(3.0))

    v = rng.normal(size=7)
    ours = gradviz.grad(loss(np), argnum)(v, X)
    numpy.testing.assert_allclose(ours, autograd.grad(loss(anp), argnum)(v, X), rtol=1e-12)
    numpy.testing.assert_allclose(ours, gradviz.jacobian_forward(loss(np), argnum)(v, X), rtol=1e-12)


def test_second_derivative_through_matrix_at_vector():
    hvp = gradviz.hessian(lambda w: np.sum(np.tanh(X @ w) ** 2))(numpy.array([0.1, 0.2, -0.3]))
    expected = autograd.hessian(lambda w: anp.sum(anp.tanh(X @ w) ** 2))(numpy.array([0.1, 0.2, -0.3]))
    numpy.testing.assert_allclose(hvp, expected, rtol=1e-10)
