"""Printing the evaluation trace of a function and the reverse sweep over it, with gradviz's
public API only: every node of the Wengert list with its operation, its arguments, its value
and the line of code that made it, then each node's adjoint.

Run: ``python examples/print_trace.py``
"""

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.engine.source import describe_site


def f(x):
    y = np.sin(x) * x
    return np.sum(np.exp(-y) + y ** 2)


def main():
    x = numpy.array([0.5, 1.0, 2.0])
    trace = gradviz.trace(f, x, forward=False)
    print("evaluation trace:")
    for node in trace:
        parents = ", ".join(trace.nodes[i].name for _, i in node.parents)
        site = f"  [{describe_site(node.site)}]" if node.site else ""
        print(f"  {node.name} = {node.op}({parents})  value {numpy.round(node.value, 4)}{site}")
    print("reverse sweep (adjoints, from the output back):")
    for node in reversed(trace.nodes):
        print(f"  {node.name}: {numpy.round(trace.adjoint(node.index), 4)}")
    gradient = trace.adjoint(0)
    print("gradient:", gradient)
    return trace, gradient


if __name__ == "__main__":
    main()
