"""The graph-drawing and trace-printing examples run, and what they show is the function's."""

import autograd
import autograd.numpy as anp
import numpy
from _example_loader import load


def test_dot_graph_draws_every_operation_and_writes_a_png(tmp_path, capsys):
    graph, source = load("dot_graph").main(tmp_path / "graph.png")
    ops = sorted(graph.nodes[n]["op"] for n in graph.nodes)
    assert ops.count("input") == 2 and {"multiply", "add", "tanh", "dot"} <= set(ops)
    assert "tanh" in source and "digraph" in source
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"{graph.number_of_nodes()} nodes" in capsys.readouterr().out


def test_print_trace_lists_the_wengert_list_and_the_gradient(capsys):
    trace, gradient = load("print_trace").main()
    out = capsys.readouterr().out
    assert [node.op for node in trace] == ["input", "sin", "multiply", "negative", "exp", "power", "add", "sum"]
    assert "w3 = multiply(w2, w1)" in out and "y = np.sin(x) * x" in out
    f = lambda x: anp.sum(anp.exp(-anp.sin(x) * x) + (anp.sin(x) * x) ** 2)  # noqa: E731
    numpy.testing.assert_allclose(gradient, autograd.grad(f)(numpy.array([0.5, 1.0, 2.0])), rtol=1e-12)
