"""The gradient debugger on seeded faults whose right answer is known in advance."""

from __future__ import annotations

import inspect
import runpy
import sys
from pathlib import Path

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli import main
from gradviz.debug import (GradientCheckError, annotate, check_grads, check_trace, compare_modes,
                           compare_traces, cut_identity, debug_nans, first_nonfinite, health,
                           localise, nan_birth, paths, training_summary)
from gradviz.errors import NonFiniteError
from gradviz.extend import defjvp, defvjp, primitive

ROOT = Path(__file__).resolve().parents[2]


def _line_of(fragment: str, function) -> int:
    lines, start = inspect.getsourcelines(function)
    return start + next(k for k, line in enumerate(lines) if fragment in line)


# --- seeded rule faults -----------------------------------------------------------------------


def _cube(vjp_scale: float = 1.0, jvp_scale: float = 1.0):
    @primitive
    def cube(x):
        return x ** 3

    defjvp(cube, lambda t, ans, x: jvp_scale * 3 * x ** 2 * t)
    defvjp(cube, lambda ans, x: lambda g: vjp_scale * 3 * x ** 2 * g)
    return cube


def _model(cube):
    def f(x):
        y = np.sin(x) * 2.0
        z = cube(y)  # the seeded fault lives here
        return np.sum(np.exp(z * 0.1))
    return f


@pytest.mark.parametrize("scale", [-1.0, 2.0])
def test_a_wrong_vjp_is_blamed_on_its_primitive(scale):
    f = _model(_cube(vjp_scale=scale))
    with pytest.raises(GradientCheckError) as caught:
        check_grads(f, onp.array([0.3, -0.7, 1.1]), order=1)
    first = caught.value.report.first
    assert (first.op, first.rule) == ("cube", "VJP")
    assert f"test_debugger.py:{_line_of('z = cube(y)', f)}" in first.site
    assert "blamed: the VJP rule of 'cube'" in str(caught.value)


def test_a_wrong_jvp_is_blamed_on_its_primitive():
    f = _model(_cube(jvp_scale=0.5))
    with pytest.raises(GradientCheckError, match="forward mode of f.*disagrees with finite") as caught:
        check_grads(f, onp.array([0.3, -0.7]), order=1)
    assert [(c.op, c.rule) for c in caught.value.report.failures] == [("cube", "JVP")]


def test_correct_rules_pass_at_second_order_in_float64_and_float32():
    f = _model(_cube())
    check_grads(f, onp.array([0.3, -0.7]), order=2)
    check_grads(f, onp.array([0.3, -0.7], dtype=onp.float32), order=1)
    assert not localise(f, onp.array([0.3, -0.7])).failures


def test_every_input_is_compared_with_finite_differences_and_the_other_mode():
    checks = compare_modes(lambda a, b: a * np.exp(b) + b ** 2, 1.5, -0.5)
    expected = [onp.exp(-0.5), 1.5 * onp.exp(-0.5) - 1.0]  # by hand
    assert [c.name for c in checks] == ["a", "b"]
    for check, value in zip(checks, expected):
        assert check.ok and abs(check.reverse - value) < 1e-9 and abs(check.numeric - value) < 1e-6


def test_cut_identity_holds_for_correct_rules_and_breaks_at_the_wrong_vjp():
    x = onp.array([0.3, -0.7])
    sums, defects = cut_identity(_traced(_cube(), x))
    assert onp.allclose(sums, sums[-1]) and max(abs(d) for d in defects.values()) < 1e-9
    bad = check_trace(_traced(_cube(vjp_scale=-1.0), x))
    assert {bad.names[i] for i in bad.cut_failures} == {"w4"}  # cube is the fourth node
    assert bad.status(3) == "fail" and bad.status(2) == "ok"


def _traced(cube, x):
    trace = gradviz.trace(_model(cube), x, forward=False, reverse=False)
    trace.run_forward({0: onp.array([0.4, -1.3])})
    trace.run_reverse({trace.outputs[0]: 1.0})
    return trace


# --- NaN and Inf births -------------------------------------------------------------------------

CASES = {
    # name: (function, input, op of the birth, pass of the first birth)
    "log 0": (lambda x: np.sum(np.log(x) * 2.0), onp.array([1.0, 0.0]), "log", "primal"),
    "0/0": (lambda x: np.sum((x * 0.0) / (x - 1.0) + x), onp.array([1.0, 2.0]), "divide", "primal"),
    "sqrt of a negative": (lambda x: np.sum(np.sqrt(x - 2.0) * x), onp.array([3.0, 1.0]), "sqrt", "primal"),
    "exp overflow": (lambda x: np.sum(np.exp(x * 800.0) * 0.0), onp.array([0.5, 1.0]), "exp", "primal"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_birth_is_named_not_a_later_node(case):
    function, x, op, kind = CASES[case]
    with onp.errstate(all="ignore"):
        trace = gradviz.trace(function, x)
    report = nan_birth(trace)
    assert (report.first.op, report.first.sweep) == (op, kind)
    assert {b.op for b in report.births} == {op}  # later nodes only pass it on
    assert report.passed and all(report.status(i) == "passed" for i in report.passed)


def test_masked_where_is_finite_forward_and_born_at_log_backward():
    def f(x):
        return np.sum(np.where(x > 0, np.log(x), 0.0))

    with onp.errstate(all="ignore"):
        value, gradient = gradviz.value_and_grad(f)(onp.array([0.0, 2.0]))
        trace = gradviz.trace(f, onp.array([0.0, 2.0]))
    assert onp.isfinite(value) and onp.isnan(gradient[0])
    birth = first_nonfinite(trace, "reverse")
    assert (birth.op, birth.name) == ("log", "w3") and "where" not in {b.op for b in nan_birth(trace).births}
    assert ("w̄3", "0") in [(label.split()[-1], value) for label, value in birth.inputs]


def test_debug_nans_raises_at_log_with_the_users_line_in_either_pass():
    def f(x):
        return np.sum(np.where(x > 0, np.log(x), 0.0))

    line = _line_of("np.log(x)", f)
    with onp.errstate(all="ignore"):
        for primal, kind in [(True, "primal"), (False, "reverse")]:
            with pytest.raises(NonFiniteError, match=rf"born in the {kind} pass.*'log'.*test_debugger.py:{line}"):
                with debug_nans(primal=primal):
                    gradviz.grad(f)(onp.array([0.0, 2.0]))
        with pytest.raises(NonFiniteError, match="forward pass.*'log'"):
            with debug_nans(primal=False):
                gradviz.jvp(f, (onp.array([0.0, 2.0]),), (onp.array([1.0, 0.0]),))
    assert gradviz.grad(f)(onp.array([1.0, 2.0])).tolist() == [1.0, 0.5]  # hook removed


def test_debug_nans_collects_without_stopping():
    with onp.errstate(all="ignore"), debug_nans(stop=False) as found:
        gradviz.grad(lambda x: np.sqrt(x) * 3.0)(-1.0)
    assert [(b.sweep, b.op) for b in found.births] == [("primal", "sqrt"), ("reverse", "sqrt")]


# --- health, paths, comparison, annotations -------------------------------------------------------


def test_health_flags_saturation_vanishing_and_exploding():
    trace = gradviz.trace(lambda x: np.sum(np.tanh(x * 20.0) * 1e-9), onp.array([0.5, 1.0, 0.01]))
    report = health(trace)
    tanh = next(n for n in report.nodes if n.op == "tanh")
    assert tanh.saturation == pytest.approx(2 / 3) and "saturated" in tanh.flags
    assert report.status(0) == "vanishing"  # w̄ = 2e-8·(1 − tanh²) ≪ |x|
    loud = health(gradviz.trace(lambda x: np.exp(x * 30.0), 1.0))
    assert loud.status(0) == "exploding"


def test_path_terms_sum_to_the_derivative_by_finite_differences():
    def f(x1, x2):
        w = x1 * x2
        return np.sin(w) * x1 + np.exp(x1)

    trace = gradviz.trace(f, 0.7, 1.3)
    found = paths(trace, "x1", "f")
    h = 1e-6
    numeric = (f(0.7 + h, 1.3) - f(0.7 - h, 1.3)) / (2 * h)
    assert len(found) == 3 and abs(sum(p.term for p in found) - numeric) < 1e-8
    assert abs(found[0].term) >= abs(found[1].term) >= abs(found[2].term)
    for path in found:  # each term is the product of its local partials
        assert abs(onp.prod(path.partials) - path.term) < 1e-12


def test_array_paths_sum_to_the_sum_of_the_jacobian():
    f = lambda x: np.tanh(x) * x + np.sin(x)  # noqa: E731
    x = onp.array([0.2, -0.4, 1.0])
    total = sum(p.term for p in paths(gradviz.trace(f, x), 0))
    assert abs(total - onp.sum(gradviz.jacobian(f)(x))) < 1e-12


def test_compare_traces_and_training_summary():
    loss = gradviz.grad(lambda w: np.sum(np.tanh(w * 4.0) ** 2))
    with gradviz.record() as run:
        w = onp.array([0.5, -1.0])
        for _ in range(3):
            w = w - 1.5 * loss(w)
    rows = training_summary(run.traces)
    assert [r.iteration for r in rows] == [0, 1, 2] and all(onp.isfinite(r.gradient_norm) for r in rows)
    changes = compare_traces(run.traces[0], run.traces[2], top=3)
    biggest = [max(c.value_change, c.adjoint_change or 0.0) for c in changes]
    assert len(changes) == 3 and biggest == sorted(biggest, reverse=True) and biggest[0] > 0


def test_annotations_mark_the_blamed_and_born_nodes():
    trace = _traced(_cube(vjp_scale=-1.0), onp.array([0.3, -0.7]))
    graph = annotate(trace.to_networkx(), check=check_trace(trace), health=health(trace))
    assert graph.nodes["w4"]["check"] == "fail" and graph.graph["check_failed"] == ["w4"]
    assert graph.nodes["w2"]["check"] == "ok" and graph.nodes["w1"]["adjoint_norm"] > 0


# --- the command line and the lecture demo ---------------------------------------------------------


def test_cli_exit_codes(capsys):
    assert main(["check", "log(x)*y", "--at", "x=2,y=3", "--paths", "--from", "x", "--health"]) == 0
    assert "1.5" in capsys.readouterr().out
    assert main(["check", "log(x)*y", "--at", "x=0,y=3", "--nans"]) == 1
    assert "born" in capsys.readouterr().out
    assert main(["check", "log(x", "--at", "x=1"]) == 2
    assert main(["check", "x*y", "--at", "x=1"]) == 2


def test_the_lecture_nan_demo_finds_ln_0(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["debug_nan.py", "--samples", "60", "--steps", "40", "--lr", "0.5"])
    runpy.run_path(str(ROOT / "examples" / "debug_nan.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "first non-finite at iteration" in out and "'log'" in out and "debug_nan.py:" in out
