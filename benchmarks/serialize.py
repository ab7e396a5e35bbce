"""Saving and loading a large trace: a 100 001-node chain of sines (issue 15's floor: each
at most 3 s and at most 3× the trace's own memory).

Run ``OPENBLAS_NUM_THREADS=1 python benchmarks/serialize.py [--nodes N]``. Prints the time
and peak memory (tracemalloc: numpy's buffers included) of ``save_trace`` and
``load_trace``, the file's size, the trace's own memory (its peak while being recorded), the
ratios, and the time of ``gradviz trace`` printing the tables of the loaded file. Not a
test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
import tracemalloc

import gradviz
import gradviz.cli
import gradviz.numpy as np
from gradviz.export.serialize import load_trace, save_trace


def chain(operations: int):
    def f(x):
        for _ in range(operations):
            x = np.sin(x)
        return x

    return f


def measured(function, *args):
    """``(result, seconds, peak bytes)`` of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_001)
    parser.add_argument("--tables", action="store_true", help="also time 'gradviz trace FILE'")
    arguments = parser.parse_args()
    trace, seconds, own = measured(gradviz.trace, chain(arguments.nodes - 1), 0.5)
    print(f"trace of {len(trace):,} nodes: {seconds:.2f} s, {own / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "chain.json")
        _, save_seconds, save_peak = measured(save_trace, trace, path)
        size = os.path.getsize(path)
        loaded, load_seconds, load_peak = measured(load_trace, path)
        assert len(loaded) == len(trace)
        print(f"file: {size / 1e6:.1f} MB")
        for what, s, peak in (("save", save_seconds, save_peak), ("load", load_seconds, load_peak)):
            print(f"{what}: {s:.2f} s, peak {peak / 1e6:.1f} MB = {peak / own:.2f}× the trace's memory")
        if arguments.tables:
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()) as out:
                gradviz.cli.main(["trace", path])
            print(f"gradviz trace FILE: {time.perf_counter() - start:.2f} s, "
                  f"{len(out.getvalue()) / 1e6:.1f} MB of tables")


if __name__ == "__main__":
    main()
