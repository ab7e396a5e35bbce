"""A lean tape (``grad`` with no trace kept) lets go of the values its rules do not read.

The gradient must be exactly the one a full tape gives, for every row of the rule table:
with every array made "large", a value released by mistake would be read by a rule as a
stand-in and fail loudly.
"""

import sys
from pathlib import Path

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.engine import liveness
from gradviz.engine.tree import flatten

sys.path.insert(0, str(Path(__file__).parent.parent / "rules"))
import test_linalg_rules as linalg_cases  # noqa: E402
from test_numpy_rules import CASES, TABLE, calls_of, draw_arguments  # noqa: E402


def _scalar_of(fun, args):
    """``fun`` made scalar: each output leaf weighted by fixed random numbers and summed."""
    leaves, _ = flatten(fun(*args))
    rng = numpy.random.default_rng(0)
    weights = [rng.normal(size=numpy.shape(leaf)) for leaf in leaves]

    def scalar(*a):
        out_leaves, _ = flatten(fun(*a))
        return sum(np.sum(np.real(leaf) * w) for leaf, w in zip(out_leaves, weights))

    return scalar


def _lean_and_full_agree(fun, args, monkeypatch):
    scalar = _scalar_of(fun, args)
    for argnum in range(len(args)):
        gradient = gradviz.grad(scalar, argnum)
        with gradviz.record():  # a kept trace is never lean
            full = gradient(*args)
        monkeypatch.setattr(liveness, "LARGE", 0)  # every array counts as large
        lean = gradient(*args)
        monkeypatch.undo()
        numpy.testing.assert_allclose(lean, full, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{name}-{k}" for name, k in CASES])
def test_a_lean_tape_gives_the_gradient_of_a_full_one(name, k, monkeypatch):
    call = calls_of(name)[k]
    _lean_and_full_agree(call.fun, draw_arguments(TABLE[name], call, seed=k), monkeypatch)


@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("case", sorted(linalg_cases.CASES))
def test_a_lean_tape_gives_the_gradient_of_a_full_one_in_linalg(case, monkeypatch):
    fun, makers = linalg_cases.CASES[case]
    _lean_and_full_agree(fun, linalg_cases._inputs(makers, 1), monkeypatch)


def test_a_lean_tape_keeps_only_what_the_lecture_loss_reads():
    X = numpy.random.default_rng(0).normal(size=(5000, 2))
    y = (X[:, 0] > 0).astype(float)

    def loss(w):
        preds = 0.5 * (np.tanh(np.dot(X, w)) + 1)
        return -np.sum(np.log(preds) * y + np.log(1 - preds) * (1 - y))

    w = numpy.array([0.3, -0.2])
    from gradviz.differential import _evaluate

    tape = _evaluate(loss, (w,), {}, (0,), lean=True)[0]
    kept = [record[0].name for record in tape.records[1:]
            if type(record[4]) is numpy.ndarray and record[4].size >= liveness.LARGE]
    # tanh's adjoint reads its argument (sech² x, exact where tanh rounds to 1), not its value;
    # dot, add, log, … read neither: one large array is kept, the tanh's input.
    assert kept == []
    tanh_record = next(record for record in tape.records[1:] if record[0].name == "tanh")
    assert type(tanh_record[1][0]) is numpy.ndarray and type(tanh_record[4]) is liveness.Released
    full_tape = _evaluate(loss, (w,), {}, (0,))[0]
    assert all(type(record[4]) is not liveness.Released for record in full_tape.records)
    with gradviz.record():
        expected = gradviz.grad(loss)(w)
    numpy.testing.assert_allclose(gradviz.grad(loss)(w), expected, rtol=1e-13)


def test_rules_that_cannot_be_read_keep_everything():
    assert liveness.positions_read(numpy.multiply) is None  # a builtin
    assert liveness.positions_read(lambda g, ans, *args: g * args[0]) is None
    assert liveness.positions_read(lambda g, ans, x: g * ans) == frozenset({0, 1})

    class Rules:
        def vjp(self, g, ans, x):
            return g * x

    assert liveness.positions_read(Rules().vjp) is None  # self shifts every position


def test_a_user_primitive_on_a_lean_tape_keeps_what_its_rule_needs():
    from gradviz.extend import defvjp, primitive

    @primitive
    def soft(x):
        return numpy.log1p(numpy.exp(x))

    defvjp(soft, lambda ans, x: lambda g: g / (1 + numpy.exp(-x)))
    x = numpy.linspace(-3, 3, 3 * liveness.LARGE)
    loss = gradviz.grad(lambda x: np.sum(soft(x * 2.0) ** 2))
    with gradviz.record():
        expected = loss(x)
    numpy.testing.assert_allclose(loss(x), expected, rtol=1e-13)
    s = numpy.log1p(numpy.exp(2 * x))
    numpy.testing.assert_allclose(expected, 2 * s * 2 / (1 + numpy.exp(-2 * x)), rtol=1e-12)
