"""``gradviz render`` and ``gradviz trace`` through ``gradviz.cli.main(argv)``."""

import os
import re

import pytest

LECTURE = ("x1*x2 + sin(x1)", "--at", "x1=2,x2=5")


def test_render_writes_the_file(cli, tmp_path):
    path = tmp_path / "graph.svg"
    code, out, err = cli("render", *LECTURE, "-o", str(path))
    assert code == 0 and out == ""
    assert path.read_bytes().startswith(b"<?xml")
    assert "∂w4/∂w1 = cos w1" in path.read_text(encoding="utf-8")


def test_render_without_output_prints_dot(cli):
    code, out, _ = cli("render", *LECTURE)
    assert code == 0
    assert out.startswith("digraph f {") and "∂w4/∂w1 = cos w1 = -0.4161" in out
    assert "f = x1·x2 + sin x1   at x1 = 2, x2 = 5" in out


def test_wrt_picks_the_seed(cli):
    _, out, _ = cli("render", *LECTURE, "--wrt", "x1")
    assert "(x1)" in out and "(x2)" not in out
    code, _, err = cli("render", *LECTURE, "--wrt", "y")
    assert code == 2 and "seeds are x1, x2" in err


def test_arrays(cli):
    code, out, _ = cli("render", "sum(x*x)", "--at", "x=[1,2,3]", "--mode", "reverse")
    assert code == 0 and "[1, 2, 3]" in out and "[2, 4, 6]" in out  # x and its adjoint 2x


def test_options_reach_the_picture(cli):
    _, out, _ = cli("render", *LECTURE, "--direction", "LR", "--fields", "value", "--no-legend")
    assert "rankdir=LR" in out and "legend" not in out and "∂w4" not in out


def test_trace_prints_the_lecture_tables(cli):
    code, out, _ = cli("trace", *LECTURE)
    assert code == 0
    assert "ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5" in out
    assert "w̄1 = w̄3·w2 + w̄4·cos w1" in out
    assert "Forward sweep 2 of 2 (seed x2)" in out


def test_saved_trace_renders(cli, tmp_path):
    saved = tmp_path / "trace.json"
    code, _, _ = cli("trace", *LECTURE, "-o", str(saved))
    assert code == 0 and saved.exists()
    code, out, _ = cli("render", str(saved))
    assert code == 0 and "∂w4/∂w1 = cos w1 = -0.4161" in out
    code, _, _ = cli("render", str(saved), "-o", str(tmp_path / "graph.png"))
    assert code == 0 and (tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"


def test_large_graph_options(cli):
    expression = "+".join(f"sin(x*{k})" for k in range(1, 40))
    _, out, _ = cli("render", expression, "--at", "x=0.5", "--max-nodes", "20")
    assert "nodes summarised as" in out
    _, out, _ = cli("render", expression, "--at", "x=0.5", "--focus", "w10", "--depth", "1")
    assert "focus on w10" in out


@pytest.mark.parametrize("argv, message", [
    (("render", "x.__class__", "--at", "x=1"), "attribute access is not allowed"),
    (("render", "x1*x2"), "give the point with --at"),
    (("render", "x1*x2", "--at", "x1=2"), "no value for x2"),
    (("render", "x", "--at", "x=[1,2"), "cannot read the value of x"),
    (("render", "dot(x, y)", "--at", "x=[1,2],y=[1,2,3]"), "cannot evaluate"),
    (("render", "x", "--at", "x=1", "--mode", "sideways"), "invalid choice"),
    (("render", "x", "--at", "x=1", "--focus", "w9"), "no node 'w9'"),
    (("render", "missing.json"), "no trace file"),
    (("trace", "x", "--at", "x=1", "-o", "trace.txt"), "saved as JSON"),
])
def test_bad_input_is_one_line_and_exit_2(cli, argv, message):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("gradviz: error: ") and message in err
    assert "Traceback" not in err


def test_bad_input_never_leaves_a_file(cli, tmp_path):
    target = tmp_path / "graph.svg"
    code, _, _ = cli("render", "x1*", "--at", "x1=2", "-o", str(target))
    assert code == 2 and not target.exists()
    target.write_bytes(b"old")
    code, _, _ = cli("render", *LECTURE, "-o", str(tmp_path / "graph.txt"))
    assert code == 2 and sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg"]
    code, _, _ = cli("render", *LECTURE, "--focus", "w42", "-o", str(target))
    assert code == 2 and target.read_bytes() == b"old"


@pytest.mark.parametrize("command", ["render", "trace"])
def test_help_shows_examples(cli, capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        cli(command, "--help")
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f'gradviz {command} "x1*x2 + sin(x1)" --at x1=2,x2=5' in text


def test_frames_writes_one_picture_per_step(cli, tmp_path):
    code, out, err = cli("render", *LECTURE, "--frames", str(tmp_path / "slides"),
                         "--frames-format", "png")
    assert code == 0 and out == "" and err == f"wrote 16 pictures to {tmp_path / 'slides'}\n"
    names = sorted(p.name for p in (tmp_path / "slides").iterdir())
    assert names[0] == "step-001.png" and names[-1] == "step-016.png" and len(names) == 16


def test_an_animated_gif_of_the_sweeps(cli, tmp_path):
    code, _, err = cli("render", *LECTURE, "-o", str(tmp_path / "sweeps.gif"))
    assert code == 0 and err == f"wrote {tmp_path / 'sweeps.gif'}\n"
    assert (tmp_path / "sweeps.gif").read_bytes()[:6] == b"GIF89a"


@pytest.mark.parametrize("folder, message", [
    ("afile", "it is a file, not a folder"),
    ("missing/slides", "the folder .* does not exist"),
])
def test_frames_into_a_bad_folder_is_one_line_and_writes_nothing(cli, tmp_path, folder, message):
    (tmp_path / "afile").write_text("mine")
    code, out, err = cli("render", *LECTURE, "--frames", str(tmp_path / folder))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert re.search(message, err) and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert (tmp_path / "afile").read_text() == "mine"


def test_frames_format_needs_the_folder(cli):
    code, _, err = cli("render", *LECTURE, "--frames-format", "png")
    assert code == 2 and "give the folder too" in err


@pytest.mark.parametrize("argv", [
    ("render", "log(x)*y + x/y", "--at", "x=[0,-1,2],y=0", "-o", "{}/graph.png"),
    ("render", "log(x)*y + x/y", "--at", "x=[0,-1,2],y=0", "--debug", "-o", "{}/graph.svg"),
    ("render", "tanh(x)/x", "--at", "x=0"),
    ("trace", "tanh(x)/x", "--at", "x=0"),
])
def test_nan_and_inf_give_no_numpy_warnings_after_the_output(cli, tmp_path, argv):
    """The picture and the tables show NaN and Inf in red; numpy's RuntimeWarnings (pointing
    into the engine and the rules) are not printed under them."""
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code, _, err = cli(*(part.format(tmp_path) for part in argv))
    assert code == 0
    assert [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)] == []
    assert "Warning" not in err


def test_a_layout_past_the_timeout_is_one_line_and_no_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program: the in-process worker
    expression = "+".join(f"sin(x*{k})" for k in range(1, 100))
    target = tmp_path / "sines.png"
    code, out, err = cli("render", expression, "--at", "x=0.5", "--max-nodes", "0",
                         "--timeout", "0.01", "-o", str(target))
    assert code == 2 and out == "" and not target.exists()
    assert err.count("\n") == 1 and "did not finish laying out the graph" in err
    assert "--max-nodes N" in err and "(.dot, .json, .graphml)" in err and "--timeout" in err
    code, _, err = cli("render", "x", "--at", "x=1", "--timeout", "0", "-o", str(target))
    assert code == 2 and "needs a positive number of seconds" in err


@pytest.mark.parametrize("output", [["--frames", "slides"], ["-o", "sweeps.gif"]])
def test_the_pictures_of_the_steps_keep_to_the_timeout(cli, tmp_path, monkeypatch, output):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program: the in-process worker
    monkeypatch.chdir(tmp_path)
    expression = "+".join(f"sin(x*{k})" for k in range(1, 40))
    code, out, err = cli("render", expression, "--at", "x=0.5", "--max-nodes", "0",
                         "--timeout", "0.01", *output)
    assert code == 2 and out == "" and os.listdir(tmp_path) == []
    assert err.count("\n") == 1 and "did not finish laying out the graph" in err
    assert "in 0.01 s" in err and "--timeout" in err


@pytest.mark.parametrize("argv, what", [
    (("render", *LECTURE), "the DOT source"),
    (("trace", *LECTURE), "the tables"),
    (("trace", *LECTURE, "--format", "markdown"), "the tables"),
])
def test_a_full_disk_on_standard_output_says_so(cli, monkeypatch, argv, what):
    import io
    import sys

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    code, _, err = cli(*argv)
    assert code == 2
    assert err == f"gradviz: error: cannot write {what} to standard output: No space left on device\n"
