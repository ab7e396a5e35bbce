"""The debugger's findings on the picture: NaN births, failed rule checks, gradient health."""

from __future__ import annotations

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.debug import annotate, debug_graph, nan_birth
from gradviz.errors import GradvizError
from gradviz.cli.expression import trace_expression
from gradviz import to_dot
from gradviz.renderer.marks import BORN_FILL, CHECK


@pytest.fixture
def sqrt_of_negative():
    """``sqrt(x - 3)`` at ``x = 2``: a NaN born at sqrt in every pass, passed on to the output."""
    with numpy.errstate(all="ignore"):
        return trace_expression("log(x)*y + sqrt(x - 3)", "x=2,y=3")


def _tanh_network():
    rng = numpy.random.default_rng(0)
    return gradviz.trace(lambda x, W1, W2: np.sum(np.tanh(np.dot(W2, np.tanh(np.dot(W1, x))))),
                         numpy.array([1.0, -2.0, 0.5]), rng.normal(0, 4, (4, 3)),
                         rng.normal(0, 0.5, (2, 4)))


class TestGolden:
    def test_nan_birth_check_and_health(self, sqrt_of_negative, golden):
        golden("debug_sqrt_of_negative.dot", to_dot(sqrt_of_negative, debug=True).source)

    def test_a_wrong_vjp(self, golden, wrong_cube_trace):
        golden("check_wrong_vjp.dot", to_dot(wrong_cube_trace, check=True).source)

    def test_health_of_a_tanh_network(self, golden):
        golden("health_tanh.dot", to_dot(_tanh_network(), health=True, mode="reverse").source)


def test_the_default_picture_has_no_marks(sqrt_of_negative):
    source = to_dot(sqrt_of_negative).source
    assert "born here" not in source and "rule check" not in source and "‖w̄‖" not in source


def test_born_is_filled_and_passed_is_outlined(sqrt_of_negative):
    graph = annotate(sqrt_of_negative.to_networkx(), nans=nan_birth(sqrt_of_negative))
    source = to_dot(graph).source  # an annotated graph is drawn with its findings
    born = next(line for line in source.splitlines() if line.strip().startswith("w6 "))
    assert f'fillcolor="{BORN_FILL}"' in born and "NaN born here" in born
    assert "born in the primal, forward, reverse passes" in born
    passed = next(line for line in source.splitlines() if line.strip().startswith("w7 "))
    assert "passes a NaN/Inf on" in passed and "NaN born here" not in passed
    assert "NaN/Inf born at w6 (sqrt)" in source


def test_a_birth_inside_a_derivative_rule_names_the_rule(tmp_path):
    def root(x):
        return np.sqrt(x) * 3.0

    with numpy.errstate(all="ignore"):
        live = gradviz.trace(gradviz.grad(root), 0.0)
    live.save(tmp_path / "second.json")
    for trace in (live, gradviz.Trace.load(tmp_path / "second.json")):
        assert "NaN/Inf born at w2 (sqrt), w4 (divide in sqrt's rule)" in to_dot(trace, nans=True).source


def test_a_masked_log_is_born_at_log_not_at_where():
    with numpy.errstate(all="ignore"):
        t = gradviz.trace(lambda x: np.sum(np.where(x > 0, np.log(x), 0.0)), numpy.array([0.0, 2.0]))
    graph = debug_graph(t)
    assert graph.graph["nan_births"] == ["w3"] and graph.nodes["w3"]["op"] == "log"
    source = to_dot(graph).source
    assert "Inf born here" in source  # log(0) = -inf going forward (a NaN going backward)


def test_a_wrong_vjp_is_marked_on_its_node(wrong_cube_trace):
    graph = debug_graph(wrong_cube_trace)
    assert graph.graph["check_failed"] == ["w3"]
    assert graph.nodes["w3"]["check_rules"] == ["VJP", "cut identity"]
    source = to_dot(graph).source
    line = next(line for line in source.splitlines() if line.strip().startswith("w3 "))
    assert f'color="{CHECK}"' in line and "dashed" in line and "rule check failed: VJP" in line


def test_health_fills_by_log_adjoint_and_flags_saturation():
    source = to_dot(_tanh_network(), health=True).source
    assert "saturated 25%" in source and "‖w̄‖, log scale" in source
    assert "gradient health: 1 node flagged (w5 (tanh))" in source


def test_asking_a_plain_graph_for_findings_says_how(sqrt_of_negative):
    with pytest.raises(GradvizError, match="annotate the graph with gradviz.debug.annotate"):
        to_dot(sqrt_of_negative.to_networkx(), nans=True)


def test_the_renderer_draws_findings_it_is_given_and_runs_no_analysis(sqrt_of_negative):
    """gradviz.to_dot runs the debugger and hands the renderer its findings; the renderer's own
    to_dot, asked for findings on a bare trace, says where they come from instead."""
    import gradviz.renderer
    from gradviz.drawing import findings

    with pytest.raises(GradvizError, match="draw the trace with gradviz.to_dot or gradviz.render"):
        gradviz.renderer.to_dot(sqrt_of_negative, nans=True)
    given = gradviz.renderer.to_dot(sqrt_of_negative, nans=True, findings=findings(sqrt_of_negative, nans=True))
    assert given.source == to_dot(sqrt_of_negative, nans=True).source
    assert "NaN born here" in given.source


def test_health_needs_a_reverse_sweep():
    t = gradviz.trace(lambda x: np.sin(x), 1.0, reverse=False)
    with pytest.raises(GradvizError, match="health needs a reverse sweep"):
        to_dot(t, health=True)
    assert "‖w̄‖" not in to_dot(t, debug=True).source  # debug=True leaves it out, as debug_graph


def test_command_line_options(cli, tmp_path):
    code, out, _err = cli("render", "log(x)*y + sqrt(x - 3)", "--at", "x=2,y=3", "--nans")
    assert code == 0 and "NaN born here" in out and "rule check" not in out
    code, out, _err = cli("render", "x*y", "--at", "x=2,y=3", "--check", "--health")
    assert code == 0 and "every node's rules pass their check" in out and "‖w̄‖" in out
    path = tmp_path / "nan.png"
    code, _out, err = cli("render", "log(x)*y + sqrt(x - 3)", "--at", "x=2,y=3", "--debug", "-o", str(path))
    assert code == 0 and path.read_bytes().startswith(b"\x89PNG") and "wrote" in err


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[k:k + 2], 16) / 255) for k in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_health_labels_are_readable_on_every_fill():
    import re

    import pygraphviz

    graph = pygraphviz.AGraph(string=to_dot(_tanh_network(), health=True).source)
    fills = []
    for node in graph.nodes():
        fill = node.attr.get("fillcolor")
        if node.name == "legend" or not fill:
            continue
        fills.append(fill)
        for text in re.findall(r'color="(#[0-9a-fA-F]{6})"', node.attr["label"]) + ["#000000"]:
            assert _contrast(text, fill) >= 4.5, (node.name, text, fill)
    assert len(set(fills)) >= 4  # the scale is really used


def test_health_legend_shows_the_fill_not_the_kind_colours():
    from gradviz.renderer.dot import KIND_STYLE

    source = to_dot(_tanh_network(), health=True).source
    legend = source[source.index("legend\t[") if "legend\t[" in source else source.index("legend ["):]
    assert "‖w̄‖, log scale:" in legend
    assert not any(fill in legend for fill, _border in KIND_STYLE.values())
    plain = to_dot(_tanh_network()).source
    assert KIND_STYLE["input"][0] in plain[plain.index("legend ["):]


def test_debug_legend_has_no_entries_for_what_was_not_found():
    clean = to_dot(gradviz.trace(lambda x, y: x * y + np.sin(x), 2.0, 3.0), debug=True).source
    assert "no NaN or Inf is born" in clean and "every node's rules pass their check" in clean
    assert "NaN/Inf born here" not in clean and "passes a NaN/Inf on" not in clean
    assert "rule check failed (" not in clean and "⚠ flags" not in clean
    assert "‖w̄‖, log scale:" in clean
