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
    assert "stopped in iteration 1" in out and "born at 'log'" in out


def test_inspecting_training_stops_at_an_iteration(capsys):
    code = main(["train", "moons", "--model", "mlp", "--inspect", "--plain", "--steps", "8",
                 "--break-iteration", "5"])
    out = capsys.readouterr().out
    assert code == 1 and "iteration 5 begins" in out and "iteration    6" not in out


def test_bad_options_exit_2(capsys):
    assert main(["train", "moons", "--steps", "0"]) == 2
    assert main(["train", "moons", "--lr", "-1"]) == 2
    assert main(["train", "circles"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("gradviz: error: ") for line in errors)
