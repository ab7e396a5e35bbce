"""gradviz.test_util, called as autograd's test suites call it: a right derivative passes
quietly, a wrong one fails with the rule to blame."""

from __future__ import annotations

import numpy as onp
import pytest

import gradviz.numpy as np
from gradviz.debug.gradcheck import GradientCheckError
from gradviz.extend import defjvp, defvjp, primitive
from gradviz.test_util import check_equivalent, check_grads, check_jvp, check_vjp, combo_check, scalar_close

X = onp.array([0.3, -0.8, 1.4])


def cube_primitive(vjp_sign=1.0, with_jvp=True):
    @primitive
    def cube(x):
        return x ** 3

    defvjp(cube, lambda ans, x: lambda g: vjp_sign * 3 * x ** 2 * g)
    if with_jvp:
        defjvp(cube, lambda t, ans, x: 3 * x ** 2 * t)
    return cube


def test_curried_check_grads_passes_right_derivatives():
    check_grads(lambda x, w: np.tanh(np.dot(x, w)), argnum=1)(X, onp.ones((3, 2)))
    check_grads(lambda x, w: np.tanh(np.dot(x, w)), 0, ["fwd", "rev"], 2)(X, onp.ones((3, 2)))
    check_grads(lambda p: np.sum(p["w"] ** 2) * p["b"], modes=["rev"])({"w": X, "b": 0.5})
    check_grads(np.sin, order=3)(X)


def test_a_wrong_adjoint_fails_and_names_the_rule():
    cube = cube_primitive(vjp_sign=-1.0)
    with pytest.raises(AssertionError, match=r"reverse mode.*blamed: the VJP rule of 'cube'"):
        check_grads(lambda x: np.sum(np.sin(cube(x))), modes=["rev"])(X)


def test_reverse_only_checks_need_no_tangent_rule_at_any_order():
    cube = cube_primitive(with_jvp=False)
    check_grads(lambda x: np.sin(cube(x)), modes=["rev"], order=3)(X)
    with pytest.raises(GradientCheckError):
        check_grads(lambda x: np.sin(cube_primitive(-1.0, with_jvp=False)(x)), modes=["rev"])(X)


def test_forward_check_of_a_vjp_only_primitive_says_the_tangent_rule_is_missing():
    cube = cube_primitive(with_jvp=False)
    with pytest.raises(Exception, match="no JVP rule for 'cube'"):
        check_grads(cube, modes=["fwd"])(X)


def test_check_jvp_and_check_vjp_directly():
    check_jvp(np.exp, X)
    check_vjp(np.exp, X)

    @primitive
    def wrong_exp(x):
        return onp.exp(x)
    defjvp(wrong_exp, lambda t, ans, x: t * x)  # wrong: should be t * ans
    defvjp(wrong_exp, lambda ans, x: lambda g: g * ans)
    with pytest.raises(AssertionError, match="forward mode.*blamed: the JVP rule of 'wrong_exp'"):
        check_jvp(wrong_exp, X)


def test_combo_check_runs_every_combination():
    seen = []

    def summed(x, axis=None, keepdims=False):
        seen.append((axis, keepdims))
        return np.sum(x * x, axis=axis, keepdims=keepdims)

    combo_check(summed, [0], modes=["rev"], order=1)([onp.ones((2, 3))], axis=[None, 0, 1],
                                                     keepdims=[True, False])
    assert {s for s in seen} == {(a, k) for a in (None, 0, 1) for k in (True, False)}


def test_scalar_close_and_check_equivalent():
    assert scalar_close(1e8, 1e8 + 1.0) and not scalar_close(1.0, 1.01)
    check_equivalent((1.0, onp.ones(2)), (1.0, onp.ones(2) + 1e-12))
    with pytest.raises(AssertionError, match="not the same kind"):
        check_equivalent(onp.ones(2), onp.ones(3))
    with pytest.raises(AssertionError, match="values differ"):
        check_equivalent(onp.ones(2), onp.zeros(2))


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="modes are 'fwd' and 'rev'"):
        check_grads(np.sin, modes=["forward"])
