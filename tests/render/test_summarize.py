"""Large graphs: folded chains, repeated blocks, grouped blocks, focus and depth."""

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.render import to_dot
from gradviz.render.summarize import summarize


def _chain(length):
    def chain(x):
        for _ in range(length // 2):
            x = np.sin(x) * 1.01
        return x
    return gradviz.trace(chain, 0.5)


def _mlp(layers):
    rng = numpy.random.default_rng(0)
    params = [(rng.normal(size=(4, 4)), rng.normal(size=4)) for _ in range(layers)]

    def mlp(params, x):
        for weights, bias in params:
            x = np.tanh(x @ weights + bias)
        return np.sum(x)
    return gradviz.trace(mlp, params, rng.normal(size=(2, 4)))


def _scalar_network(width, layers):
    """A micrograd-style graph: every weight a scalar, every neuron a sum of products."""
    weights = numpy.random.default_rng(1).normal(size=(layers, width, width))

    def network(x1, x2):
        values = [x1, x2] + [x1 * 0.5] * (width - 2)
        for layer in range(layers):
            values = [np.tanh(sum(weights[layer, i, j] * v for j, v in enumerate(values)))
                      for i in range(width)]
        return sum(values)
    return gradviz.trace(network, 0.3, -0.7)


def test_small_graph_is_drawn_as_is(lecture):
    graph = lecture.to_networkx()
    assert summarize(graph) is graph


def test_scalar_chain_folds_into_one_node():
    graph = _chain(2000).to_networkx()
    small = summarize(graph, max_nodes=50)
    assert set(small.nodes) == {"w1", "w2…w2000", "w2001"}
    folded = small.nodes["w2…w2000"]
    assert folded["count"] == 1999 and folded["pattern"] == "(sin → multiply) × 999 + sin"
    assert small.has_edge("w1", "w2…w2000") and small.has_edge("w2…w2000", "w2001")
    assert small.edges["w2…w2000", "w2001"]["head"] == "w2001"
    assert small.edges["w2…w2000", "w2001"]["tail"] == "w2000"
    assert any("folded" in note for note in small.graph["summary"])
    assert graph.number_of_nodes() == 3001  # the original graph is left alone


def test_mlp_layers_fold_with_their_weights():
    small = summarize(_mlp(30).to_networkx(), max_nodes=40)
    folded = [data for _, data in small.nodes(data=True) if data.get("kind") == "folded"]
    assert len(folded) == 1
    assert folded[0]["pattern"] == "(matmul → add → tanh) × 30"
    assert len(folded[0]["absorbed"]) == 60
    assert "x" in [data.get("label", "").split("(")[-1].rstrip(")") for _, data in small.nodes(data=True)]


def test_graph_without_chains_is_grouped_under_max_nodes():
    trace = _scalar_network(width=12, layers=6)
    assert len(trace) > 1500
    small = summarize(trace.to_networkx(), max_nodes=40)
    assert small.number_of_nodes() <= 41  # the blocks and the output
    assert any("grouped into" in note for note in small.graph["summary"])
    assert sum(data["count"] for _, data in small.nodes(data=True) if data["kind"] == "folded") == len(trace) - 1


def test_focus_keeps_a_neighbourhood_in_full():
    graph = _chain(200).to_networkx()
    small = summarize(graph, focus="w100", depth=2)
    kept = {n for n, data in small.nodes(data=True) if data.get("kind") != "folded"}
    assert kept == {"w98", "w99", "w100", "w101", "w102", "w99.c1", "w101.c1"}
    placeholders = sorted(n for n, data in small.nodes(data=True) if data.get("kind") == "folded")
    assert placeholders == ["145 nodes before", "149 nodes after"]
    assert small.nodes["w100"]["focus"] is True


def test_summary_is_said_in_the_picture():
    source = to_dot(_chain(400), max_nodes=30).source
    assert "nodes summarised as" in source and "(sin → multiply) × 199 + sin" in source
    assert "--focus" in source


def test_large_graphs_render(tmp_path):
    from gradviz.render import render

    path = render(_scalar_network(width=10, layers=5), tmp_path / "network.svg")
    assert open(path, "rb").read(5) == b"<?xml"


def test_negative_depth_is_refused(lecture):
    with pytest.raises(gradviz.GradvizError, match="depth"):
        to_dot(lecture, focus="w3", depth=-1)
