"""Tuples, lists and dicts of traced values flow through functions and primitives, as in
autograd: same numbers as autograd 1.9.1, finite differences agree, and packing and
unpacking are nodes the renderer, the tables and the inspector show like any other."""

from __future__ import annotations

import io

import autograd
import autograd.builtins as abuiltins
import autograd.extend as aext
import autograd.numpy as anp
import numpy as onp
import pytest
from autograd.scipy.integrate import odeint as aodeint
from rich.console import Console

import gradviz
import gradviz.builtins as gbuiltins
import gradviz.extend as gext
import gradviz.numpy as gnp
from gradviz.scipy.integrate import odeint as godeint
from gradviz.export.tables import trace_tables
from gradviz.test_util import check_grads

rng = onp.random.default_rng(7)
A, B = rng.normal(size=3), rng.normal(size=3)
PARAMS = {"w": rng.normal(size=(3, 2)), "b": [rng.normal(size=2), 0.4], "gain": (1.5, rng.normal(size=3))}


def same(ours, theirs, rtol=1e-10):
    ours_leaves, theirs_leaves = gradviz.misc.flatten(ours)[0], gradviz.misc.flatten(theirs)[0]
    assert ours_leaves.shape == theirs_leaves.shape
    onp.testing.assert_allclose(ours_leaves, theirs_leaves, rtol=rtol, atol=1e-13)


import gradviz.misc  # noqa: E402


def params_program(np):
    def loss(params, x):
        w, (b, shift), (gain, scale) = params["w"], params["b"], params["gain"]
        hidden = np.tanh(np.dot(x * scale, w) + b)
        return gain * np.sum(hidden ** 2) + shift * np.sum(w)
    return loss


def test_grad_of_a_dict_of_lists_and_tuples_keeps_the_structure():
    ours = gradviz.grad(params_program(gnp))(PARAMS, A)
    theirs = autograd.grad(params_program(anp))(PARAMS, A)
    assert list(ours) == ["w", "b", "gain"]
    assert type(ours["b"]) is list and type(ours["gain"]) is tuple
    same(ours, theirs)


@pytest.mark.parametrize("reduce", ["mean", "std", "var", "sum"])
def test_numpy_reductions_of_a_list_of_traced_values(reduce):
    def f(np):
        return lambda x, y: getattr(np, reduce)([np.sin(x), y * x, y], axis=0).sum() + getattr(np, reduce)((x, y))
    same(gradviz.grad(f(gnp), (0, 1))(A, B), autograd.grad(f(anp), (0, 1))(A, B))
    check_grads(f(gnp), argnum=(0, 1), order=1)(A, B)


@pytest.mark.parametrize("ord", [None, 2, 3])
def test_norm_of_a_tuple_of_traced_values(ord):
    def f(np):
        return lambda x, y: np.linalg.norm((x * y, np.cos(y)), ord=ord) if ord is None else np.linalg.norm([x[0] * y[1], y[2]], ord=ord)
    same(gradviz.grad(f(gnp), (0, 1))(A, B), autograd.grad(f(anp), (0, 1))(A, B))


def test_array_and_stack_of_traced_values():
    def f(np):
        return lambda x: np.sum(np.array([[x[0], 2.0], [x[1] * x[2], x[0]]]) ** 2) + np.sum(np.stack((x, x ** 2)))
    same(gradviz.grad(f(gnp))(A), autograd.grad(f(anp))(A))


def summed_product(ext, np):
    """A user primitive taking a dict whose adjoint rule returns a dict."""
    @ext.primitive
    def weighted(p):
        return onp.sum(p["x"] * p["y"]) * p["k"][0]

    ext.defvjp(weighted, lambda ans, p: lambda g: {"x": g * p["y"] * p["k"][0], "y": g * p["x"] * p["k"][0],
                                                   "k": (g * onp.sum(p["x"] * p["y"]), g * 0.0)})
    return weighted


def test_a_user_primitive_takes_and_returns_a_whole_dict():
    ours_prim, theirs_prim = summed_product(gext, gnp), summed_product(aext, anp)

    def ours(x, y):
        p = gbuiltins.dict(x=gnp.sin(x), y=y, k=gbuiltins.tuple((x[0], 1.0)))
        return ours_prim(p) + ours_prim({"x": x, "y": x, "k": (y[1], 2.0)})  # a plain dict too

    def theirs(x, y):
        p = abuiltins.dict(x=anp.sin(x), y=y, k=abuiltins.tuple((x[0], 1.0)))
        return theirs_prim(p) + theirs_prim(abuiltins.dict(x=x, y=x, k=abuiltins.tuple((y[1], 2.0))))

    same(gradviz.grad(ours, (0, 1))(A, B), autograd.grad(theirs, (0, 1))(A, B))
    check_grads(ours, argnum=(0, 1), modes=["rev"], order=1)(A, B)


def two_outputs(ext):
    @ext.primitive
    def split_moments(x):
        return (onp.sum(x), onp.sum(x ** 2))

    ext.defvjp(split_moments, lambda ans, x: lambda g: g[0] + 2 * x * g[1])
    return split_moments


def test_a_primitive_returning_a_tuple_is_unpacked_by_indexing_and_iteration():
    ours_prim, theirs_prim = two_outputs(gext), two_outputs(aext)

    def ours(x):
        first, second = ours_prim(x)
        return first * ours_prim(x)[1] + gnp.sin(second)

    def theirs(x):
        first, second = theirs_prim(x)
        return first * theirs_prim(x)[1] + anp.sin(second)

    same(gradviz.grad(ours)(A), autograd.grad(theirs)(A))
    ops = [node.op for node in gradviz.trace(ours, A, forward=False).nodes]
    assert ops.count("unpack") == 3 and ops.count("split_moments") == 2


def test_returning_a_traced_container_from_a_function():
    def f(x):
        return gbuiltins.list([gnp.sin(x), x ** 2])
    vjp_fn, value = gradviz.make_vjp(f)(A)
    assert type(value) is list and len(value) == 2
    onp.testing.assert_allclose(vjp_fn([onp.ones(3), B]), onp.cos(A) + 2 * A * B)
    jacobian_rows = gradviz.jacobian(lambda x: gbuiltins.tuple((x[0] * x[1], x[2]))[0])(A)
    onp.testing.assert_allclose(jacobian_rows, [A[1], A[0], 0.0])


def test_builtins_isinstance_and_type_look_through_the_box():
    seen = []

    def f(x):
        pair = gbuiltins.tuple((x, 2 * x))
        seen.append((gbuiltins.isinstance(pair, gbuiltins.tuple), gbuiltins.isinstance(pair, tuple),
                     gbuiltins.isinstance(x, onp.ndarray), gbuiltins.type(x) is onp.ndarray,
                     gbuiltins.isinstance((1, 2), gbuiltins.tuple), gbuiltins.isinstance([1], gbuiltins.tuple)))
        return gnp.sum(pair[0] * pair[1])
    gradviz.grad(f)(A)
    assert seen == [(True, True, True, True, True, False)]
    assert gbuiltins.tuple([1, 2]) == (1, 2) and gbuiltins.dict(a=1) == {"a": 1}
    assert gradviz.tuple is gbuiltins.tuple and gradviz.isinstance is gbuiltins.isinstance


def test_odeint_with_nested_arguments():
    def program(np, odeint, tup):
        def dynamics(y, t, params):
            return np.tanh(np.dot(params["layers"][0], y)) * params["scale"] - params["layers"][1] * y

        def loss(params):
            path = odeint(dynamics, np.array([1.0, -0.5]), np.linspace(0.0, 1.0, 4), tup((params,)))
            return np.sum(path[-1] ** 2)
        return loss

    params = {"layers": [rng.normal(size=(2, 2)), rng.normal(size=2)], "scale": 0.7}
    theirs = autograd.grad(program(anp, aodeint, abuiltins.tuple))(params)
    # Both integrate the adjoint system to scipy's tolerance, not to the last digit.
    same(gradviz.grad(program(gnp, godeint, gbuiltins.tuple))(params), theirs, rtol=1e-6)
    same(gradviz.grad(program(gnp, godeint, tuple))(params), theirs, rtol=1e-6)


def container_trace():
    prim = summed_product(gext, gnp)
    gext.defjvp(prim, lambda t, ans, p: (gnp.sum(t["x"] * p["y"] + p["x"] * t["y"]) * p["k"][0]
                                         + gnp.sum(p["x"] * p["y"]) * t["k"][0]))

    def f(x, y):
        pair = gbuiltins.tuple((gnp.sin(x), y))
        return prim({"x": pair[0], "y": pair[1], "k": (2.0, 0.0)})
    return gradviz.trace(f, A, B), f


def test_packing_and_unpacking_nodes_are_drawn_tabled_and_inspected():
    traced, function = container_trace()
    ops = [node.op for node in traced.nodes]
    assert ops == ["input", "input", "sin", "tuple", "unpack", "unpack", "dict", "weighted"]
    # forward and reverse mode agree through the packed values
    onp.testing.assert_allclose([float(traced.tangent(7, sweep=k)) for k in range(6)],
                                gradviz.misc.flatten(gradviz.grad(function, (0, 1))(A, B))[0])
    dot = str(gradviz.to_dot(traced))
    assert "unpack" in dot and "= tuple(" in dot and "= dict(" in dot
    console = Console(file=io.StringIO(), width=140, color_system=None)
    console.print(trace_tables(traced))
    text = console.file.getvalue()
    assert "unpack" in text and "dict" in text
    from gradviz.inspector import make_state
    from gradviz.inspector.plain import print_run
    console = Console(file=io.StringIO(), width=80, color_system=None)
    assert print_run(make_state(traced), console) == 0
    assert "unpack" in console.file.getvalue()


def test_a_container_shows_its_items_not_one_flat_array():
    from gradviz.export.notation import format_value
    assert format_value((onp.array([1.0, 2.0]), 0.5)) == "([1, 2], 0.5)"
    assert format_value({"w": onp.ones(2)}) == "{'w': [1, 1]}"
