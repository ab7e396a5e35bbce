"""autograd's public names beyond the differential operators: the tracer API (``trace``,
``Node``, ``VJPNode``, ``JVPNode``, ``full_graph``, ``register_notrace``), ``SparseObject``,
the container boxes and spaces of ``builtins``, and ``test_util``'s helpers. Each is used the
way autograd's is, under both libraries, and gives autograd's numbers."""

from __future__ import annotations

import builtins
import warnings

import autograd
import autograd.builtins
import autograd.core
import autograd.extend
import autograd.misc.tracers
import autograd.numpy as anp
import autograd.test_util
import autograd.tracer
import autograd.util
import numpy as onp
import pytest

import gradviz
import gradviz.builtins
import gradviz.extend
import gradviz.misc.tracers
import gradviz.numpy as gnp
import gradviz.test_util
import gradviz.tracer
import gradviz.util

X = onp.array([0.3, -1.2, 2.0])

AUTOGRAD = dict(np=anp, tracer=autograd.tracer, extend=autograd.extend, util=autograd.util,
                builtins=autograd.builtins, tracers=autograd.misc.tracers, grad=autograd.grad,
                test_util=autograd.test_util)
GRADVIZ = dict(np=gnp, tracer=gradviz.tracer, extend=gradviz.extend, util=gradviz.util,
               builtins=gradviz.builtins, tracers=gradviz.misc.tracers, grad=gradviz.grad,
               test_util=gradviz.test_util)
BOTH = pytest.mark.parametrize("lib", [AUTOGRAD, GRADVIZ], ids=["autograd", "gradviz"])


def close(a, b):
    onp.testing.assert_allclose(onp.asarray(a, float), onp.asarray(b, float), rtol=1e-10, atol=1e-14)


def loss(np):
    return lambda x: np.sum(np.sin(x) * x ** 2 + np.exp(x / 3.0)) * np.tanh(x[0])


def reverse_by_hand(lib, f, x):
    """A backward pass written as autograd's documentation writes one: trace with VJPNodes,
    walk the graph from the end, add each parent's share."""
    start = lib["extend"].VJPNode.new_root()
    _, end = lib["tracer"].trace(start, f, x)
    sparse = lib["extend"].SparseObject  # autograd's x[i] gives one: added into zeros here
    adjoints = {end: 1.0}
    for node in lib["util"].toposort(end):
        g = adjoints.pop(node)
        for parent, share in zip(node.parents, node.vjp(g)):
            share = share.mut_add(share.vs.zeros()) if type(share) is sparse else share
            adjoints[parent] = share if parent not in adjoints else adjoints[parent] + share
    return g


def forward_by_hand(lib, f, x, v):
    _, end = lib["tracer"].trace(lib["extend"].JVPNode.new_root(v), f, x)
    return end.g


@pytest.mark.parametrize("make", [loss, lambda np: lambda x: np.dot(x, x[::-1]) / np.sum(x ** 2)])
def test_vjp_and_jvp_nodes_give_autograds_derivatives(make):
    ours = reverse_by_hand(GRADVIZ, make(gnp), X)
    close(ours, reverse_by_hand(AUTOGRAD, make(anp), X))
    close(ours, gradviz.grad(make(gnp))(X))
    v = onp.array([0.5, 1.0, -2.0])
    close(forward_by_hand(GRADVIZ, make(gnp), X, v), forward_by_hand(AUTOGRAD, make(anp), X, v))
    close(forward_by_hand(GRADVIZ, make(gnp), X, v), onp.dot(ours, v))


def operations(lib, f, x):
    """The primitives' names, in order, by a Node subclass of the user's own."""
    class Names(lib["tracer"].Node):
        def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
            self.names = [name for parent in parents for name in parent.names] + [fun.__name__]
            self.value = value

        def initialize_root(self):
            self.names = []

    value, end = lib["tracer"].trace(Names.new_root(), f, x)
    return value, end.names


@BOTH
def test_a_node_class_of_the_users_own_sees_every_operation(lib):
    np = lib["np"]
    value, names = operations(lib, lambda x: np.exp(np.sin(x) * 2.0) + x, 0.7)
    expected = operations(AUTOGRAD, lambda x: anp.exp(anp.sin(x) * 2.0) + x, 0.7)
    assert names == expected[1] == ["sin", "multiply", "exp", "add"]
    close(value, expected[0])


@BOTH
def test_trace_of_a_constant_output_warns_and_has_no_node(lib):
    with pytest.warns(UserWarning, match="independent"):
        value, end = lib["tracer"].trace(lib["extend"].VJPNode.new_root(), lambda x: 3.0, 1.0)
    assert end is None and value == 3.0


def test_full_graph_keeps_values_and_recipes():
    def chain(lib):
        np = lib["np"]
        end = lib["tracers"].full_graph(lambda x, y: np.sin(x) * y, 0.4, 2.0)
        fun, args, kwargs, parents = end.recipe
        parents = list(parents)  # autograd keeps a zip
        return end.value, fun.__name__, [argnum for argnum, _ in parents], parents[0][1].value

    ours, theirs = chain(GRADVIZ), chain(AUTOGRAD)
    assert ours[1:3] == theirs[1:3] == ("multiply", [0, 1])
    close([ours[0], ours[3]], [theirs[0], theirs[3]])


def make_scaled(lib):
    """``p(x) = 2 x²`` with its rule; ``f = p(x) + sin(x)``."""
    @lib["extend"].primitive
    def p(x):
        return 2.0 * x ** 2

    lib["extend"].defvjp(p, lambda ans, x: lambda g: g * 4.0 * x)
    return p


@BOTH
def test_register_notrace_for_vjp_nodes_makes_the_gradient_through_it_zero(lib):
    p = make_scaled(lib)
    np = lib["np"]
    f = lambda x: p(x) + np.sin(x)
    assert lib["grad"](f)(0.5) == pytest.approx(4.0 * 0.5 + onp.cos(0.5), rel=1e-12)
    lib["extend"].register_notrace(lib["extend"].VJPNode, p)
    close(lib["grad"](f)(0.5), onp.cos(0.5))


def take(lib):
    """``x[i]`` whose adjoint is a SparseObject that adds ``g`` at ``i``."""
    ext = lib["extend"]

    @ext.primitive
    def take_at(x, i):
        return x[i]

    def adjoint(ans, x, i):
        def vjp(g):
            def add_into(a):
                a[i] += g
                return a
            return ext.SparseObject(ext.vspace(x), add_into)
        return vjp

    ext.defvjp(take_at, adjoint)
    return take_at


@BOTH
def test_a_sparse_adjoint_adds_into_the_gradient(lib):
    take_at, np = take(lib), lib["np"]
    f = lambda x: take_at(x, 1) * 3.0 + take_at(x, 1) ** 2 + np.sin(take_at(x, 2))
    expected = onp.array([0.0, 3.0 + 2 * X[1], onp.cos(X[2])])
    close(lib["grad"](f)(X), expected)
    close(lib["grad"](lambda x: take_at(x, 0))(X), [1.0, 0.0, 0.0])


def test_sequence_and_dict_boxes_tell_traced_containers():
    def kinds(lib):
        b = lib["builtins"]
        seen = []

        def f(x):
            pair, entries = b.tuple((x, x * 2.0)), b.dict(w=x)
            seen.extend(builtins.isinstance(v, k) for v in (pair, entries, x)
                        for k in (b.SequenceBox, b.DictBox))
            return pair[0] * pair[1] + entries["w"]

        return lib["grad"](f)(1.5), seen

    (ours, our_kinds), (theirs, their_kinds) = kinds(GRADVIZ), kinds(AUTOGRAD)
    close(ours, theirs)
    assert our_kinds == their_kinds == [True, False, False, True, False, False]
    assert issubclass(gradviz.builtins.SequenceBox, gradviz.extend.Box)


@pytest.mark.parametrize("value", [(1.0, onp.zeros(3)), [2.0, onp.ones((2, 2))],
                                   {"w": onp.zeros(2), "b": 0.5}])
def test_container_spaces_are_autograds_classes(value):
    ours, theirs = gradviz.extend.vspace(value), autograd.extend.vspace(value)
    assert type(ours).__name__ == type(theirs).__name__
    assert isinstance(ours, gradviz.builtins.ContainerVSpace)
    assert isinstance(ours, gradviz.builtins.SequenceVSpace) == isinstance(
        theirs, autograd.builtins.SequenceVSpace)
    assert ours.size == theirs.size
    shape = ours.shape.values() if isinstance(value, dict) else ours.shape
    their_shape = theirs.shape.values() if isinstance(value, dict) else theirs.shape
    assert [s.size for s in shape] == [s.size for s in their_shape]
    assert [s.shape for s in shape] == [s.shape for s in their_shape]


@pytest.mark.parametrize("f, x, v", [
    (lambda np: lambda x: np.sin(x) * x, X, onp.array([1.0, -0.5, 0.25])),
    (lambda np: lambda x: (x[0] ** 2, np.exp(x[1])), (0.7, 0.2), (1.0, 3.0)),
])
def test_make_numerical_jvp_gives_autograds_differences(f, x, v):
    ours = gradviz.test_util.make_numerical_jvp(f(gnp), x)(v)
    theirs = autograd.test_util.make_numerical_jvp(f(anp), x)(v)
    close(gradviz.engine.tree.flatten(ours)[0], gradviz.engine.tree.flatten(theirs)[0])


@BOTH
def test_unary_to_nary_and_constants(lib):
    test_util = lib["test_util"]

    @test_util.unary_to_nary
    def scaled_value(f, x, scale=1.0):
        return scale * f(x)

    f = lambda a, b, c=1.0: a * 10.0 + b * c
    assert scaled_value(f)(2.0, 3.0) == 23.0
    assert scaled_value(f, 1, 2.0)(2.0, 3.0, c=5.0) == 2.0 * (20.0 + 15.0)
    assert scaled_value(lambda a, b: a - b, (1, 0))(7.0, 4.0) == 3.0
    assert (test_util.TOL, test_util.RTOL, test_util.EPS) == (
        autograd.test_util.TOL, autograd.test_util.RTOL, autograd.test_util.EPS)


def test_tracer_module_helpers():
    def helpers(lib):
        seen = []

        def f(x):
            seen.append((lib["tracer"].isbox(x), float(lib["tracer"].getval(x))))
            return x * 2.0

        lib["grad"](f)(1.5)
        return seen + [lib["tracer"].isbox(1.5)]

    assert helpers(GRADVIZ) == helpers(AUTOGRAD) == [(True, 1.5), False]


@BOTH
def test_const_graph_unary_records_once_and_replays(lib):
    calls = []

    def f(x):
        calls.append(1)
        return lib["np"].sum(lib["np"].sin(x) * x)

    replayed = lib["tracers"].const_graph_unary(f)
    values = [replayed(X), replayed(X * 2.0)]
    close(values, [onp.sum(onp.sin(X) * X), onp.sum(onp.sin(2 * X) * 2 * X)])
    assert len(calls) == 1
