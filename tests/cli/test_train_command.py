"""``gradviz train moons``: summary, plots, the inspector in plain mode, bad options."""

from __future__ import annotations

import sys

from gradviz.cli import main


def test_training_prints_a_summary(capsys):
    assert main(["train", "moons", "--steps", "20", "--samples", "200"]) == 0
    out = capsys.readouterr().out
    assert "moons · logistic · 20 steps at lr 0.001" in out
    assert "accuracy" in out and "% of 200 samples" in out


def test_plot_writes_the_lecture_figures(tmp_path, capsys):
    path = tmp_path / "moons.png"
    assert main(["train", "moons", "--steps", "5", "--samples", "100", "--plot", str(path)]) == 0
    assert path.read_bytes().startswith(b"\x89PNG")


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["train", "moons", "--plot", str(tmp_path / "x.png")]) == 2
    assert "pip install 'gradviz[plot]'" in capsys.readouterr().err


def test_inspecting_training_in_plain_mode_stops_at_the_nan(capsys):
    code = main(["train", "moons", "--inspect", "--lr", "0.1", "--steps", "20"])
    out = capsys.readouterr().out
    assert code == 1
    assert "stopped in iteration 2" in out and "born at 'log'" in out


def test_inspecting_training_stops_at_an_iteration(capsys):
    code = main(["train", "moons", "--model", "mlp", "--inspect", "--plain", "--steps", "8",
                 "--break-iteration", "5"])
    out = capsys.readouterr().out
    assert code == 1 and "iteration 5 begins" in out and "iteration    6" not in out
    assert "iteration    5" in out


def test_bad_options_exit_2(capsys):
    assert main(["train", "moons", "--steps", "0"]) == 2
    assert main(["train", "moons", "--lr", "-1"]) == 2
    assert main(["train", "circles"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("gradviz: error: ") for line in errors)


def test_health_prints_one_row_per_iteration(capsys):
    assert main(["train", "moons", "--model", "mlp", "--steps", "6", "--samples", "100",
                 "--lr", "0.003", "--health"]) == 0
    out = capsys.readouterr().out
    assert "gradient health per iteration" in out and "max sat" in out
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│ ")
            and line.split("│")[1].strip().isdigit()]
    assert rows == ["1", "2", "3", "4", "5", "6"]


def test_a_long_run_prints_every_kth_iteration_and_the_first_nonfinite(capsys):
    assert main(["train", "moons", "--steps", "60", "--lr", "0.1", "--health", "--keep-going"]) == 1
    out = capsys.readouterr().out
    assert "(every 3 iterations)" in out
    assert "│    1 │ 506.872 │" in out and "│    2 │     nan │" in out and "│   60 │" in out


def test_the_first_nonfinite_iteration_and_node_are_named(capsys):
    """The lecture's "what is ln(0)?": at lr 0.1 the first step saturates the tanh."""
    code = main(["train", "moons", "--lr", "0.1", "--steps", "5"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "stopped at iteration 2 of 5" in out and "n/a (nan) at iteration 2" in out
    assert "weights │ [-1.773, -25.45]" in out
    assert "first non-finite at iteration 2: loss = nan" in out
    assert "non-finite value born in the primal pass at w6 = log(w5) ('log') at moons.py" in out
    assert "born in the reverse pass at w9 = log(w8)" in out
    assert "a tanh is saturated on 81% of its inputs" in out


def test_the_nonfinite_report_is_nan_births(monkeypatch, capsys):
    from gradviz.debug import nans

    seen = []
    original = nans.nan_birth
    monkeypatch.setattr(nans, "nan_birth", lambda trace: seen.append(trace) or original(trace))
    assert main(["train", "moons", "--lr", "0.1", "--steps", "5"]) == 1
    assert len(seen) == 1  # once, on the first non-finite iteration only


def test_a_break_op_the_model_does_not_use_is_refused_with_its_operations(capsys):
    code = main(["train", "moons", "--inspect", "--plain", "--steps", "3", "--break-op", "frob"])
    err = capsys.readouterr().err
    assert code == 2 and "--break-op frob would never stop: the logistic model's operations" in err
    assert "log" in err.split("operations are ")[1] and "Traceback" not in err
    code = main(["train", "moons", "--model", "mlp", "--inspect", "--plain", "--steps", "3",
                 "--break-op", "tanh"])
    assert code == 1 and "tanh" in capsys.readouterr().out  # one the model uses stops there
