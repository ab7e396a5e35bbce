"""``gradviz check FILE.json``: a saved trace is checked for what its file holds (where NaN/Inf
were born, the gradient health); a second derivative's NaN is blamed on sqrt, whose rule made
it, as for the live trace."""

from __future__ import annotations

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli import main


def root(x):
    y = np.sqrt(x)
    return y * 3.0


@pytest.fixture
def run(capsys):
    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def second_derivative(tmp_path):
    path = tmp_path / "second.json"
    with numpy.errstate(all="ignore"):
        gradviz.trace(gradviz.grad(root), 0.0).save(path)
    return str(path)


def test_a_saved_second_derivative_blames_sqrt(run, second_derivative):
    code, out, err = run("check", second_derivative, "--nans", "--width", "400")
    assert code == 1 and err == ""
    born = [line for line in out.splitlines() if line.startswith("born:")]
    assert born[0].startswith("born: non-finite value born in the primal pass inside sqrt's derivative "
                              "rule 1/(2√x) (its reverse rule) at test_check_saved.py:")
    assert "y = np.sqrt(x), at w4 = divide(0.5, w2) ('divide')" in born[0]
    assert "not compared again" in out


def test_a_finite_saved_trace_is_clean_and_shows_its_health(run, tmp_path):
    path = tmp_path / "clean.json"
    gradviz.trace(root, 4.0).save(path)
    code, out, err = run("check", str(path), "--health", "--width", "200")
    assert code == 0 and "no NaN or Inf anywhere" in out and "Gradient health" in out


@pytest.mark.parametrize("extra, message", [
    (["--at", "x=1"], "--at is not used with a saved trace"),
    (["--paths"], "--paths needs the live function"),
    (["--from", "x"], "--paths needs the live function"),
])
def test_what_needs_the_live_function_is_refused_in_one_line(run, second_derivative, extra, message):
    code, out, err = run("check", second_derivative, *extra)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_an_expression_still_needs_at(run):
    code, out, err = run("check", "x*y")
    assert code == 2 and "give the point with --at" in err and err.count("\n") == 1
