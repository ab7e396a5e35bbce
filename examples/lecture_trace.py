"""The lecture's example z = x1·x2 + sin x1, table by table.

Prints the forward accumulation table for ∂z/∂x1 (seeds ẇ1 = 1, ẇ2 = 0), again for ∂z/∂x2,
and the reverse accumulation table, each number taken from the recorded sweeps; then checks
them against the closed forms ∂z/∂x1 = x2 + cos x1 and ∂z/∂x2 = x1. With the renderer
installed it also writes the two graph figures (tangents, adjoints) next to this file.

Run: ``python examples/lecture_trace.py [x1 x2]``
"""

import math
import sys

from rich.console import Console

import gradviz
import gradviz.numpy as np
from gradviz.export.tables import forward_table, reverse_table


def z(x1, x2):
    return x1 * x2 + np.sin(x1)


def main(x1: float = 2.0, x2: float = 5.0, console: Console | None = None) -> gradviz.Trace:
    console = console or Console()
    trace = gradviz.trace(z, x1, x2, output_names=["z"])
    console.print(forward_table(trace, 0))
    console.print(forward_table(trace, 1))
    console.print(reverse_table(trace, 0))
    dz_dx1, dz_dx2 = trace.adjoint(0), trace.adjoint(1)
    console.print(f"reverse sweep: ∂z/∂x1 = {dz_dx1:.4f}, ∂z/∂x2 = {dz_dx2:.4f}")
    console.print(f"closed forms:  x2 + cos x1 = {x2 + math.cos(x1):.4f}, x1 = {x1:.4f}")
    console.print(f"forward sweeps agree: {trace.tangent(4, 0):.4f}, {trace.tangent(4, 1):.4f}")
    return trace


if __name__ == "__main__":
    values = [float(v) for v in sys.argv[1:3]] or [2.0, 5.0]
    result = main(*values)
    try:
        from gradviz.renderer import render
    except ImportError:
        sys.exit(0)
    render(result, "lecture_tangents.png", mode="forward")
    render(result, "lecture_adjoints.png", mode="reverse")
    print("wrote lecture_tangents.png and lecture_adjoints.png")
