"""Inputs named like trace nodes (a neuron's weights w1, w2): the trace is numbered v1, v2, …
in every view, so that no formula can be read as the user's own variable."""

import json
import math

import networkx as nx
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli.expression import trace_expression
from gradviz.inspector.state import InspectorState
from gradviz.inspector.run import Run
from gradviz.renderer import to_dot
from gradviz.renderer.files import graph_to_json
from gradviz.export.tables import forward_rows, reverse_rows


def neuron(x1, x2, w1, w2, b):
    return np.tanh(x1 * w1 + x2 * w2 + b)


@pytest.fixture
def traced():
    return gradviz.trace(neuron, 2.0, 0.0, -3.0, 1.0, 6.8813735870195432)


def test_a_neuron_with_weights_w1_w2_is_numbered_with_v(traced, golden):
    assert [node.name for node in traced.nodes][:6] == ["v1", "v2", "v3", "v4", "v5", "v6"]
    golden("neuron_weights_named_w.dot", to_dot(traced).source)
    graph = traced.to_networkx()
    assert graph.graph["letter"] == "v" and graph.graph["inputs"][2] == "v3"
    assert graph.nodes["v6"]["formula"] == "v6 = v1·v3"  # the user's x1·w1
    assert graph.nodes["v3"]["formula"] == "v3 = w1"
    assert not any(name.startswith("w") for name in graph)


def test_tables_never_write_a_trace_name_that_is_an_input(traced):
    text = " ".join(cell for row in forward_rows(traced, 0) + reverse_rows(traced, 0)
                    for cell in row[1:])
    assert "v3 = w1 = -3" in text and "v̄6 = v̄8" in text
    for name in ("w1", "w2"):  # the user's names appear only where the inputs are named
        assert text.count(f"= {name} ") == text.count(name)


def test_the_command_line_reports_the_users_partials_under_their_own_names(cli):
    code, out, _ = cli("trace", "w2*w1", "--at", "w1=3,w2=5")
    assert code == 0
    assert "v1 = w2 = 5" in out and "v2 = w1 = 3" in out
    # ∂f/∂w1 = w2 = 5 is the adjoint of v2, the user's w1; ∂f/∂w2 = 3 that of v1
    assert "v̄2 = v̄3·v1 = 1·5 = 5" in out and "v̄1 = v̄3·v2 = 1·3 = 3" in out
    assert "w̄" not in out and "w3" not in out


def test_json_networkx_and_saved_traces_keep_the_letter(traced, tmp_path):
    data = json.loads(graph_to_json(traced.to_networkx()))
    assert {node["id"] for node in data["nodes"]} >= {"v1", "v9"} and data["graph"]["letter"] == "v"
    path = tmp_path / "neuron.json"
    traced.save(path)
    again = gradviz.Trace.load(path)
    assert [node.name for node in again.nodes] == [node.name for node in traced.nodes]
    assert nx.is_isomorphic(again.to_networkx(), traced.to_networkx())


def test_the_inspector_goes_to_a_node_by_its_letter(traced):
    state = InspectorState(Run([traced]))
    state.jump("v6")
    assert state.current.node == 5, state.message
    state.jump("w6")
    assert "give v1 … v10" in state.message


def test_other_letters_when_v_is_taken_too():
    t = gradviz.trace(lambda w1, v1: w1 * v1, 2.0, 3.0)
    assert [node.name for node in t.nodes] == ["u1", "u2", "u3"]
    plain = gradviz.trace(lambda w, v, x1: w * v * x1, 2.0, 3.0, 4.0)  # no collision: w stays
    assert plain.nodes[-1].name == "w5"


def test_numbers_are_the_neurons(traced):
    # micrograd's classic neuron: o = tanh(n), do/dw1 = x1·(1 - o²) = 1.0
    o = math.tanh(2.0 * -3.0 + 0.0 + 6.8813735870195432)
    assert float(traced.nodes[-1].value) == pytest.approx(o)
    assert float(traced.adjoint(2)) == pytest.approx(2.0 * (1 - o * o))
