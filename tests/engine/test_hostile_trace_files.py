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


# --- the whole file is checked on load: one line naming the field -------------------------

def _set(path):
    def change(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        return target, last
    return change


CORRUPT = [
    (("nodes", 2, "parents", 0, 1), 999, r"nodes\[2\]\.parents\[0\]\[1\]: earlier node 999 does not exist"),
    (("nodes", 2, "parents", 0, 1), -1, r"nodes\[2\]\.parents\[0\]\[1\]: earlier node -1 does not exist"),
    (("nodes", 2, "parents", 0, 0), 7, r"nodes\[2\]\.parents\[0\]\[0\]: argument 7 does not exist"),
    (("nodes", 2, "parents", 0, 1), 10**5000 // 10**4000, r"earlier node 100000000000… does not exist"),
    (("inputs", 0), 99, r"inputs\[0\]: node 99 does not exist"),
    (("inputs", 0), 2, r"inputs\[0\]: node 2 is not an input node"),
    (("outputs", 0), -5, r"outputs\[0\]: node -5 does not exist"),
    (("outputs", 0), "4", r"outputs\[0\]: expected a node number, got str"),
    (("nodes", 3, "op"), 5, r"nodes\[3\]\.op: expected text, got int"),
    (("nodes", 3, "value"), 10**6, r"nodes\[3\]\.value: pool entry 1000000 does not exist"),
    (("nodes", 3, "differentiable"), "yes", r"nodes\[3\]\.differentiable: expected true or false"),
    (("sweeps", 0, "steps", 0, 0), 999, r"sweeps\[0\]\.steps\[0\]\[0\]: node 999 does not exist"),
    (("sweeps", 0, "kind"), "sideways", r"sweeps\[0\]\.kind: expected 'forward' or 'reverse'"),
    (("sweeps", 0, "results"), [], r"sweeps\[0\]\.results: 0 results for 5 nodes"),
    (("pool", "dtypes", 0), "object", r"pool\.dtypes\[0\]: 'object' is not one of"),
    (("pool", "shapes", 3), [-1], r"pool\.shapes\[3\]\[0\]: a size is a whole number"),
    (("pool", "shapes", 3), [10**6], r"pool\.offsets\[3\]: entry does not lie inside"),
    (("pool", "offsets", 3), 10**9, r"pool\.offsets\[3\]: entry does not lie inside"),
    (("pool", "data", "float64"), "%%%", r"pool\.data\.float64: not base64"),
    (("nodes", 2, "partials"), {"x": "1"}, r"nodes\[2\]\.partials\['x'\]: not an argument number"),
    (("name",), ["f"], r"name: expected text, got list"),
]


@pytest.mark.parametrize("path, value, message", CORRUPT)
def test_corrupt_field_is_named(lecture_data, path, value, message):
    target, key = _set(path)(lecture_data)
    target[key] = value
    with pytest.raises(gradviz.errors.TraceFileError, match=message) as info:
        trace_from_dict(lecture_data)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("content, message", [
    ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ('{"format": "gradviz-trace", "version": ' + "9" * 5000 + "}", "holds a number"),
    ('{"format": "gradviz-trace", "version": 1e999}', "version inf is not supported"),
])
def test_unreadable_json_is_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(gradviz.errors.TraceFileError, match=message):
        gradviz.Trace.load(path)


def test_version_1_files_still_load_and_are_checked(lecture_data):
    from gradviz.serialize import encode_value

    old = json.loads(json.dumps(lecture_data))
    decode = trace_from_dict(lecture_data)  # the version 2 trace, to read values from
    old["version"] = 1
    del old["pool"]
    for index, entry in enumerate(old["nodes"]):
        entry["value"] = encode_value(decode.tape.nodes[index].value)
        entry["partial_values"] = {k: None for k in entry["partial_values"]}
    for sweep, entry in zip(decode.sweeps, old["sweeps"]):
        entry["seeds"] = [[i, encode_value(v)] for i, v in sweep.seeds.items()]
        entry["results"] = [encode_value(r) for r in sweep.results]
        entry["steps"] = [[s.node, encode_value(s.value), [[a, p, encode_value(t)] for a, p, t in s.terms]]
                          for s in sweep.steps]
    assert float(trace_from_dict(old).tape.nodes[4].value) == pytest.approx(10.909297, 1e-6)
    old["nodes"][4]["value"] = {"dtype": "int8", "shape": [], "data": [300]}
    with pytest.raises(gradviz.errors.TraceFileError, match=r"nodes\[4\]\.value: a number does not fit in int8"):
        trace_from_dict(old)
