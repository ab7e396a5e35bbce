"""to_dot: the lecture's graph against golden DOT files, its numbers, and every option."""

import math

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import GradvizError
from gradviz.renderer import Graph, to_dot


class TestGolden:
    def test_lecture_graph(self, lecture, golden):
        golden("lecture.dot", to_dot(lecture).source)

    def test_lecture_forward_seed_x1_left_to_right(self, lecture, golden):
        golden("lecture_forward_x1_lr.dot",
               to_dot(lecture, mode="forward", seed="x1", direction="LR", legend=False).source)

    def test_source_is_stable_across_traces(self, lecture):
        again = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        assert to_dot(again).source == to_dot(lecture).source


class TestLectureNumbers:
    """The numbers of the lecture at x1 = 2, x2 = 5, as they appear in the picture."""

    def test_value_partial_and_adjoint(self, lecture):
        graph = lecture.to_networkx()
        assert float(graph.nodes["w4"]["value"]) == pytest.approx(math.sin(2), abs=1e-12)
        assert float(graph.edges["w1", "w4"]["partial_value"]) == pytest.approx(math.cos(2))
        assert float(graph.nodes["w1"]["adjoint"]) == pytest.approx(5 + math.cos(2))
        source = to_dot(graph).source
        assert "<b>w4 = sin w1</b>" in source
        assert '<td align="right" valign="top">0.9093</td>' in source
        assert "∂w4/∂w1 = cos w1 = -0.4161" in source
        assert "w̄1</td><td align=\"right\" valign=\"top\">4.584</td>" in source

    def test_one_tangent_row_per_seed(self, lecture):
        source = to_dot(lecture).source
        assert source.count("(x1)") >= 5 and source.count("(x2)") >= 5
        only_x2 = to_dot(lecture, seed="x2").source
        assert "(x1)" not in only_x2 and "(x2)" in only_x2
        both = to_dot(lecture, seed="x1, x2").source  # a space after the comma is fine
        assert both.count("(x1)") >= 5 and both.count("(x2)") >= 5


class TestOptions:
    def test_fields_leave_things_out(self, lecture):
        source = to_dot(lecture, fields="value,partial", legend=False).source
        assert "ẇ" not in source and "w̄" not in source and "∂w4/∂w1" in source
        assert "= sin w1" not in source  # no formula: the header is the node's name

    def test_modes(self, lecture):
        assert "w̄4" not in to_dot(lecture, mode="forward").source
        reverse = to_dot(lecture, mode="reverse").source
        assert "ẇ4" not in reverse and "w̄4" in reverse

    def test_direction(self, lecture):
        assert "rankdir=LR" in to_dot(lecture, direction="LR").source

    @pytest.mark.parametrize("options, message", [
        ({"fields": "value,colour"}, "unknown field 'colour'"),
        ({"mode": "sideways"}, "unknown mode"),
        ({"direction": "up"}, "unknown direction"),
        ({"seed": "x3"}, "seeds are x1, x2"),
        ({"seed": 7}, "no forward sweep"),
        ({"focus": "w99"}, "no node 'w99'"),
    ])
    def test_bad_options_name_the_problem(self, lecture, options, message):
        with pytest.raises(GradvizError, match=message):
            to_dot(lecture, **options)

    def test_not_a_trace(self):
        with pytest.raises(GradvizError, match="cannot draw a list"):
            to_dot([1, 2])


class TestKindsAndValues:
    def test_kinds_look_different(self):
        t = gradviz.trace(lambda x: np.tanh(x * 0.5) + np.floor(x), 1.5)
        graph = t.to_networkx()
        source = to_dot(graph).source
        styles = {kind: None for kind in ("input", "constant", "intermediate", "output")}
        for kind in styles:
            name = next(n for n, k in graph.nodes(data="kind") if k == kind)
            line = next(line for line in source.splitlines() if line.strip().startswith(f'"{name}"')
                        or line.strip().startswith(f"{name} "))
            styles[kind] = line.rsplit("</table>>", 1)[1]
        assert len(set(styles.values())) == 4, styles
        assert "peripheries=2" in styles["output"]

    def test_nan_and_inf_are_red(self):
        with numpy.errstate(all="ignore"):
            t = gradviz.trace(lambda x: np.log(x) * np.sqrt(x), -1.0)
        source = to_dot(t).source
        assert '<font color="#c62828"><b>nan</b></font>' in source
        w2 = next(line for line in source.splitlines() if line.strip().startswith("w2 ["))
        assert 'color="#c62828"' in w2 and "penwidth=2" in w2
        fine = to_dot(gradviz.trace(lambda x: np.exp(x), 1.0)).source
        assert "<b>nan</b>" not in fine and "<b>inf</b>" not in fine

    def test_legend_explains_red_only_when_something_is_red(self, lecture):
        assert "red: NaN or Inf" not in to_dot(lecture).source
        with numpy.errstate(all="ignore"):
            nan = gradviz.trace(lambda x: np.log(x) * np.sqrt(x), -1.0)
            inf_partial = gradviz.trace(lambda x: np.sqrt(x) + x, 0.0)  # values finite, ∂ and w̄ inf
        assert "red: NaN or Inf" in to_dot(nan).source
        assert "red: NaN or Inf" in to_dot(inf_partial).source

    def test_small_arrays_in_full_large_ones_summarised(self):
        t = gradviz.trace(lambda x, y: np.sum(np.tanh(x)) + np.sum(y * y),
                          numpy.array([1.0, 2.0, 3.0]), numpy.arange(100.0))
        source = to_dot(t).source
        assert "[1, 2, 3]" in source
        assert "(100,) float64 min 0 mean 49.5 max 99" in source

    def test_html_is_escaped(self):
        t = gradviz.trace(lambda x1, x2: x1 / x2, 1.0, 2.0)
        assert "w3 = w1 / w2" in to_dot(t).source
        t.input_names[0] = "a<b>&"
        assert "a&lt;b&gt;&amp;" in to_dot(t).source


class TestNotebookDisplay:
    def test_is_a_digraph_that_draws_without_dot(self, lecture, monkeypatch, tmp_path):
        monkeypatch.setenv("PATH", str(tmp_path))
        dot = to_dot(lecture)
        assert isinstance(dot, Graph)
        bundle = dot._repr_mimebundle_()
        assert bundle["image/svg+xml"].startswith("<?xml")
        assert dot.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
