"""gradviz.misc: flatten, the optimizers, fixed points and const_graph, against autograd 1.9.1."""

from __future__ import annotations

import autograd
import autograd.misc as amisc
from autograd.misc.flatten import flatten_func as autograd_flatten_func
import autograd.misc.optimizers as aopt
import autograd.numpy as anp
import numpy as onp
import pytest
from autograd.misc.fixed_points import fixed_point as afixed_point

import gradviz
import gradviz.misc as gmisc
import gradviz.misc.optimizers as gopt
import gradviz.numpy as gnp
from gradviz.misc.fixed_points import fixed_point as gfixed_point
from gradviz.test_util import check_grads

rng = onp.random.default_rng(5)
INPUTS = onp.linspace(-1.0, 1.0, 15).reshape(5, 3)
PARAMS = {"layer": [(rng.normal(size=(3, 2)), rng.normal(size=2)), (rng.normal(size=(2, 1)), 0.25)],
          "scale": onp.array(1.5), "a": rng.normal(size=4)}


def objective(np):
    def loss(params, iteration):
        (w1, b1), (w2, b2) = params["layer"]
        hidden = np.tanh(np.dot(INPUTS, w1) + b1)
        out = np.dot(hidden, w2) + b2
        return np.sum(out ** 2) * params["scale"] + np.sum(np.sin(params["a"])) + 0.01 * iteration
    return loss


def test_flatten_matches_autograd_and_round_trips():
    ours, unflatten = gmisc.flatten(PARAMS)
    theirs, _ = amisc.flatten(PARAMS)
    onp.testing.assert_array_equal(ours, theirs)
    rebuilt = unflatten(ours)
    assert list(rebuilt) == list(PARAMS) and type(rebuilt["layer"][0]) is tuple
    onp.testing.assert_array_equal(gmisc.flatten(rebuilt)[0], ours)
    assert onp.shape(rebuilt["layer"][1][1]) == ()


def test_flatten_of_nothing():
    flat, unflatten = gmisc.flatten({})
    assert flat.shape == (0,) and unflatten(flat) == {}


def test_flatten_func_gradient_matches_autograd():
    flat_ours, _, x_ours = gmisc.flatten_func(objective(gnp), PARAMS)
    flat_theirs, _, x_theirs = autograd_flatten_func(objective(anp), PARAMS)
    onp.testing.assert_allclose(gradviz.grad(flat_ours)(x_ours, 2), autograd.grad(flat_theirs)(x_theirs, 2),
                                rtol=1e-12)


def test_flatten_inside_a_traced_function_is_differentiable():
    def penalty(params):
        return gnp.sum(gmisc.flatten(params)[0] ** 2)
    gradient = gradviz.grad(penalty)(PARAMS)
    onp.testing.assert_allclose(gradient["a"], 2 * PARAMS["a"])
    onp.testing.assert_allclose(gradient["layer"][0][0], 2 * PARAMS["layer"][0][0])


@pytest.mark.parametrize("name, options", [("sgd", {}), ("sgd", {"mass": 0.5, "step_size": 0.05}),
                                           ("rmsprop", {}), ("rmsprop", {"gamma": 0.5}),
                                           ("adam", {}), ("adam", {"step_size": 0.05, "b1": 0.8})])
def test_optimizers_agree_with_autograd_to_1e_10(name, options):
    seen_ours, seen_theirs = [], []

    def callback(into):
        return lambda params, iteration, gradient: into.append(
            (iteration, amisc.flatten(params)[0], amisc.flatten(gradient)[0]))

    ours = getattr(gopt, name)(gradviz.grad(objective(gnp)), PARAMS, callback(seen_ours),
                               num_iters=40, **options)
    theirs = getattr(aopt, name)(autograd.grad(objective(anp)), PARAMS, callback(seen_theirs),
                                 num_iters=40, **options)
    assert [s[0] for s in seen_ours] == list(range(40))
    for (_, p_ours, g_ours), (_, p_theirs, g_theirs) in zip(seen_ours, seen_theirs):
        onp.testing.assert_allclose(p_ours, p_theirs, rtol=1e-10, atol=1e-12)
        onp.testing.assert_allclose(g_ours, g_theirs, rtol=1e-10, atol=1e-12)
    onp.testing.assert_allclose(amisc.flatten(ours)[0], amisc.flatten(theirs)[0], rtol=1e-10)
    assert type(ours["layer"][0]) is tuple


def test_optimizer_without_callback_decreases_the_loss():
    loss = objective(gnp)
    trained = gopt.adam(gradviz.grad(loss), PARAMS, step_size=0.05, num_iters=60)
    assert loss(trained, 0) < loss(PARAMS, 0) - 1.0


def newton_sqrt(fixed_point, np):
    def sqrt(a):
        return fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, np.ones(2),
                           lambda x, y: np.sqrt(np.sum((x - y) ** 2)), 1e-12)
    return sqrt


def test_fixed_point_value_and_derivative():
    a = onp.array([2.0, 7.0])
    ours = newton_sqrt(gfixed_point, gnp)
    onp.testing.assert_allclose(ours(a), onp.sqrt(a), rtol=1e-12)
    jacobian = gradviz.jacobian(ours)(a)
    onp.testing.assert_allclose(jacobian, autograd.jacobian(newton_sqrt(afixed_point, anp))(a), rtol=1e-10)
    onp.testing.assert_allclose(onp.diag(jacobian), 0.5 / onp.sqrt(a), rtol=1e-8)
    check_grads(lambda a: gnp.sum(ours(a)), modes=["rev"], order=1)(a)


def test_const_graph_replays_without_running_the_python_again():
    calls = []

    def f(x):
        calls.append(1)
        return gnp.sum(gnp.tanh(x) * x[::-1]) + gnp.max(x)

    fast = gmisc.const_graph(f)
    slow = lambda x: anp.sum(anp.tanh(x) * x[::-1]) + anp.max(x)  # noqa: E731
    for x in (rng.normal(size=4), rng.normal(size=4)):
        assert float(fast(x)) == pytest.approx(float(slow(x)), rel=1e-14)
        onp.testing.assert_allclose(gradviz.grad(fast)(x), autograd.grad(slow)(x), rtol=1e-12)
    assert len(calls) == 1
    replayed = gradviz.trace(fast, rng.normal(size=4))
    assert "tanh" in [node.op for node in replayed.nodes]


def test_const_graph_binds_leading_arguments():
    fast = gmisc.const_graph(lambda scale, x: gnp.sum(x ** 2) * scale, 3.0)
    assert float(fast(onp.array([1.0, 2.0]))) == 15.0
    assert float(fast(onp.array([2.0, 0.0]))) == 12.0


def _slow_sqrt(fixed_point, np):
    return lambda a: fixed_point(lambda a: lambda x: x - 0.05 * (x ** 2 - a), a, 10.0,
                                 lambda x, y: np.abs(x - y), 1e-4)


def test_fixed_point_second_derivative_goes_through_the_adjoint_iteration():
    # Before, the adjoint iteration was itself a fixed_point call, whose rules captured
    # first-level values: grad(grad(...)) recursed until Python gave up.
    second = float(gradviz.grad(gradviz.grad(_slow_sqrt(gfixed_point, gnp)))(2.0))
    exact = -0.25 * 2.0 ** -1.5
    assert abs(second - exact) < 5e-3 * abs(exact)  # the iterations stop at tol = 1e-4


@pytest.mark.parametrize("order", [1, 2, 3])
def test_fixed_point_derivatives_are_autograds_at_a_loose_tolerance(order):
    # The adjoint iteration is a fixed_point of its own, as in autograd: unrolled, it gave
    # -0.088175 for the second derivative where autograd gives -0.088100 (tol = 1e-4).
    ours, theirs = _slow_sqrt(gfixed_point, gnp), _slow_sqrt(afixed_point, anp)
    for _ in range(order):
        ours, theirs = gradviz.grad(ours), autograd.grad(theirs)
    assert float(ours(2.0)) == pytest.approx(float(theirs(2.0)), rel=1e-12)