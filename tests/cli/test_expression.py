"""Expressions are parsed, never evaluated: bounds, messages, and a fuzz of the command line."""

import builtins
import math
import re
import contextlib
import io
import time
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

import gradviz.cli
import gradviz.numpy as gnp
from gradviz.errors import ExpressionError
from gradviz.cli.expression import (FUNCTIONS, MAX_DEPTH, MAX_LENGTH, parse, parse_bindings,
                                trace_expression)


def test_every_listed_function_exists_and_traces():
    for name in FUNCTIONS:
        assert callable(getattr(gnp, name)), name
    assert trace_expression("sin(x) + cos(x) * tanh(x)", "x=0.5").nodes[-1].op == "add"


@pytest.mark.parametrize("text, message, column", [
    ("x.__class__", "attribute access is not allowed", 0),
    ("__import__('os')", "unknown function '__import__'", 0),
    ("__x + 1", "name '__x' is not allowed", 0),
    ("x + (lambda: 1)()", "a lambda cannot be called", 5),
    ("[x for x in y]", "a comprehension is not allowed", 0),
    ("x[0]", "subscripting is not allowed", 0),
    ("sin(x, out=y)", "keyword arguments are not allowed", 11),
    ("x + 'a'", "only numbers are allowed", 4),
    ("open(x)", "unknown function 'open'", 0),
    ("x < y", "a comparison is not allowed", 0),
    ("9**9**9 + x", "nested constant powers", 3),
    ("x ** 1000", "constant exponent 1000 is too large", 5),
    ("x ＋ 1", "character '＋' at column 3 is not allowed", 2),
    ("x +\x00 1", "character U+0000 at column 4 is not allowed", None),
    ("sin", "sin is a function", 0),
])
def test_rejected_with_a_caret(text, message, column):
    with pytest.raises(ExpressionError, match=re.escape(message)) as info:
        parse(text)
    lines = str(info.value).splitlines()
    if column is not None:
        assert lines[-1] == "  " + " " * column + "^", str(info.value)


def test_constant_towers_do_not_hang():
    start = time.perf_counter()
    for text in ("9**9**9", "(9**9)**9 + x", "x**x**x**x**x", "exp(exp(exp(x)))", "(99**64)**64*x"):
        try:
            trace_expression(text, "x=3") if "x" in text else parse(text)
        except ExpressionError:
            pass
    assert time.perf_counter() - start < 2


def test_length_and_depth_are_bounded():
    with pytest.raises(ExpressionError, match="characters long"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(ExpressionError, match="nests too deeply"):
        parse("(" * (MAX_DEPTH * 5) + "x" + ")" * (MAX_DEPTH * 5))
    with pytest.raises(ExpressionError, match="nests too deeply"):
        parse("-" * 500 + "x")
    with pytest.raises(ExpressionError, match="nests too deeply"):
        parse("sin(" * 60 + "x" + ")" * 60)


def test_a_flat_sum_of_a_thousand_terms_is_one_level_of_nesting():
    text = " + ".join(f"sin(x*{k})" for k in range(1, 1001))
    trace = trace_expression(text, "x=0.5")
    assert len(trace) == 1 + 1000 + 1000 + 999 and trace.nodes[-1].op == "add"
    expected = sum(math.sin(0.5 * k) for k in range(1, 1001))
    assert float(trace.nodes[-1].value) == pytest.approx(expected)
    assert parse("a - b + c*d/f*g - h").variables == ["a", "b", "c", "d", "f", "g", "h"]


def test_real_nesting_is_still_refused():
    # Right-nested products and parenthesised sums are real nesting, each level a pair of
    # parentheses the reader has to match.
    for text in ("x*(" * 41 + "x" + ")" * 41, "(" * 41 + "x+1" + ")*x" * 41):
        with pytest.raises(ExpressionError, match="nests too deeply"):
            parse(text)
    assert parse("x*(" * 39 + "x" + ")" * 39).variables == ["x"]


def test_memory_is_bounded_before_numpy_allocates():
    big = "[" + ",".join(["1"] * 5000) + "]"
    with pytest.raises(ExpressionError, match="more than 2,000,000 numbers"):
        trace_expression("sum(outer(x, x))", f"x={big}")
    with pytest.raises(ExpressionError, match="characters long"):
        parse_bindings("x=[" + "1," * 150_000 + "1]")


def test_numpy_failures_become_one_line_errors():
    with pytest.raises(ExpressionError, match=r"cannot evaluate 'dot\(x, y\)': ValueError"):
        trace_expression("dot(x, y)", "x=[1,2],y=[1,2,3]")
    with pytest.raises(ExpressionError, match="does not give a differentiable"):
        trace_expression("floor(x)", "x=1.5")


# --- the command line, fuzzed --------------------------------------------------------------

HOSTILE = [
    "__import__('pathlib').Path('EXECUTED').touch()",
    "open('EXECUTED', 'w')",
    "(lambda: __import__('os').system('touch EXECUTED'))()",
    "x.__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "exec('import os')", "eval('1')", "globals()", "x if x else x", "f'{x}'", "x := 1",
    "9**9**9", "10**10**10**10", "(" * 500, ")" * 500, "x" * 5000, "\x00", "\ud800", "x\n+1",
    "sin(" * 200 + "x" + ")" * 200, "-" * 3000 + "x", "1e999999 * x", "x @ x @ x", "*x", "**x",
    "sum(x, axis=0)", "x[::-1]", "{x}", "{x: x}", "`x`", "x; import os", "\\", "#", "",
]
TOKENS = ["x", "y", "1", "9", "2.5", "(", ")", "+", "-", "*", "/", "**", "@", ",", "sin", "dot",
          "outer", "sum", "__import__", ".", "'", "[", "]", "lambda", ":", "=", "os", "1e308",
          " ", "pi", "where", "clip"]


def _run(text: str, *, guard: bool = True) -> tuple[int, str, str]:
    """Run ``gradviz render TEXT``; with ``guard``, any call of eval or exec fails the test."""
    out, err = io.StringIO(), io.StringIO()
    guards = [mock.patch.object(builtins, name, side_effect=AssertionError(f"{name} called"))
              for name in ("eval", "exec")] if guard else []
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        stack.enter_context(mock.patch.object(gradviz.cli, "_COMMAND_MODULES",
                                              {"render": gradviz.cli._COMMAND_MODULES["render"]}))
        for patch in guards:
            stack.enter_context(patch)
        code = gradviz.cli.main(["render", text, "--at", "x=1.5,y=[1,2]"])
    return code, out.getvalue(), err.getvalue()


# Importing a module runs exec(): import everything a render uses before guarding.
_run("sum(x*y) + sin(x)", guard=False)
_run("x.y", guard=False)


def _check(text: str, directory) -> None:
    code, out, err = _run(text)  # any exception, AssertionError included, fails the test
    assert code in (0, 2), (text, code)
    if code == 2:
        assert err.startswith("gradviz: error: ") and len(err.splitlines()[0]) > len("gradviz: error: ")
        assert out == "" and "Traceback" not in err
    assert not (directory / "EXECUTED").exists()


@pytest.fixture(autouse=True)
def _in_empty_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_refused(text, tmp_path):
    _check(text, tmp_path)
    assert _run(text)[0] == 2


@settings(max_examples=60)
@given(st.text(max_size=60))
def test_fuzz_random_text(text):
    import pathlib

    _check(text, pathlib.Path.cwd())


@settings(max_examples=60)
@given(st.lists(st.sampled_from(TOKENS + HOSTILE[:6]), max_size=25))
def test_fuzz_token_soup(tokens):
    import pathlib

    _check("".join(tokens), pathlib.Path.cwd())


# --- expressions cannot write into their inputs (numpy's positional ``out``) --------------

@pytest.mark.parametrize("text, message", [
    ("x + floor(x, x)", "floor() takes one argument, got 2"),
    ("clip(x, 0, 1, y)", "clip() takes three arguments, got 4"),
    ("sin(x, y)", "sin() takes one argument, got 2"),
    ("maximum(x, y, y)", "maximum() takes two arguments, got 3"),
    ("sum(x, 0, y)", "sum() takes one or two arguments, got 3"),
    ("sum(x, y)", "the axis of sum() is an integer"),
    ("mean(x, 0.5)", "the axis of mean() is an integer"),
    ("where(x, y)", "where() takes three arguments, got 2"),
    ("sin()", "sin() takes one argument, got 0"),
])
def test_arity_out_argument_is_refused(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse(text)


def test_every_function_has_a_signature():
    from gradviz.cli.expression import SIGNATURES

    assert sorted(SIGNATURES) == sorted(FUNCTIONS)


def test_out_argument_leaves_the_callers_arrays_alone():
    import numpy

    x, y = numpy.array([1.5, 2.5]), numpy.array([5.0, 6.0])
    with pytest.raises(ExpressionError):
        trace_expression("sin(x, y)", {"x": x, "y": y})
    assert y.tolist() == [5.0, 6.0]
    t = trace_expression("sum(x * y)", {"x": x, "y": y})
    assert t.tape.nodes[0].value is not x and not t.tape.nodes[0].value.flags.writeable
    assert x.flags.writeable and x.tolist() == [1.5, 2.5]


def test_out_argument_through_the_command_line_exits_2():
    code, out, err = _run("x + floor(y, y)")
    assert code == 2 and "floor() takes one argument" in err


def test_axis_is_an_integer_constant():
    t = trace_expression("sum(x, 0) + mean(x, -1)", "x=[[1,2],[3,4]]")
    assert t.tape.nodes[t.outputs[0]].value.tolist() == [5.5, 9.5]


# --- error messages are one line and never a traceback ------------------------------------

def test_syntax_warning_does_not_leak():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionError):
            parse("x*8if")
        with pytest.raises(ExpressionError):
            parse_bindings("x=8if")
    assert [str(w.message) for w in caught] == []


def test_huge_integer_binding_is_a_clean_error():
    with pytest.raises(ExpressionError, match="too large for a float"):
        parse_bindings("x=" + "9" * 400)
    with pytest.raises(ExpressionError, match="too large for a float"):
        parse_bindings("x=[1, " + "9" * 400 + "]")


@pytest.mark.parametrize("value", ["[]", "[[]]", "[[], []]"])
def test_an_empty_binding_is_refused(value):
    # it has no element to seed: trace printed nothing and exited 0
    with pytest.raises(ExpressionError, match="the value of x is empty: give it at least one "
                       r"number, e.g. x=\[1, 2\]"):
        parse_bindings("x=" + value)
    code = gradviz.cli.main(["trace", "x*2", "--at", "x=" + value])
    assert code == 2


AT_TOKENS = ["x=", "y=", "1", "9" * 400, "[", "]", ",", "-", "e", "1e999", "nan", "inf", "8if",
             ".", "pi", " ", "2.5", "=", "[/]", "{0:>9}", "0x1f", "_"]


@settings(max_examples=60)
@given(st.lists(st.sampled_from(AT_TOKENS), min_size=1, max_size=20))
def test_fuzz_at_values(tokens):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = gradviz.cli.main(["render", "x*y + sin(x)", "--at", "".join(tokens)])
    assert code in (0, 2) and "Traceback" not in err.getvalue()
    if code == 2:
        assert len(err.getvalue().splitlines()) <= 3  # the message, and a caret under it
