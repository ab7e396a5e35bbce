"""Saving traces as JSON and reading them back."""

import json

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import TraceFileError
from gradviz.export.notation import adjoint_formula, tangent_formula


def lecture(x1, x2):
    return x1 * x2 + np.sin(x1)


def test_round_trip_keeps_nodes_values_sweeps_and_formulas(tmp_path):
    original = gradviz.trace(lecture, 2.0, 5.0)
    path = tmp_path / "lecture.json"
    original.save(path)
    loaded = gradviz.Trace.load(path)
    assert [n.op for n in loaded] == [n.op for n in original]
    assert [n.parents for n in loaded] == [n.parents for n in original]
    for a, b in zip(original.sweeps, loaded.sweeps):
        assert a.kind == b.kind and a.label == b.label
        numpy.testing.assert_array_equal([float(x) for x in a.results], [float(x) for x in b.results])
    sweep_a, sweep_b = original.reverse_sweeps[0], loaded.reverse_sweeps[0]
    assert adjoint_formula(loaded, sweep_b, 0) == adjoint_formula(original, sweep_a, 0)
    step_a, step_b = original.forward_sweeps[0].steps[0], loaded.forward_sweeps[0].steps[0]
    assert tangent_formula(loaded, loaded.forward_sweeps[0], step_b) == tangent_formula(
        original, original.forward_sweeps[0], step_a)
    assert loaded[2].site is not None and "test_serialize.py" in gradviz.engine.source.describe_site(loaded[2].site)


def test_arrays_nan_and_inf_survive_as_strict_json(tmp_path):
    x = numpy.array([1.0, 0.0, -1.0])
    with numpy.errstate(all="ignore"):
        t = gradviz.trace(lambda x: np.sum(np.log(x) * 2.0), x)
    path = tmp_path / "nan.json"
    t.save(path)
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    loaded = gradviz.Trace.load(path)
    value = loaded[1].value
    assert value.dtype == numpy.float64 and value.shape == (3,)
    assert value[0] == 0.0 and numpy.isneginf(value[1]) and numpy.isnan(value[2])


@pytest.mark.parametrize("content, message", [
    ("not json", "not valid JSON"),
    ('{"format": "something else"}', "not a gradviz trace file"),
    ('{"format": "gradviz-trace", "version": 99}', "version 99"),
    ('{"format": "gradviz-trace", "version": 1, "nodes": [{"op": "sin"}]}', "malformed trace file"),
])
def test_malformed_files_give_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(TraceFileError, match=message):
        gradviz.Trace.load(path)


def test_missing_file_gives_a_clear_error(tmp_path):
    with pytest.raises(TraceFileError, match="no trace file"):
        gradviz.Trace.load(tmp_path / "absent.json")


def test_to_networkx_schema_of_the_lecture_graph():
    graph = gradviz.trace(lecture, 2.0, 5.0).to_networkx()
    assert set(graph.nodes) == {"w1", "w2", "w3", "w4", "w5"}
    assert set(graph.edges) == {("w1", "w3"), ("w2", "w3"), ("w1", "w4"), ("w3", "w5"), ("w4", "w5")}
    assert graph.nodes["w1"]["kind"] == "input" and graph.nodes["w5"]["kind"] == "output"
    assert graph.edges["w1", "w4"]["partial"] == "cos w1"
    assert float(graph.edges["w1", "w4"]["partial_value"]) == pytest.approx(numpy.cos(2.0))
    assert float(graph.edges["w2", "w3"]["partial_value"]) == 2.0
    assert [float(t) for t in graph.nodes["w5"]["tangents"]] == pytest.approx([5 + numpy.cos(2.0), 2.0])
    assert graph.graph["forward_sweeps"] == ["seed x1", "seed x2"]
