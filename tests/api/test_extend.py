"""gradviz.extend accepts every registration form autograd's extend does, and the derivatives
so defined are right (finite differences) and equal autograd's."""

from __future__ import annotations

import autograd
import autograd.extend as aext
import autograd.numpy as anp
import numpy as onp
import pytest

import gradviz
import gradviz.extend as gext
import gradviz.numpy as gnp
from gradviz.test_util import check_grads

X = onp.array([0.4, -1.3, 2.1])
Y = onp.array([1.1, 0.2, -0.5])


def weighted(ext, np, register):
    """``f(x, y) = sum(x² · y)`` as a user primitive, its rules registered by ``register``."""

    @ext.primitive
    def f(x, y):
        return onp.sum(x ** 2 * y)

    register(ext, np, f)
    return f


def with_argnum(ext, np, f):
    ext.defvjp_argnum(f, lambda argnum, ans, args, kwargs: (
        (lambda g: g * 2 * args[0] * args[1]) if argnum == 0 else (lambda g: g * args[0] ** 2)))
    ext.defjvp_argnum(f, lambda argnum, t, ans, args, kwargs: (
        np.sum(t * 2 * args[0] * args[1]) if argnum == 0 else np.sum(t * args[0] ** 2)))


def with_argnums(ext, np, f):
    def vjpmaker(argnums, ans, args, kwargs):
        x, y = args
        parts = {0: lambda g: g * 2 * x * y, 1: lambda g: g * x ** 2}
        return lambda g: tuple(parts[k](g) for k in argnums)

    def jvpmaker(argnums, ts, ans, args, kwargs):
        x, y = args
        parts = {0: lambda t: np.sum(t * 2 * x * y), 1: lambda t: np.sum(t * x ** 2)}
        return sum(parts[k](t) for k, t in zip(argnums, ts))

    ext.defvjp_argnums(f, vjpmaker)
    ext.defjvp_argnums(f, jvpmaker)


@pytest.mark.parametrize("register", [with_argnum, with_argnums])
def test_argnum_registrations_match_autograd_and_finite_differences(register):
    ours = weighted(gext, gnp, register)
    theirs = weighted(aext, anp, register)
    for argnum in (0, 1):
        onp.testing.assert_allclose(gradviz.grad(ours, argnum)(X, Y),
                                    autograd.grad(theirs, argnum)(X, Y), rtol=1e-12)
        _, ours_t = gradviz.make_jvp(ours, argnum)(X, Y)(Y)
        _, theirs_t = autograd.make_jvp(theirs, argnum)(X, Y)(Y)
        assert float(ours_t) == pytest.approx(float(theirs_t), rel=1e-12)
    check_grads(ours, argnum=(0, 1), order=1)(X, Y)


def test_defjvp_same_for_a_linear_argument():
    @gext.primitive
    def scale(x, c):
        return onp.asarray(x) * c

    gext.defjvp(scale, "same", None)
    gext.defvjp(scale, lambda ans, x, c: lambda g: g * c, None)
    _, tangent = gradviz.make_jvp(lambda x: gnp.sum(gnp.sin(scale(x, 3.0))))(X)(Y)
    onp.testing.assert_allclose(tangent, onp.sum(onp.cos(3 * X) * 3 * Y), rtol=1e-12)
    check_grads(lambda x: scale(x, 3.0))(X)


def test_none_is_a_zero_derivative_as_in_autograd():
    @gext.primitive
    def shifted(x, offset):
        return x + offset

    gext.defvjp(shifted, lambda ans, x, offset: lambda g: g, None)
    gext.defjvp(shifted, lambda t, ans, x, offset: t, None)
    # offset is traced here but its derivative was declared zero
    grads = gradviz.grad(lambda x, o: gnp.sum(shifted(x, o) ** 2), (0, 1))(X, 1.0)
    onp.testing.assert_allclose(grads[0], 2 * (X + 1.0))
    assert float(grads[1]) == 0.0


def test_defjvp_refuses_an_unknown_shorthand():
    f = gext.primitive(lambda x: x)
    with pytest.raises(gradviz.GradvizError, match="a function, None or 'same'"):
        gext.defjvp(f, "linear")


@pytest.mark.parametrize("value", [1.5, onp.ones((2, 3)), onp.array([1 + 2j, 3j]),
                                   {"w": onp.ones(2), "b": [0.5, onp.zeros((1, 2))]}, (1.0, 2.0)])
def test_vspace_agrees_with_autograd(value):
    ours, theirs = gext.vspace(value), aext.vspace(value)
    assert ours.size == theirs.size
    assert ours.iscomplex == theirs.iscomplex
    for make in ("zeros", "ones"):
        a, b = getattr(ours, make)(), getattr(theirs, make)()
        for p, q in zip(gradviz.engine.tree.flatten(a)[0], gradviz.engine.tree.flatten(b)[0]):
            assert onp.shape(p) == onp.shape(q) and onp.result_type(p) == onp.result_type(q)
            onp.testing.assert_array_equal(p, q)
    onp.random.seed(3)
    ours_randn = ours.randn()
    onp.random.seed(3)
    theirs_randn = theirs.randn()
    for p, q in zip(gradviz.engine.tree.flatten(ours_randn)[0], gradviz.engine.tree.flatten(theirs_randn)[0]):
        onp.testing.assert_array_equal(p, q)
    assert len(list(ours.standard_basis())) == ours.size
    x, y = ours.randn(), ours.randn()
    assert ours.inner_prod(x, y) == pytest.approx(theirs.inner_prod(x, y), rel=1e-12)
    assert ours == gext.vspace(ours.zeros())


def test_vspace_of_an_array_has_its_shape_and_dtype():
    space = gext.VSpace(onp.zeros((2, 3), onp.float32))
    assert (space.shape, space.dtype, space.ndim) == ((2, 3), onp.float32, 2)
    # A container's space has no one dtype; its shape is its entries' spaces, as autograd's.
    with pytest.raises(gradviz.GradvizError, match="no single shape"):
        gext.vspace({"a": 1.0}).dtype
    assert gext.vspace({"a": 1.0}).shape == {"a": gext.vspace(1.0)}
    with pytest.raises(gradviz.GradvizError, match="no vector space for a str"):
        gext.vspace("text")
