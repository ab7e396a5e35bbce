"""Trace files written by an attacker: their text is data (no format specs, no attribute
access, no rich markup)."""

import io
import json

import pytest
from rich.console import Console
from rich.text import Text

import gradviz
import gradviz.cli
import gradviz.numpy as np
from gradviz.notation import partial_formula
from gradviz.serialize import trace_from_dict, trace_to_dict


@pytest.fixture
def lecture_data():
    return trace_to_dict(gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0))


def _cli(argv, capsys):
    code = gradviz.cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("template", ["{0:>2000}", "{0.__class__.__mro__}", "{0!r:^99}", "{ans.real}"])
def test_format_string_template_stays_as_written(lecture_data, template):
    lecture_data["nodes"][2]["partials"]["0"] = template
    loaded = trace_from_dict(lecture_data)
    assert partial_formula(loaded, 2, 0) == template


def test_format_string_template_in_the_tables(lecture_data, tmp_path, capsys):
    lecture_data["nodes"][2]["partials"]["0"] = "{0:>200000000}"
    path = tmp_path / "dos.json"
    path.write_text(json.dumps(lecture_data))
    code, out, err = _cli(["trace", str(path)], capsys)
    assert code == 0 and "{0:>200000000}" in out and len(out) < 20_000


MARKUP = ["[/]", "[link=file:///etc/passwd]x1", "[bold red]x1", "[/bold]"]


def _markup_everywhere(data, text):
    data["name"] = text
    data["input_names"] = [text, "x2"]
    data["output_names"] = [text]
    data["nodes"][2]["op"] = text
    data["nodes"][2]["site"] = text
    data["nodes"][2]["source"] = text
    for sweep in data["sweeps"]:
        sweep["label"] = text
    return data


@pytest.mark.parametrize("text", MARKUP)
@pytest.mark.parametrize("command", [["trace"], ["inspect", "--plain"]])
def test_markup_in_names_is_shown_as_written(lecture_data, tmp_path, capsys, text, command):
    path = tmp_path / "markup.json"
    path.write_text(json.dumps(_markup_everywhere(lecture_data, text)))
    code, out, err = _cli(command + [str(path)], capsys)
    assert code == 0 and err == "" and text in out


@pytest.mark.parametrize("text", MARKUP)
def test_markup_makes_no_hyperlink_or_style_on_a_terminal(lecture_data, text):
    from gradviz.inspect import make_state
    from gradviz.inspect.plain import print_run
    from gradviz.tables import trace_tables

    trace = trace_from_dict(_markup_everywhere(lecture_data, text))
    file = io.StringIO()
    console = Console(file=file, force_terminal=True, color_system="truecolor", width=200)
    console.print(trace_tables(trace))
    print_run(make_state(trace), console)
    assert "\x1b]8;" not in file.getvalue() and text in Text.from_ansi(file.getvalue()).plain
