"""The whole ``gradviz`` command through ``gradviz.cli.main(argv)``: options that stand
anywhere, expressions that start with a minus, repeated options, outputs checked before any
work, and one error line with one prefix."""

from __future__ import annotations

import pytest

from gradviz.cli import main

LECTURE = ("x1*x2 + sin(x1)", "--at", "x1=2,x2=5")


@pytest.fixture
def cli(capsys):
    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_traceback_is_accepted_after_the_sub_command(cli):
    with pytest.raises(Exception, match="no value for x2"):
        cli("trace", "x1*x2", "--at", "x1=2", "--traceback")
    code, out, _ = cli("trace", *LECTURE, "--traceback")
    assert code == 0 and "w̄1" in out


def test_an_expression_that_starts_with_a_minus_is_read(cli):
    code, out, _ = cli("trace", "-log(p)*t", "--at", "p=0.5,t=1")
    assert code == 0 and "log w1" in out
    code, out, _ = cli("trace", "--at", "x=1", "--", "-x")
    assert code == 0 and "w2 = -w1" in out


@pytest.mark.parametrize("command", ["render", "trace", "inspect", "check"])
def test_a_bare_minus_expression_says_to_put_it_after_the_double_dash(cli, command):
    code, _, err = cli(command, "-x", "--at", "x=1")
    assert code == 2 and "after the options and '--'" in err
    assert f"e.g. gradviz {command} --at x=1 -- -x" in err
    assert err.count("\n") == 1
    if command != "check":  # (check's --at is required: it says that --at is missing)
        # '--' first: the options after it are left over, and the example says where they go
        code, _, err = cli(command, "--", "-x", "--at", "x=1")
        assert code == 2 and f"e.g. gradviz {command} --at x=1 -- -x" in err


def test_repeated_at_options_are_merged(cli):
    code, out, _ = cli("trace", "x*y", "--at", "x=3", "--at", "y=5")
    assert code == 0 and "w̄1 = w̄3·w2 = 1·5 = 5" in out and "w̄2 = w̄3·w1 = 1·3 = 3" in out
    code, _, err = cli("trace", "x*y", "--at", "x=3,y=5", "--at", "y=6")
    assert code == 2 and "'y' is given twice" in err


@pytest.mark.parametrize("command", ["render", "trace", "inspect", "check"])
def test_every_command_merges_repeated_at_options(cli, command, tmp_path):
    output = ["-o", str(tmp_path / "g.dot")] if command == "render" else []
    output += ["--plain"] if command == "inspect" else []
    code, _, err = cli(command, "x*y", "--at", "x=3", "--at", "y=5", *output)
    assert code == 0, err


def test_at_takes_the_constants_expressions_know(cli):
    code, out, _ = cli("trace", "2*x", "--at", "x=pi")
    assert code == 0 and "6.283" in out
    code, out, _ = cli("trace", "x", "--at", "x=[pi, -e]")
    assert code == 0 and "3.142" in out and "-2.718" in out


def test_breakpoints_that_never_fire_on_an_expression_are_refused(cli):
    code, _, err = cli("inspect", *LECTURE, "--plain", "--break-op", "frob")
    assert code == 2 and "--break-op frob would never stop" in err
    assert "add, multiply, sin" in err
    code, _, err = cli("inspect", *LECTURE, "--plain", "--break-iteration", "3")
    assert code == 2 and "--break-iteration is for training runs" in err
    code, out, _ = cli("inspect", *LECTURE, "--plain", "--break-op", "sin")
    assert code == 1 and "is a 'sin'" in out


def test_inspect_refuses_at_with_a_saved_trace(cli, tmp_path):
    path = tmp_path / "t.json"
    assert cli("trace", *LECTURE, "-o", str(path))[0] == 0
    code, _, err = cli("inspect", str(path), "--at", "x1=1")
    assert code == 2 and "--at is not used with a saved trace" in err
    assert cli("inspect", str(path), "--plain")[0] == 0


@pytest.mark.parametrize("argv, message", [
    (("render", *LECTURE, "--max-nodes", "-5"), "--max-nodes: needs a whole number of at least 0"),
    (("render", *LECTURE, "--depth", "-1"), "--depth: needs a whole number of at least 0"),
    (("render", *LECTURE, "-o", ""), "-o needs a file name"),
    (("render", *LECTURE, "-o", "."), "-o '.' is a directory"),
    (("trace", *LECTURE, "-o", "."), "-o '.' is a directory"),
    (("render", *LECTURE, "-o", "/nonexistent/g.svg"), "the folder /nonexistent does not exist"),
    (("train", "moons", "--steps", "-3"), "--steps: needs a whole number of at least 1"),
    (("train", "moons", "--plot", "/nonexistent/x.png"), "the folder /nonexistent does not exist"),
    (("train", "moons", "--break-iteration", "0"), "at least 1"),
    (("frobnicate",), "invalid choice"),
])
def test_bad_input_is_one_line_with_one_prefix(cli, argv, message):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("gradviz: error: ") and message in err
    assert "error: gradviz" not in err and err.count("\n") == 1


def test_a_bad_plot_path_fails_before_training(cli, monkeypatch):
    import gradviz.train.moons

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking the outputs")

    monkeypatch.setattr(gradviz.train.moons, "train", no_training)
    code, _, err = cli("train", "moons", "--plot", "/nonexistent/x.png")
    assert code == 2 and "/nonexistent" in err


def test_the_help_lists_each_command_with_its_modules_own_summary():
    from gradviz.cli import COMMANDS, build_parser

    commands = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    summaries = {choice.dest: choice.help for choice in commands._choices_actions}
    assert summaries == {name: summary for name, (_module, summary) in COMMANDS.items()}


def test_gradviz_help_imports_no_command(capsys):
    import subprocess
    import sys

    code = ("import sys; from gradviz.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m in ('gradviz.cli.render', 'gradviz.cli.inspect',"
            " 'gradviz.cli.check', 'gradviz.cli.expression', 'networkx', 'numpy', 'rich',"
            " 'textual', 'gradviz.numpy', 'gradviz.debug')))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "render" in shown.stdout and "check" in shown.stdout
    assert shown.stdout.strip().splitlines()[-1] == "[]"


def test_the_public_names_load_on_first_use_and_mean_what_they_did():
    """``import gradviz`` imports nothing heavy; the first public name loads the whole API."""
    import subprocess
    import sys

    code = ("import sys, gradviz\n"
            "print('numpy' in sys.modules)\n"
            "from gradviz import grad, tuple as gtuple\n"
            "import gradviz.numpy as np, gradviz.builtins, gradviz.engine.containers as c\n"
            "print(grad(lambda x: np.sin(x) * x)(0.0), gtuple is gradviz.builtins.tuple,"
            " c.to_array is np.array, gradviz.Trace.__name__, gradviz.check_grads.__name__)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "0.0", "True", "True", "Trace", "check_grads"]


@pytest.mark.parametrize("command", ["render", "trace", "inspect"])
def test_a_file_that_is_not_a_trace_is_named_as_such(cli, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graph.png").write_bytes(b"\x89PNG\r\n")
    for given, kind in (("graph.png", "a file"), (str(tmp_path), "a folder")):
        code, out, err = cli(command, given)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert f"{given} is {kind}, not a saved trace: traces are read from .json" in err
    code, _, err = cli(command, "x1*x2")  # not a file: the point is what is missing
    assert code == 2 and "give the point with --at" in err


def test_check_refuses_a_wrong_path_before_printing_anything(cli):
    code, out, err = cli("check", "x*y", "--at", "x=1,y=2", "--paths", "--from", "w9")
    assert code == 2 and out == "" and err.count("\n") == 1 and "no node or name 'w9'" in err
    code, out, err = cli("check", "x*y", "--at", "x=1,y=2", "--from", "y")  # without --paths
    assert code == 2 and out == "" and "add --paths" in err
    code, out, _ = cli("check", "x*y", "--at", "x=1,y=2", "--paths", "--from", "y")
    assert code == 0 and "│ w2 → w3 │ 1 " in out


@pytest.mark.parametrize("command", ["render", "trace"])
def test_an_unknown_wrt_is_named_as_written(cli, command):
    code, out, err = cli(command, *LECTURE, "--wrt", "z")
    assert code == 2 and out == ""
    assert err == "gradviz: error: no forward sweep is seeded on z: the seeds are x1, x2\n"
    code, _, err = cli(command, *LECTURE, "--wrt", ",")
    assert code == 2 and "seeded on no name: the seeds are x1, x2" in err
    code, out, err = cli(command, *LECTURE, "--wrt", "x1,z")  # one good name does not hide the other
    assert code == 2 and out == ""
    assert err == "gradviz: error: no forward sweep is seeded on z: the seeds are x1, x2\n"


@pytest.mark.parametrize("name", ["graph", "graph.txt", "graph."])
def test_an_output_of_no_format_is_refused_in_the_command_s_terms(cli, tmp_path, name):
    target = tmp_path / name
    code, out, err = cli("render", *LECTURE, "-o", str(target))
    assert code == 2 and out == "" and not target.exists() and err.count("\n") == 1
    assert "cannot tell the format of" in err and "end the name with .svg, .png" in err
    assert "format=" not in err  # a Python argument, not an option of the command

