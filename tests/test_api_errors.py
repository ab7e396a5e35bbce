"""Mistakes a user makes calling the Python API get a GradvizError that says what to do,
not a raw IndexError or TypeError from deep inside."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import grad, value_and_grad
from gradviz.errors import GradvizError


def test_an_argnum_past_the_arguments_says_how_to_call_grad():
    with pytest.raises(GradvizError, match=r"argnum=3 .* called with 1 argument: .*grad\(f\)\(3.0\)"):
        grad(lambda x: x ** 2, 3)(1.0)
    with pytest.raises(GradvizError, match="an argnum below 2"):
        value_and_grad(lambda x, y: x * y, argnum=2)(1.0, 2.0)


@pytest.mark.parametrize("call", [
    lambda path: gradviz.render(42, path),
    lambda path: gradviz.render("x*y", path),
    lambda path: gradviz.to_dot(42),
])
def test_drawing_something_that_is_not_a_trace_says_what_to_pass(call, tmp_path):
    path = tmp_path / "a.png"
    with pytest.raises(GradvizError, match="pass a gradviz.Trace"):
        call(path)
    assert not path.exists()
