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
from gradviz.export.notation import partial_formula
from gradviz.export.serialize import trace_from_dict, trace_to_dict


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
    from gradviz.inspector import make_state
    from gradviz.inspector.plain import print_run
    from gradviz.export.tables import trace_tables

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
    from gradviz.export.serialize import encode_value

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


# --- saved traces cannot be re-checked; the inspector reads keys only from a terminal ------

def test_check_on_a_saved_trace_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "t.json"
    gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0).save(path)
    for argv in (["render", str(path), "--check", "-o", str(tmp_path / "c.svg")],
                 ["render", str(path), "--debug", "-o", str(tmp_path / "c.svg")],
                 ["inspect", str(path), "--break-check", "--plain"]):
        code, out, err = _cli(argv, capsys)
        assert code == 2 and "needs the live function" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "c.svg").exists()


@pytest.mark.parametrize("stdin", [io.StringIO("q\n"), None, "closed"])
def test_inspector_is_plain_when_stdin_is_not_a_terminal(lecture_data, monkeypatch, stdin):
    import sys

    import gradviz.inspector.app
    import gradviz.inspector.plain

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    if stdin == "closed":
        stdin = io.StringIO()
        stdin.close()
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(gradviz.inspector.app, "InspectorApp", None)  # the app would fail
    shown = []
    monkeypatch.setattr(gradviz.inspector.plain, "print_run", lambda state: shown.append(state) or 0)
    assert gradviz.inspect(trace_from_dict(lecture_data)) == 0 and len(shown) == 1


# --- fuzz: trace files made from a valid one by mutation -----------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

NASTY = [None, True, -1, 999, 2**70, -(2**63), 1e308, float("inf"), "nan", "", "[/]",
         "[link=file:///etc/passwd]x", "{0:>999999999}", "{0.__class__}", "{ans!r:^99}",
         [], {}, [[[[[]]]]], [-1, -1], [0, 999], {"repr": 5}, {"dtype": "int8", "shape": [], "data": [300]},
         "x" * 2000]


def _leaves(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for k, value in enumerate(data[:6]):
            yield from _leaves(value, path + (k,))


_LECTURE = trace_to_dict(gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0))
_PATHS = [p for p in _leaves(_LECTURE) if p]


def _load_and_show(data):
    """Load and, when it loads, draw and print everything: only TraceFileError may escape."""
    from gradviz.inspector import make_state
    from gradviz.inspector.plain import print_run
    from gradviz.renderer.dot import to_dot
    from gradviz.export.tables import trace_tables

    try:
        trace = trace_from_dict(data)
    except gradviz.errors.TraceFileError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600
        return
    console = Console(file=io.StringIO(), width=120)
    console.print(trace_tables(trace))
    print_run(make_state(trace), console)
    to_dot(trace)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PATHS), st.sampled_from(NASTY)), min_size=1, max_size=3))
def test_fuzz_mutated_trace_files(changes):
    data = json.loads(json.dumps(_LECTURE))
    for path, value in changes:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = json.loads(json.dumps(value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    _load_and_show(data)


@settings(max_examples=40, deadline=None)
@given(length=st.integers(0, len(json.dumps(_LECTURE))))
def test_fuzz_truncated_trace_files(length, tmp_path_factory):
    path = tmp_path_factory.mktemp("cut") / "t.json"
    path.write_text(json.dumps(_LECTURE)[:length])
    try:
        gradviz.Trace.load(path)
    except gradviz.errors.TraceFileError as exc:
        assert "\n" not in str(exc)
