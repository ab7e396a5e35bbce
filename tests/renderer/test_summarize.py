"""Large graphs: folded chains, repeated blocks, grouped blocks, focus and depth."""

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.renderer import to_dot
from gradviz.renderer.summarize import summarize


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
    from gradviz.renderer import render

    path = render(_scalar_network(width=10, layers=5), tmp_path / "network.svg")
    assert open(path, "rb").read(5) == b"<?xml"


def test_negative_depth_is_refused(lecture):
    with pytest.raises(gradviz.GradvizError, match="depth"):
        to_dot(lecture, focus="w3", depth=-1)


def _sum_of_sines(terms):
    """``sin(x·1) + … + sin(x·terms)``, traced the way the command line traces it."""
    from gradviz.cli.expression import parse

    text = " + ".join(f"sin(x*{k})" for k in range(1, terms + 1))
    return text, gradviz.trace(parse(text).function, 0.3)


def test_repeated_blocks_fold_into_one_node(golden):
    _, trace = _sum_of_sines(39)
    small = summarize(trace.to_networkx(), max_nodes=80)
    folded = small.nodes["w4…w114"]
    assert folded["pattern"] == "(multiply → sin → add) × 37" and folded["count"] == 111
    # the first term (no add yet) and the last (its add is the output) are drawn in full
    assert set(small) == {"w1", "w2", "w3", "w4…w114", "w115", "w116", "w117"}
    assert small.edges["w1", "w4…w114"]["parallel"] == 37
    assert small.edges["w4…w114", "w117"]["tail"] == "w114"
    assert "37 repeated blocks folded into 1 node" in small.graph["summary"]
    source = to_dot(trace, title="f = sin(x·1) + … + sin(x·39)").source
    assert "37 edges, the first:" in source
    golden("sum_of_39_sines_folded.dot", source)


def test_a_long_sum_folds_too():
    _, trace = _sum_of_sines(300)
    small = summarize(trace.to_networkx())
    assert small.number_of_nodes() == 7
    assert small.nodes["w4…w897"]["pattern"] == "(multiply → sin → add) × 298"


def test_blocks_that_differ_do_not_fold_together():
    def alternating(x):
        total = np.sin(x * 1.0)
        for k in range(2, 30):
            total = total + (np.sin(x * k) if k % 2 else np.cos(x * k))
        return total

    def skipping(x):  # every block also reads the one two before: another shape
        values = [x, np.sin(x)]
        for k in range(2, 30):
            values.append(np.sin(values[-1]) * values[-2])
        return values[-1]

    small = summarize(gradviz.trace(alternating, 0.3).to_networkx(), max_nodes=20)
    patterns = [d["pattern"] for _, d in small.nodes(data=True) if d.get("kind") == "folded"]
    assert not any("(multiply → sin → add) ×" in p or "(multiply → cos → add) ×" in p for p in patterns)
    small = summarize(gradviz.trace(skipping, 0.3).to_networkx(), max_nodes=20)
    patterns = [d.get("pattern", "") for _, d in small.nodes(data=True)]
    assert not any("repeated" in note for note in small.graph["summary"]), patterns


def test_a_long_title_is_wrapped():
    from gradviz.renderer.dot import _wrap

    text, trace = _sum_of_sines(300)
    label = to_dot(trace, title=text).source.split("label=<", 1)[1].split("<font", 1)[0]
    lines = label.split("<br/>")
    assert 2 < len(lines) <= 7 and all(len(line) < 120 for line in lines)
    assert "characters in all" in label and "sin(x*300)" in label
    assert _wrap("a·b + c·d", width=5) == ["a·b +", "c·d"]


def _png_size(path):
    with open(path, "rb") as file:
        header = file.read(24)
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_png_fits_the_pixel_budget_even_unsummarised(tmp_path):
    from gradviz.renderer import render
    from gradviz.renderer.dot import MAX_PIXELS

    path = render(_chain(80), tmp_path / "chain.png", max_nodes=0, fields="value")
    width, height = _png_size(path)
    assert max(width, height) <= MAX_PIXELS and height > 0.9 * MAX_PIXELS  # scaled down to fit
    # a small graph is neither scaled up nor down: twice the dpi, twice the pixels
    small = _png_size(render(_chain(6), tmp_path / "small.png", dpi=72))
    sharp = _png_size(render(_chain(6), tmp_path / "sharp.png", dpi=144))
    assert max(sharp) < MAX_PIXELS and abs(sharp[1] / small[1] - 2) < 0.05


def test_a_neurons_sum_of_products_folds_and_the_summary_fits_its_ranks():
    from gradviz.renderer.summarize import MAX_RANKS, _levels

    small = summarize(_scalar_network(width=8, layers=4).to_networkx(), max_nodes=80)
    assert any("repeated blocks folded" in note for note in small.graph["summary"])
    assert 1 + max(_levels(small).values()) <= MAX_RANKS + 1  # the bands, and the output
    bands = [d["pattern"] for n, d in small.nodes(data=True) if n.startswith("depth ")]
    assert bands and not any("folded" in pattern for pattern in bands)  # not "folded × 28"
    assert any(" × [(multiply → add) × " in pattern for pattern in bands)  # but what they fold


def test_alternating_blocks_fold_as_one_repeated_block():
    def alternating(x):  # sin(x·1) + cos(x·2) + sin(x·3) + …
        total = np.sin(x * 1.0)
        for k in range(2, 40):
            total = total + (np.sin(x * k) if k % 2 else np.cos(x * k))
        return total

    small = summarize(gradviz.trace(alternating, 0.3).to_networkx(), max_nodes=80)
    folded = [d["pattern"] for _, d in small.nodes(data=True) if d.get("kind") == "folded"]
    assert "(multiply → cos → add → multiply → sin → add) × 18" in folded
    assert small.number_of_nodes() < 10
    assert not any("bands by depth" in note for note in small.graph["summary"])


def test_a_deep_summary_is_grouped_even_under_max_nodes():
    functions = (np.sin, np.cos, np.tanh, np.arctan, np.sinh)  # a cycle too long to fold

    def cycling(x):
        total = np.sin(x * 1.0)
        for k in range(2, 40):
            total = total + functions[k % 5](x * k)
        return total

    small = summarize(gradviz.trace(cycling, 0.3).to_networkx(), max_nodes=100)
    assert small.number_of_nodes() < 40  # folding alone leaves about 40, one below the other
    assert any("bands by depth" in note for note in small.graph["summary"])
