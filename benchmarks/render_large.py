"""How long drawing a large trace takes: a 100-layer tanh MLP and a 10 000-op scalar chain
(and a 2 000-node micrograd-style network of scalars).

Run ``python benchmarks/render_large.py [--repeat N]``. For each trace it prints the median
time of: the graph export (``to_networkx``), ``to_dot`` (export, summary and DOT text) and
the whole ``render`` to SVG and PNG (the summary keeps the drawn graph small, so layout is
fast). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.graph import to_networkx
from gradviz.render import backend, render, to_dot


def mlp_trace(layers: int = 100, width: int = 16, batch: int = 8):
    """The trace of a ``layers``-deep tanh MLP's summed output."""
    rng = numpy.random.default_rng(0)
    params = [(rng.normal(size=(width, width)) / numpy.sqrt(width), rng.normal(size=width) * 0.1)
              for _ in range(layers)]

    def mlp(params, x):
        for weights, bias in params:
            x = np.tanh(x @ weights + bias)
        return np.sum(x)

    return gradviz.trace(mlp, params, rng.normal(size=(batch, width)))


def chain_trace(operations: int = 10_000):
    """The trace of ``x ↦ sin(sin(… x …) · 1.01)``, ``operations`` primitives long."""
    def chain(x):
        for _ in range(operations // 2):
            x = np.sin(x) * 1.01
        return x

    return gradviz.trace(chain, 0.5)


def scalar_network_trace(width: int = 14, layers: int = 5):
    """A micrograd-style graph (every weight a scalar constant), about 2 000 nodes: the case
    the issue measured at over a minute in plain ``dot``."""
    weights = numpy.random.default_rng(1).normal(size=(layers, width, width)) / numpy.sqrt(width)

    def network(x1, x2):
        values = [x1, x2] + [x1 * 0.5] * (width - 2)
        for layer in range(layers):
            values = [np.tanh(sum(weights[layer, i, j] * v for j, v in enumerate(values)))
                      for i in range(width)]
        return sum(values)

    return gradviz.trace(network, 0.3, -0.7)


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    where = "the dot program" if backend.dot_program() else "in process (pygraphviz)"
    print(f"Graphviz: {where}; medians of {repeat} runs")
    directory = tempfile.mkdtemp()
    cases = (("100-layer tanh MLP", mlp_trace), ("10 000-op scalar chain", chain_trace),
             ("micrograd-style scalar network", scalar_network_trace),
             ("100 000-op scalar chain", lambda: chain_trace(100_000)))
    for name, make in cases:
        trace = make()
        print(f"\n{name}: {len(trace):,} nodes "
              f"(tracing with both sweeps: {median_seconds(make, 1):.2f} s)")
        rows = [("to_networkx", lambda: to_networkx(trace)),
                ("to_dot", lambda: to_dot(trace)),
                ("render .svg", lambda: render(trace, os.path.join(directory, "graph.svg"))),
                ("render .png", lambda: render(trace, os.path.join(directory, "graph.png")))]
        for label, function in rows:
            runs = repeat if len(trace) < 50_000 else 1  # the largest case once: it takes seconds
            print(f"  {label:<12} {median_seconds(function, runs):7.3f} s")


if __name__ == "__main__":
    main()
