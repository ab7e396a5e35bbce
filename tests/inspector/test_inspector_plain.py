"""Plain mode and the ``gradviz inspect`` command."""

from __future__ import annotations

import io
import sys

from rich.console import Console

from gradviz.cli import main
from gradviz.cli.expression import trace_expression
from gradviz.inspector import make_state
from gradviz.inspector.plain import print_run
from gradviz.inspector.breakpoints import NonFinite


def printed(state) -> tuple[int, str]:
    console = Console(width=120, record=True, color_system=None, file=io.StringIO())
    code = print_run(state, console)
    return code, console.export_text()


def test_plain_mode_prints_every_step_in_order():
    code, text = printed(make_state(trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")))
    assert code == 0
    rows = ["ẇ1 = 1 (seed)", "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5", "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·0 + 2·1 = 2",
            "w̄5 = 1 (seed)", "w̄1 += w̄4·cos w1 = 1·(-0.4161) = -0.4161", "w̄1 += w̄3·w2 = 1·5 = 5"]
    positions = [text.index(row) for row in rows]
    assert positions == sorted(positions)
    assert text.count("step ") == 5 + 5 + 6


def test_plain_mode_stops_at_a_breakpoint_with_code_1():
    state = make_state(trace_expression("log(1 - p) * x", "p=1,x=2"), breakpoints=[NonFinite()])
    code, text = printed(state)
    assert code == 1
    assert "stopped: w4 = -inf: a non-finite value is born at 'log'" in text
    assert "step 5 of 5" not in text  # the evaluation stopped at w4: w5's step never came


def test_the_command_prints_plain_text_when_not_a_terminal(capsys):
    assert main(["inspect", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5"]) == 0
    out = capsys.readouterr().out
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5" in out and "\x1b[" not in out


def test_the_command_stops_on_a_nan(capsys):
    assert main(["inspect", "log(1 - p)", "--at", "p=1", "--plain"]) == 1
    assert "born at 'log'" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(capsys):
    assert main(["inspect", "x1*x2"]) == 2
    assert main(["inspect", "x", "--at", "x=1", "--break-adjoint", "-1"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0] == "gradviz: error: give the point with --at, e.g. --at x1=2,x2=5"
    assert errors[1].startswith("gradviz: error: --break-adjoint needs a positive bound")


def test_gradviz_inspect_on_a_users_training_loop(capsys):
    import gradviz
    import gradviz.numpy as np

    loss_and_gradient = gradviz.value_and_grad(lambda w: np.sum((w - 3.0) ** 2))
    w = np.array([0.0, 1.0])
    with gradviz.record() as run:
        for _ in range(4):
            _loss, gradient = loss_and_gradient(w)
            w = w - 0.25 * gradient
    assert gradviz.inspect(run, plain=True) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("iteration")]
    assert [line.split()[1] for line in lines] == ["1", "2", "3", "4"]
    assert "loss 13" in lines[0] and "loss 3.25" in lines[1]


def test_importing_gradviz_loads_no_ui():
    import subprocess

    code = "import sys, gradviz; print('textual' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
