"""A lean tape (``grad`` with no trace kept) lets go of the values its rules do not read.

What a rule reads is declared by its row (``reads="x"``). The gradient must be exactly the
one a full tape gives, for every row of the rule tables: with every array made "large", a
value its row forgot to declare would be read by a rule as a stand-in and fail loudly.
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
import test_fft_rules as fft_cases  # noqa: E402
import test_linalg_rules as linalg_cases  # noqa: E402
import test_scipy_rules as scipy_cases  # noqa: E402
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
    kept = [record.primitive.name for record in tape.records[1:]
            if type(record.value) is numpy.ndarray and record.value.size >= liveness.LARGE]
    # tanh's adjoint reads its argument (sech² x, exact where tanh rounds to 1), not its value;
    # dot, add, log, … read neither: one large array is kept, the tanh's input.
    assert kept == []
    tanh_record = next(record for record in tape.records[1:] if record.primitive.name == "tanh")
    assert type(tanh_record.args[0]) is numpy.ndarray and type(tanh_record.value) is liveness.Released
    full_tape = _evaluate(loss, (w,), {}, (0,))[0]
    assert all(type(record.value) is not liveness.Released for record in full_tape.records)
    with gradviz.record():
        expected = gradviz.grad(loss)(w)
    numpy.testing.assert_allclose(gradviz.grad(loss)(w), expected, rtol=1e-13)


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize(("name", "kwargs", "kinds"), fft_cases.CASES,
                         ids=[f"{c[0]}{c[1]}" for c in fft_cases.CASES])
def test_a_lean_tape_gives_the_gradient_of_a_full_one_in_fft(name, kwargs, kinds, monkeypatch):
    from gradviz.rules.fft_rules import FFT_RULES

    x = numpy.random.default_rng(0).standard_normal((4, 6))
    if kinds == ("complex",):
        x = x + 1j * x[::-1]
    _lean_and_full_agree(lambda a: FFT_RULES[name](a, **kwargs), (x,), monkeypatch)


@pytest.mark.parametrize("name", sorted(scipy_cases.SPECIAL))
def test_a_lean_tape_gives_the_gradient_of_a_full_one_in_scipy(name, monkeypatch):
    domain = scipy_cases.SCIPY_RULES[name].info["domain"]
    x = scipy_cases._draw(domain, (4,), numpy.random.default_rng(0))
    _lean_and_full_agree(scipy_cases.SPECIAL[name], (x,), monkeypatch)


def _tables():
    import gradviz.scipy.special  # noqa: F401  (registers the scipy table)
    from gradviz.rules import RULES
    from gradviz.rules.fft_rules import FFT_RULES
    from gradviz.rules.linalg_rules import LINALG_RULES
    from gradviz.rules.scipy_rules import SCIPY_RULES

    return {**RULES, **FFT_RULES, **LINALG_RULES, **SCIPY_RULES}.values()


# Rows whose adjoints take any number of arguments: undeclared, so a lean tape keeps all.
VARIADIC = {"einsum", "concatenate", "stack", "array", "odeint"}


def test_every_row_declares_what_its_adjoints_read():
    undeclared = [
        f"{primitive.name}[{argnum}]"
        for primitive in _tables() if primitive.name not in VARIADIC
        for argnum in primitive.vjps
        if argnum not in primitive.info.get("read_positions", {})
    ]
    assert undeclared == []
    assert {p.name for p in _tables() if p.vjp_for is not None} == VARIADIC


def test_a_declaration_is_what_the_table_says():
    assert np.sin.info["reads"] == {0: ("x",)}
    assert np.multiply.info["reads"] == {0: ("y",), 1: ("x",)}
    assert np.exp.info["reads"] == {0: ("ans",)}
    # axis and keepdims are options: kept whatever the row names
    assert liveness.read_positions(lambda g, ans, x, axis=None: g, []) == (frozenset({3}), numpy.inf)


def test_a_declaration_naming_no_parameter_is_refused():
    from gradviz.rules import defrule

    with pytest.raises(ValueError, match=r"sin2, argument 0: reads names 'y'.*takes ans, x"):
        defrule(numpy.sin, "cos {0}", reads="y", vjp=lambda g, ans, x: g * np.cos(x),
                name="sin2", table={})


def test_a_forgotten_declaration_fails_the_matrix(monkeypatch):
    # The matrix can fail: sin declared as reading nothing gets a stand-in for x.
    monkeypatch.setitem(np.sin.info, "read_positions", {0: (frozenset(), numpy.inf)})
    monkeypatch.setattr(liveness, "LARGE", 0)
    with pytest.raises(gradviz.GradvizError, match="VJP rule of 'sin'.*Released"):
        gradviz.grad(lambda x: np.sum(np.sin(x * 2.0)))(numpy.ones(3))


def test_no_bytecode_is_read():
    sources = Path(gradviz.__file__).parent.rglob("*.py")
    assert not [p.name for p in sources if "import dis" in p.read_text() or "dis." in p.read_text()
                and "get_instructions" in p.read_text()]


def test_a_row_with_an_assignment_expression_keeps_what_it_reads():
    # Read from bytecode, CPython 3.13's STORE_FAST_LOAD_FAST hid the read of y in this rule:
    # a lean tape gave it a stand-in and grad failed (correct on 3.11). Reads are now declared,
    # and a row that declares none keeps everything.
    from gradviz.rules import defrule

    rules = (lambda g, ans, x, y: (s := g * 1.0) * y, lambda g, ans, x, y: (s := g * 1.0) * x)  # noqa: F841
    undeclared = defrule(numpy.multiply, ("{1}", "{0}"), name="mul_undeclared", table={}, vjp=rules)
    declared = defrule(numpy.multiply, ("{1}", "{0}"), name="mul_declared", table={}, vjp=rules,
                       reads=("y", "x"))
    x = numpy.linspace(-1, 1, 2 * liveness.LARGE)
    for row in (undeclared, declared):
        gradient = gradviz.grad(lambda y: np.sum(row(np.sin(x), y)))(numpy.full(x.shape, 2.0))
        numpy.testing.assert_allclose(gradient, numpy.sin(x), rtol=1e-15)


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
