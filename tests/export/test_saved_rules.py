"""A saved trace keeps which derivative rule recorded each node (a higher-order derivative),
so that a NaN born inside sqrt's rule is still blamed on sqrt once the trace is loaded back."""

import json

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.debug import nan_birth
from gradviz.debug.nans import rule_origin
from gradviz.export.serialize import trace_to_dict


def root(x):
    y = np.sqrt(x)  # the line to blame
    return y * 3.0


def _saved_and_loaded(trace, tmp_path):
    path = tmp_path / "trace.json"
    trace.save(path)
    return gradviz.Trace.load(path)


def test_a_loaded_second_derivative_blames_sqrt_not_the_divide_in_its_rule(tmp_path):
    with np.errstate(all="ignore"):
        live = gradviz.trace(gradviz.grad(root), 0.0)
    loaded = _saved_and_loaded(live, tmp_path)
    first = nan_birth(loaded).first
    assert (first.sweep, first.name, first.op, first.inner_op) == ("primal", "w4", "sqrt", "divide")
    assert "y = np.sqrt(x)" in first.site and "(root)" in first.site
    assert first.describe() == nan_birth(live).first.describe()
    assert first.describe().startswith(
        "non-finite value born in the primal pass inside sqrt's derivative rule 1/(2√x) (its "
        "reverse rule) at test_saved_rules.py:")


def test_a_third_derivative_keeps_the_rules_run_inside_other_rules(tmp_path):
    with np.errstate(all="ignore"):
        live = gradviz.trace(gradviz.grad(gradviz.grad(root)), 4.0)
    loaded = _saved_and_loaded(live, tmp_path)
    origins = [rule_origin(node) for node in loaded.nodes]
    assert origins == [rule_origin(node) for node in live.nodes]
    assert any(o is not None and ", in divide's reverse rule" in o[1] for o in origins)
    saved = json.loads((tmp_path / "trace.json").read_text())
    assert [rule["outer"] for rule in saved["rules"]] == [-1, 0]


def test_a_first_order_file_is_as_before():
    data = trace_to_dict(gradviz.trace(root, 4.0))
    assert "rules" not in data and "rule" not in data["nodes"]
    assert [rule_origin(node) for node in gradviz.export.serialize.trace_from_dict(data).nodes] == [None] * 3


def test_the_networkx_graph_names_the_rule_live_and_loaded(tmp_path):
    with np.errstate(all="ignore"):
        live = gradviz.trace(gradviz.grad(root), 0.0)
    for graph in (live.to_networkx(), _saved_and_loaded(live, tmp_path).to_networkx()):
        assert graph.nodes["w4"]["rule"] == "sqrt's derivative rule 1/(2√x) (its reverse rule)"
        assert graph.nodes["w4"]["rule_op"] == "sqrt" and "y = np.sqrt(x)" in graph.nodes["w4"]["rule_site"]
        assert graph.nodes["w2"]["rule"] is None and graph.nodes["w2"]["rule_op"] is None
        assert all(data["rule"] is None for _, data in graph.nodes(data=True) if data["kind"] == "constant")


def test_an_elementwise_second_derivative_round_trips_its_values(tmp_path):
    x = numpy.array([0.0, 1.0, 4.0])
    with np.errstate(all="ignore"):
        live = gradviz.trace(gradviz.elementwise_grad(root), x)
    loaded = _saved_and_loaded(live, tmp_path)
    assert nan_birth(loaded).first.op == "sqrt"
    assert [n.made_by is None for n in loaded.nodes] == [n.made_by is None for n in live.nodes]
    numpy.testing.assert_array_equal(loaded.nodes[-1].value, live.nodes[-1].value)
    assert float(loaded.nodes[-1].value[2]) == pytest.approx(3 / 4)
