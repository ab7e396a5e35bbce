"""numpy's RuntimeWarnings raised inside a recorded operation point at the user's line, not
into the engine, and numpy's error settings are the user's again after the tape."""

import inspect
import warnings

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np


def log_shifted(x):
    return np.sum(np.log(x - 1.0))  # LOG LINE


def divided(x):
    return x / (x - x)  # DIVIDE LINE


def line_of(marker):
    lines = open(__file__, encoding="utf-8").read().splitlines()
    return 1 + lines.index(next(text for text in lines if text.endswith(f"# {marker}")))


def caught(function, *args, action="always"):
    """The RuntimeWarnings of ``function(*args)``: the forward operation's, then its VJP's."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter(action)
        function(*args)
    return [w for w in seen if issubclass(w.category, RuntimeWarning)]


def test_a_function_call_warns_at_the_users_line():
    warning = caught(gradviz.grad(log_shifted), onp.array([1.0, 2.0]))[0]
    assert (warning.filename, warning.lineno) == (__file__, line_of("LOG LINE"))
    assert str(warning.message) == "divide by zero encountered in log"


def test_an_operator_warns_at_the_users_line():
    warning = caught(gradviz.value_and_grad(divided), 1.0)[0]
    assert (warning.filename, warning.lineno) == (__file__, line_of("DIVIDE LINE"))
    assert "divide by zero encountered" in str(warning.message)


def test_the_same_operation_on_two_lines_warns_twice_by_default():
    def two_logs(x):
        first = np.log(x)
        second = np.log(x * 2.0)
        return first + second

    seen = caught(gradviz.grad(two_logs), 0.0, action="default")
    start = inspect.getsourcelines(two_logs)[1]
    assert sorted(w.lineno for w in seen
                  if "in log" in str(w.message)) == [start + 1, start + 2]


def test_second_order_warns_at_the_users_line():
    seen = caught(gradviz.grad(gradviz.grad(lambda x: log_shifted(x))), 1.0)
    assert (seen[0].filename, seen[0].lineno) == (__file__, line_of("LOG LINE"))


def test_a_warnings_filter_of_error_raises():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning, match="divide by zero encountered in log"):
            gradviz.grad(log_shifted)(onp.array([1.0, 2.0]))


def test_the_users_numpy_error_settings_are_kept():
    before = onp.geterr()
    with onp.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            gradviz.grad(log_shifted)(onp.array([1.0, 2.0]))
    with onp.errstate(all="ignore"):
        assert caught(gradviz.grad(log_shifted), onp.array([1.0, 2.0])) == []
    calls = []
    with onp.errstate(divide="call", call=lambda kind, flag: calls.append(kind)):
        assert caught(gradviz.grad(log_shifted), onp.array([1.0, 2.0])) == []
    assert calls and set(calls) == {"divide by zero"}  # the forward log and its VJP
    gradviz.grad(log_shifted)(onp.array([2.0, 3.0]))
    assert onp.geterr() == before and onp.geterrcall() is None


def rooted(x):
    return np.sqrt(x) * 3.0  # SQRT LINE


@pytest.mark.parametrize("differentiate", [gradviz.grad, lambda f: lambda x: gradviz.jvp(f, (x,), (1.0,))],
                         ids=["reverse", "forward"])
def test_a_rules_warning_in_a_sweep_points_at_the_line_that_made_the_node(differentiate):
    """sqrt(0) is fine, its derivative 0.5/sqrt(0) is not: numpy warns inside the rule, and
    the warning names the user's line and the operation, not a file of gradviz.rules."""
    seen = caught(differentiate(rooted), 0.0)
    assert [(w.filename, w.lineno) for w in seen] == [(__file__, line_of("SQRT LINE"))]
    assert "encountered in the derivative of sqrt" in str(seen[0].message)


def test_the_rules_warnings_follow_the_users_filters():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # as an error, it is the rule's failure, said at the node and the user's line
        with pytest.raises(gradviz.GradvizError, match="SQRT LINE.*the derivative of sqrt"):
            gradviz.grad(rooted)(0.0)
    with onp.errstate(invalid="ignore", divide="ignore"):
        assert caught(gradviz.grad(rooted), 0.0) == []
