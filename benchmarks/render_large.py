"""How long drawing a large trace takes, and how large its PNG is.

First the floor: every trace of the examples, ``sin(x·1) + … + sin(x·39)`` and a 1 000-term
sum each render to PNG in at most 3 s and at most 4 000 px on the longer side; each case's
median time and pixel size are printed with ``ok`` or ``OVER``. ``--max-nodes 0`` (no
summary) is measured for the pixel size only: it is scaled down to the same budget.

Then the large cases: a 100-layer tanh MLP, a 10 000-op scalar chain, a 2 000-node
micrograd-style network of scalars, a 100 000-op chain; for each, the median time of the
graph export (``to_networkx``), ``to_dot`` (export, summary and DOT text) and the whole
``render`` to SVG and PNG.

Run ``OPENBLAS_NUM_THREADS=1 python benchmarks/render_large.py [--repeat N] [--floor-only]``.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import sys
import statistics
import tempfile
import time

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.export.graph import to_networkx
from gradviz.renderer import backend, render, to_dot


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


FLOOR_SECONDS = 3.0
FLOOR_PIXELS = 4000
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples")


def example(name: str):
    """Import ``examples/NAME.py`` (quietly: some print as they train)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    with contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(module)
    return module


def sum_of_sines(terms: int):
    from gradviz.cli.expression import parse

    text = " + ".join(f"sin(x*{k})" for k in range(1, terms + 1))
    return gradviz.trace(parse(text).function, 0.3)


def example_traces():
    """One trace of each example's function, called as the example calls it."""
    lecture = example("lecture_trace")
    yield "lecture z = x1·x2 + sin x1", lambda: gradviz.trace(lecture.z, 2.0, 5.0)
    dot_graph = example("dot_graph")
    yield "dot_graph layer", lambda: gradviz.trace(dot_graph.layer, 0.7, numpy.array([1.5, -0.3]))
    custom = example("custom_primitive")
    yield "custom_primitive loss", lambda: gradviz.trace(custom.loss, numpy.array([0.5, -1.0, 2.0]))
    mlp = example("mlp_moons")
    X, y = _moons(200)  # as the example draws them
    yield "mlp_moons MLP loss", lambda: gradviz.trace(mlp.loss, mlp.init_params(), X, y)
    moons = example("moons_lecture")
    yield "moons_lecture loss", lambda: gradviz.trace(moons.loss, numpy.array([1.0, 1.0]))
    adam = example("neural_net_adam")
    inputs, targets = adam.make_moons()
    yield "neural_net_adam loss", lambda: gradviz.trace(adam.loss, adam.init_params([2, 16, 16, 2]),
                                                         inputs, targets)
    gp = example("gaussian_process")
    x, y_gp = gp.make_data()
    yield "gaussian_process likelihood", lambda: gradviz.trace(
        gp.log_marginal_likelihood, numpy.array([0.0, 0.0, -1.0]), x, y_gp)


def _moons(n):
    import sklearn.datasets

    return sklearn.datasets.make_moons(n, noise=0.1, random_state=0)


def png_size(path: str) -> tuple[int, int]:
    """Width and height from the PNG's header (its IHDR chunk), without decoding it."""
    with open(path, "rb") as file:
        header = file.read(24)
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def floor(repeat: int, directory: str) -> bool:
    """Print each case's PNG time and size against the floor; ``True`` when all are within."""
    cases = [*example_traces(), ("sum of 39 sines", lambda: sum_of_sines(39)),
             ("sum of 1 000 sines", lambda: sum_of_sines(1000))]
    print(f"\nfloor: render to PNG in <= {FLOOR_SECONDS:g} s, <= {FLOOR_PIXELS:,} px on the longer side")
    print(f"  {'case':<30} {'nodes':>6} {'seconds':>8} {'pixels':>12}")
    within = True
    for name, make in cases:
        trace = make()
        path = os.path.join(directory, "floor.png")
        seconds = median_seconds(lambda: render(trace, path), repeat)
        width, height = png_size(path)
        good = seconds <= FLOOR_SECONDS and max(width, height) <= FLOOR_PIXELS
        within &= good
        print(f"  {name:<30} {len(trace):>6,} {seconds:>8.2f} {f'{width}×{height}':>12}  "
              f"{'ok' if good else 'OVER'}")
    trace = sum_of_sines(39)
    path = os.path.join(directory, "full.png")
    seconds = median_seconds(lambda: render(trace, path, max_nodes=0), 1)
    width, height = png_size(path)
    good = max(width, height) <= FLOOR_PIXELS
    within &= good
    print(f"  {'sum of 39 sines, max_nodes=0':<30} {len(trace):>6,} {seconds:>8.2f} "
          f"{f'{width}×{height}':>12}  {'ok' if good else 'OVER'} (pixels only)")
    return within


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
    parser.add_argument("--floor-only", action="store_true", help="only the floor's cases")
    arguments = parser.parse_args()
    repeat = arguments.repeat
    where = "the dot program" if backend.dot_program() else "in process (pygraphviz)"
    print(f"Graphviz: {where}; medians of {repeat} runs")
    directory = tempfile.mkdtemp()
    within = floor(repeat, directory)
    print(f"floor {'met' if within else 'NOT met'}")
    if arguments.floor_only:
        sys.exit(0 if within else 1)
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
