"""Drawing the computation graph of a function, with gradviz's public API only.

The function is a two-unit tanh layer read out by a dot product. ``gradviz.trace`` runs it
once and records every operation; ``to_networkx`` gives the graph as a networkx DiGraph (one
node per operation, an edge per argument), ``to_dot`` its Graphviz source, and ``render``
draws it to a picture without a system ``dot`` program.

Run: ``python examples/dot_graph.py [picture.png]``
"""

import sys

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.export.graph import to_networkx
from gradviz.renderer import render, to_dot


def layer(x, w):
    hidden = np.tanh(w * x + 0.5)
    return np.dot(hidden, np.array([1.0, -2.0]))


def main(path=None):
    trace = gradviz.trace(layer, 0.7, numpy.array([1.5, -0.3]), names=["x", "w"],
                          output_names=["y"])
    graph = to_networkx(trace)
    print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    for parent, child in graph.edges:
        print(f"  {graph.nodes[parent]['op']} -> {graph.nodes[child]['op']}")
    source = to_dot(trace).source
    if path is not None:
        print("wrote", render(trace, path))
    return graph, source


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dot_graph.png")
