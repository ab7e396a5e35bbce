"""The lecture's cost claims, measured: forward mode needs one sweep per input, reverse mode
one sweep per output.

For f: Rⁿ → Rᵐ the full Jacobian costs n forward sweeps or m reverse sweeps. With n ≫ m
reverse mode wins, with m ≫ n forward mode wins. This script counts the sweeps each mode
records and times them.

Run: ``python examples/sweeps_cost.py [n]``
"""

import statistics
import sys
import time

import numpy

import gradviz
import gradviz.numpy as np

rng = numpy.random.default_rng(0)


def wide_to_narrow(n: int):
    """Rⁿ → R²: many inputs, few outputs (a loss function's shape)."""
    A = rng.standard_normal((2, n))
    return lambda x: np.tanh(np.dot(A, x))


def narrow_to_wide(m: int):
    """R² → Rᵐ: few inputs, many outputs."""
    B = rng.standard_normal((m, 2))
    return lambda x: np.tanh(np.dot(B, x))


def sweeps_and_time(mode: str, f, x, repeats: int = 5):
    """Count the sweeps one Jacobian records, and time the Jacobian (median of repeats)."""
    jacobian = gradviz.jacobian_forward(f) if mode == "forward" else gradviz.jacobian(f)
    with gradviz.record() as run:
        result = jacobian(x)
    sweeps = sum(len(trace.sweeps) for trace in run.traces)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jacobian(x)
        times.append(time.perf_counter() - start)
    return result, sweeps, statistics.median(times)


def main(n: int = 200):
    rows = []
    for label, f, x in [(f"R^{n} -> R^2", wide_to_narrow(n), rng.standard_normal(n)),
                        (f"R^2 -> R^{n}", narrow_to_wide(n), rng.standard_normal(2))]:
        forward, forward_sweeps, forward_time = sweeps_and_time("forward", f, x)
        reverse, reverse_sweeps, reverse_time = sweeps_and_time("reverse", f, x)
        assert numpy.allclose(forward, reverse)
        rows.append((label, forward_sweeps, reverse_sweeps, forward_time, reverse_time))
        print(f"{label:>14}: forward {forward_sweeps:4d} sweeps {forward_time * 1e3:8.2f} ms | "
              f"reverse {reverse_sweeps:4d} sweeps {reverse_time * 1e3:8.2f} ms | "
              f"faster: {'reverse' if reverse_time < forward_time else 'forward'}")
    return rows


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
