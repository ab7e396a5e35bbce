"""Trace files written by an attacker: their text is data (no format specs, no attribute
access, no rich markup)."""

import base64
import io
import json
import pathlib

import numpy
import pytest
from rich.console import Console
from rich.text import Text

import gradviz
import gradviz.cli
import gradviz.numpy as np
from gradviz.export.notation import partial_formula
from gradviz.export.serialize import trace_from_dict, trace_to_dict

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture
def lecture_data():
    return trace_to_dict(gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0))


def _cli(argv, capsys):
    code = gradviz.cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("template", ["{0:>2000}", "{0.__class__.__mro__}", "{0!r:^99}", "{ans.real}"])
def test_format_string_template_stays_as_written(lecture_data, template):
    lecture_data["ops"][1]["partials"]["0"] = template  # multiply, node 2
    loaded = trace_from_dict(lecture_data)
    assert partial_formula(loaded, 2, 0) == template


def test_format_string_template_in_the_tables(lecture_data, tmp_path, capsys):
    lecture_data["ops"][1]["partials"]["0"] = "{0:>200000000}"
    path = tmp_path / "dos.json"
    path.write_text(json.dumps(lecture_data))
    code, out, err = _cli(["trace", str(path)], capsys)
    assert code == 0 and "{0:>200000000}" in out and len(out) < 20_000


MARKUP = ["[/]", "[link=file:///etc/passwd]x1", "[bold red]x1", "[/bold]"]


def _markup_everywhere(data, text):
    data["name"] = text
    data["input_names"] = [text, "x2"]
    data["output_names"] = [text]
    data["ops"][1]["op"] = text
    data["texts"] = [text] * len(data["texts"])  # every site and source line
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

def _column(numbers):
    return base64.b64encode(numpy.asarray(numbers, dtype="<i8").tobytes()).decode("ascii")


def _poke(data, path, value):
    """Set the place ``path`` of ``data`` to ``value``; a number inside a column (base64
    int64) is set in the column."""
    target = data
    for key in path[:-1]:
        target = target[key]
    if isinstance(target, str):  # a column: path[-1] is the element
        numbers = numpy.frombuffer(base64.b64decode(target), dtype="<i8").copy()
        numbers[path[-1]] = value
        parent = data
        for key in path[:-2]:
            parent = parent[key]
        parent[path[-2]] = _column(numbers)
    else:
        target[path[-1]] = value


# The lecture trace: nodes 0, 1 inputs; 2 = multiply(0, 1); 3 = sin(0); 4 = add(2, 3). Its
# parent entries: 0, 1 (node 2), 2 (node 3), 3, 4 (node 4).
CORRUPT = [
    (("nodes", "parent_node", 1), 999, r"nodes\.parent_node\[1\] \(node 2\): earlier node 999 does not exist"),
    (("nodes", "parent_node", 1), -1, r"nodes\.parent_node\[1\] \(node 2\): earlier node -1 does not exist"),
    (("nodes", "parent_node", 2), 3, r"nodes\.parent_node\[2\] \(node 3\): earlier node 3 does not exist \(there are earlier nodes 0 to 2\)"),
    (("nodes", "parent_arg", 0), 7, r"nodes\.parent_arg\[0\] \(node 2\): argument 7 does not exist"),
    (("nodes", "op", 3), 99, r"nodes\.op\[3\]: op 99 does not exist"),
    (("nodes", "op", 2), 0, r"nodes\[2\]: an input node has no parents"),
    (("nodes", "value", 3), 10**6, r"nodes\.value\[3\]: value 1000000 does not exist"),
    (("nodes", "value", 3), -(2**63), r"nodes\.value\[3\]: value -9223372036854775808 does not exist"),
    (("nodes", "site", 3), 50, r"nodes\.site\[3\]: text 50 does not exist"),
    (("nodes", "arg_end", 3), 0, r"nodes\.arg_end: segment ends must not decrease"),
    (("nodes", "parent_end", 4), 9, r"nodes\.parent_arg: 5 numbers; expected 9"),
    (("nodes", "value"), _column([0, 1, 2, 3]), r"nodes\.value: 4 numbers; expected 5"),
    (("nodes", "parent_node"), "%%%", r"nodes\.parent_node: not base64"),
    (("nodes", "parent_node"), "AAAA", r"nodes\.parent_node: 3 bytes is not a whole number of int64s"),
    (("nodes", "parent_node"), 5, r"nodes\.parent_node: expected text, got int"),
    (("nodes", "count"), 10**70, r"nodes\.count: a whole number from 0"),
    (("nodes", "count"), 7, r"outputs|nodes\.op: 5 numbers; expected 7"),
    (("inputs", 0), 99, r"inputs\[0\]: node 99 does not exist"),
    (("inputs", 0), 2, r"inputs\[0\]: node 2 is not an input node"),
    (("outputs", 0), -5, r"outputs\[0\]: node -5 does not exist"),
    (("outputs", 0), "4", r"outputs\[0\]: expected a node number, got str"),
    (("outputs", 0), 10**5000 // 10**4000, r"outputs\[0\]: node 100000000000… does not exist"),
    (("ops", 2, "op"), 5, r"ops\[2\]\.op: expected text, got int"),
    (("ops", 1, "differentiable"), "yes", r"ops\[1\]\.differentiable: expected true or false"),
    (("ops", 1, "partials"), {"x": "1"}, r"ops\[1\]\.partials\['x'\]: not an argument number"),
    (("texts", 1), 5, r"texts\[1\]: expected text, got int"),
    (("sweeps", 0, "steps", "node", 0), 999, r"sweeps\[0\]\.steps\.node\[0\]: node 999 does not exist"),
    (("sweeps", 0, "steps", "term_node", 0), -3, r"sweeps\[0\]\.steps\.term_node\[0\]: node -3 does not exist"),
    (("sweeps", 0, "kind"), "sideways", r"sweeps\[0\]\.kind: expected 'forward' or 'reverse'"),
    (("sweeps", 0, "results"), _column([]), r"sweeps\[0\]\.results: 0 results for 5 nodes"),
    (("sweeps", 0, "seeds", 0, 1), 10**6, r"sweeps\[0\]\.seeds\[0\]\[1\]\[0\]: value 1000000 does not exist"),
    (("pool", "dtypes", 0), "object", r"pool\.dtypes\[0\]: 'object' is not one of"),
    (("pool", "kinds", 3), 5, r"pool\.kinds\[3\]: dtype 5 does not exist"),
    (("pool", "ndims", 3), 1, r"pool\.dims: 0 numbers; expected 1"),
    (("pool", "ndims", 3), 33, r"pool\.ndims\[3\]: dimension count 33 does not exist"),
    (("pool", "offsets", 3), 10**9, r"pool\.offsets\[3\]: entry does not lie inside"),
    (("pool", "offsets", 3), -1, r"pool\.offsets\[3\]: entry does not lie inside"),
    (("pool", "data", "float64"), "%%%", r"pool\.data\.float64: not base64"),
    (("pool", "reprs"), [5], r"pool\.reprs\[0\]: expected text"),
    (("name",), ["f"], r"name: expected text, got list"),
]


@pytest.mark.parametrize("path, value, message", CORRUPT)
def test_corrupt_field_is_named(lecture_data, path, value, message):
    _poke(lecture_data, path, value)
    with pytest.raises(gradviz.errors.TraceFileError, match=message) as info:
        trace_from_dict(lecture_data)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("dims, message", [
    ([-1], r"pool\.dims\[0\]: size -1 does not exist"),
    ([10**6], r"pool\.offsets\[\d+\]: entry does not lie inside the float64 data"),
    ([20_000] * 3, r"pool\.dims \(entry \d+\): more than 200,000,000 elements"),
])
def test_corrupt_shape_is_named(dims, message):
    data = trace_to_dict(gradviz.trace(lambda x: np.sum(np.sin(x)), numpy.array([1.0, 2.0])))
    ndims = numpy.frombuffer(base64.b64decode(data["pool"]["ndims"]), dtype="<i8").copy()
    ndims[numpy.flatnonzero(ndims)[0]] = len(dims)
    data["pool"]["ndims"] = _column(ndims)
    old = numpy.frombuffer(base64.b64decode(data["pool"]["dims"]), dtype="<i8")
    data["pool"]["dims"] = _column(list(dims) + list(old[1:]))
    with pytest.raises(gradviz.errors.TraceFileError, match=message):
        trace_from_dict(data)


def _root(x):
    return np.sqrt(x) * 3.0


# A second derivative: rule 0 is sqrt's reverse rule, which recorded nodes 3 and 4.
def _second_derivative_data():
    with np.errstate(all="ignore"):
        return trace_to_dict(gradviz.trace(gradviz.grad(_root), 0.0))


CORRUPT_RULES = [
    (("rules", 0, "kind"), "sideways", r"rules\[0\]\.kind: expected 'forward' or 'reverse'"),
    (("rules", 0, "op"), 99, r"rules\[0\]\.op: op 99 does not exist"),
    (("rules", 0, "op"), 0, r"rules\[0\]\.op: an input has no derivative rule"),
    (("rules", 0, "op"), "1", r"rules\[0\]\.op: expected an op number, got str"),
    (("rules", 0, "site"), -1, r"rules\[0\]\.site: text -1 does not exist"),
    (("rules", 0, "source"), 10**30, r"rules\[0\]\.source: text 100000000000… does not exist"),
    (("rules", 0, "outer"), 0, r"rules\[0\]\.outer: expected -1"),
    (("rules", 0, "outer"), -1.0, r"rules\[0\]\.outer: expected -1"),
    (("rules", 0, "outer"), True, r"rules\[0\]\.outer: expected -1"),
    (("rules", 0), [], r"rules\[0\]: expected an object, got list"),
    (("rules",), {}, r"rules: expected a list, got dict"),
    (("nodes", "rule", 3), 1, r"nodes\.rule\[3\]: rule 1 does not exist \(-1 for none; rules 0 to 0\)"),
    (("nodes", "rule", 3), -2, r"nodes\.rule\[3\]: rule -2 does not exist"),
    (("nodes", "rule", 0), 0, r"nodes\.rule\[0\]: an input node is not recorded by a derivative rule"),
    (("nodes", "rule"), _column([-1, 0]), r"nodes\.rule: 2 numbers; expected 5"),
    (("nodes", "rule"), 7, r"nodes\.rule: expected text, got int"),
]


@pytest.mark.parametrize("path, value, message", CORRUPT_RULES)
def test_corrupt_rule_field_is_named(path, value, message):
    data = _second_derivative_data()
    _poke(data, path, value)
    with pytest.raises(gradviz.errors.TraceFileError, match=message) as info:
        trace_from_dict(data)
    assert "\n" not in str(info.value)


def test_a_rule_inside_another_names_an_earlier_one():
    with np.errstate(all="ignore"):
        data = trace_to_dict(gradviz.trace(gradviz.grad(gradviz.grad(_root)), 4.0))
    assert [rule["outer"] for rule in data["rules"]] == [-1, 0]
    trace_from_dict(json.loads(json.dumps(data)))  # loads as written
    data["rules"][1]["outer"] = 1  # itself: a cycle
    with pytest.raises(gradviz.errors.TraceFileError, match=r"rules\[1\]\.outer: expected -1 \(none\) "
                                                          r"or an earlier rule's number \(0 to 0\)"):
        trace_from_dict(data)
    del data["rules"][1]["outer"]
    with pytest.raises(gradviz.errors.TraceFileError, match=r"rules\[1\]\.outer: missing"):
        trace_from_dict(data)


def test_a_rule_column_without_rules_is_refused():
    data = _second_derivative_data()
    del data["rules"]
    with pytest.raises(gradviz.errors.TraceFileError, match=r"nodes\.rule\[3\]: rule 0 does not exist \(-1 for none; there are no rules\)"):
        trace_from_dict(data)


def test_version_2_files_still_load():
    trace = gradviz.Trace.load(DATA / "lecture-v2.json")
    assert [float(node.value) for node in trace.tape.nodes] == pytest.approx(
        [2.0, 5.0, 10.0, numpy.sin(2.0), 10 + numpy.sin(2.0)])
    assert [len(s.steps) for s in trace.sweeps] == [3, 3, 3] and trace.tape.nodes[3].op == "sin"
    assert "cos" in partial_formula(trace, 3, 0)


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
    from gradviz.export.values import encode_value

    old = json.loads((DATA / "lecture-v2.json").read_text())
    decode = trace_from_dict(old)  # the version 2 trace, to read values from
    old["version"] = 1
    del old["pool"]
    for index, entry in enumerate(old["nodes"]):
        entry["value"] = encode_value(decode.tape.nodes[index].value)
        entry["args"] = [None] * len(entry["args"])
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
_SECOND = _second_derivative_data()  # has the optional rules and nodes.rule
_RULE_PATHS = [p for p in _leaves(_SECOND) if p[:1] == ("rules",) or p[:2] == ("nodes", "rule")]


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
    _load_and_show(_mutated(_LECTURE, changes))


def _mutated(base, changes):
    """A copy of ``base`` with each ``(path, value)`` of ``changes`` set."""
    data = json.loads(json.dumps(base))
    for path, value in changes:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = json.loads(json.dumps(value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return data


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_RULE_PATHS + [("rules",), ("nodes", "rule")]),
                          st.sampled_from(NASTY)), min_size=1, max_size=3))
def test_fuzz_mutated_rules(changes):
    _load_and_show(_mutated(_SECOND, changes))


@settings(max_examples=40, deadline=None)
@given(length=st.integers(0, len(json.dumps(_LECTURE))))
def test_fuzz_truncated_trace_files(length, tmp_path_factory):
    path = tmp_path_factory.mktemp("cut") / "t.json"
    path.write_text(json.dumps(_LECTURE)[:length])
    try:
        gradviz.Trace.load(path)
    except gradviz.errors.TraceFileError as exc:
        assert "\n" not in str(exc)


def _columns(data, path=()):
    """The places of every number inside the file's columns."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _columns(value, path + (key,))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from _columns(value, path + (k,))
    elif isinstance(data, str) and path[-1] != "float64" and path[-2:-1] != ("texts",):
        try:
            count = len(base64.b64decode(data, validate=True)) // 8
        except ValueError:
            return
        for k in range(count):
            yield path + (k,)


_COLUMN_PLACES = list(_columns({k: v for k, v in _LECTURE.items() if k not in ("name", "texts")}))
_RULE_COLUMN_PLACES = list(_columns({"nodes": {"rule": _SECOND["nodes"]["rule"]}}))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_COLUMN_PLACES),
                          st.sampled_from([-(2**63), -2, -1, 0, 1, 2, 3, 4, 5, 6, 999, 2**40, 2**63 - 1])),
                min_size=1, max_size=3))
def test_fuzz_mutated_columns(changes):
    _load_and_show(_poked(_LECTURE, changes))


def _poked(base, changes):
    """A copy of ``base`` with each ``(place, number)`` of ``changes`` set in its column."""
    data = json.loads(json.dumps(base))
    for path, value in changes:
        _poke(data, path, value)
    return data


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_RULE_COLUMN_PLACES),
                          st.sampled_from([-(2**63), -2, -1, 0, 1, 2, 999, 2**63 - 1])),
                min_size=1, max_size=3))
def test_fuzz_mutated_rule_column(changes):
    _load_and_show(_poked(_SECOND, changes))
