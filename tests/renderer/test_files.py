"""render(): the data formats (.dot, .json, .graphml) and format selection."""

import json

import networkx as nx
import pytest

from gradviz.renderer import RenderError, render, to_dot
from gradviz.export.values import decode_value as _decode_array


def decode_value(encoded):
    """A scalar is a plain JSON number; an array (or NaN, Inf) is a trace-file value."""
    return encoded if isinstance(encoded, (int, float)) else _decode_array(encoded)


def test_dot_file_is_the_dot_source(lecture, tmp_path):
    path = render(lecture, tmp_path / "graph.dot")
    assert open(path, encoding="utf-8").read() == to_dot(lecture).source


def test_json_is_networkx_node_link_with_every_attribute(lecture, tmp_path):
    path = render(lecture, tmp_path / "graph.json")
    graph = nx.node_link_graph(json.load(open(path, encoding="utf-8")), edges="edges")
    assert sorted(graph.nodes) == ["w1", "w2", "w3", "w4", "w5"]
    assert graph.nodes["w4"]["op"] == "sin"
    assert decode_value(graph.nodes["w4"]["value"]) == pytest.approx(0.9092974268)
    assert decode_value(graph.edges["w1", "w4"]["partial_value"]) == pytest.approx(-0.4161468365)
    assert decode_value(graph.nodes["w1"]["adjoints"][0]) == pytest.approx(4.5838531634)
    assert graph.graph["inputs"] == ["w1", "w2"]


def test_graphml_keeps_text_and_numbers(lecture, tmp_path):
    path = render(lecture, tmp_path / "graph.graphml")
    graph = nx.read_graphml(path)
    assert graph.nodes["w4"]["op"] == "sin"
    assert graph.nodes["w4"]["value"] == pytest.approx(0.9092974268)
    assert graph.edges["w1", "w4"]["partial"] == "cos w1"
    assert json.loads(graph.nodes["w1"]["tangents"]) == [1.0, 0.0]


def test_format_argument_overrides_the_extension(lecture, tmp_path):
    path = render(lecture, tmp_path / "graph.out", format="svg")
    assert open(path, "rb").read(5) == b"<?xml"


def test_unknown_extension_writes_nothing(lecture, tmp_path):
    with pytest.raises(RenderError, match=r"end the name with \.svg"):
        render(lecture, tmp_path / "graph.txt")
    assert list(tmp_path.iterdir()) == []


def test_arrays_and_non_finite_values_stay_strict_json(tmp_path):
    import numpy
    import gradviz
    import gradviz.numpy as np

    with numpy.errstate(all="ignore"):
        t = gradviz.trace(lambda x: np.sum(np.log(x)), numpy.array([1.0, 0.0, -1.0]))
    path = render(t, tmp_path / "graph.json")
    text = open(path, encoding="utf-8").read()
    assert "NaN" not in text and "Infinity" not in text
    graph = nx.node_link_graph(json.loads(text), edges="edges")
    values = decode_value(graph.nodes["w2"]["value"])
    assert values[0] == 0 and numpy.isneginf(values[1]) and numpy.isnan(values[2])


def test_gradviz_render_is_both_the_function_and_the_package(lecture, tmp_path):
    import gradviz
    import gradviz.drawing
    import gradviz.renderer.files

    assert gradviz.render(lecture, tmp_path / "g.dot") == str(tmp_path / "g.dot")
    assert gradviz.renderer.files.render is gradviz.renderer.render
    assert gradviz.to_dot is gradviz.drawing.to_dot and gradviz.render is gradviz.drawing.render
