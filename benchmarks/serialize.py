"""Saving and loading a large trace: a 100 001-node chain of sines (issue 15's floor: each
at most 3 s and at most 3× the trace's own memory).

Run ``OPENBLAS_NUM_THREADS=1 python benchmarks/serialize.py [--nodes N] [--repeat R]``.
Times and memory are measured in separate runs (tracemalloc slows what it watches): the
median time of ``save_trace`` and ``load_trace`` over R runs, beside ``json.dumps`` and
``json.loads`` of the same columns (the floor any JSON format pays); then the peak memory of
each (tracemalloc, numpy's buffers included) as a ratio to the trace's own memory (its peak
while being recorded); the file's size; and the time of ``gradviz trace FILE`` (its tables, cut
to their first and last rows) and of ``gradviz inspect FILE`` in plain mode. Wall-clock and CPU
medians are both shown: on a loaded machine the CPU time is the steadier. Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import tempfile
import time
import tracemalloc

import gradviz
import gradviz.cli
import gradviz.numpy as np
from gradviz.export.serialize import load_trace, save_trace, trace_to_dict


def chain(operations: int):
    def f(x):
        for _ in range(operations):
            x = np.sin(x)
        return x

    return f


def seconds(function, *args, repeat: int = 3) -> float:
    """The median time of ``repeat`` calls."""
    return timed(function, *args, repeat=repeat)[0]


def timed(function, *args, repeat: int = 3) -> tuple[float, float]:
    """The median wall-clock time and the median CPU time of ``repeat`` calls (on a shared,
    loaded machine the CPU time is the steadier of the two)."""
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function(*args)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu)


def peak(function, *args) -> tuple:
    """``(result, peak bytes)`` of one call, under tracemalloc."""
    tracemalloc.start()
    result = function(*args)
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_001)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-tables", action="store_true", help="skip timing 'gradviz trace FILE'")
    arguments = parser.parse_args()
    repeat = arguments.repeat
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    trace, own = peak(gradviz.trace, chain(arguments.nodes - 1), 0.5)
    print(f"trace of {len(trace):,} nodes: {own / 1e6:.1f} MB of its own")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "chain.json")
        save, save_cpu = timed(save_trace, trace, path, repeat=repeat)
        load, load_cpu = timed(load_trace, path, repeat=repeat)
        columns = trace_to_dict(trace)
        text = json.dumps(columns, separators=(",", ":"))
        dumps = seconds(json.dumps, columns, repeat=repeat)
        loads = seconds(json.loads, text, repeat=repeat)
        del columns, text
        print(f"file: {os.path.getsize(path) / 1e6:.1f} MB")
        print(f"save {save:.2f} s (json.dumps of its columns {dumps:.2f} s, {save / dumps:.1f}×); "
              f"load {load:.2f} s (json.loads {loads:.2f} s, {load / loads:.1f}×); medians of {repeat}")
        print(f"CPU time: save {save_cpu:.2f} s, load {load_cpu:.2f} s")
        _, save_peak = peak(save_trace, trace, path)
        loaded, load_peak = peak(load_trace, path)
        assert len(loaded) == len(trace)
        del loaded
        for what, top in (("save", save_peak), ("load", load_peak)):
            print(f"{what} peak {top / 1e6:.1f} MB = {top / own:.2f}× the trace's memory")
        if arguments.no_tables:
            return
        for command in (["trace", path], ["inspect", path]):
            out = io.StringIO()
            start, start_cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                gradviz.cli.main(command)  # inspect prints plain text: stdout is not a terminal
            print(f"gradviz {command[0]} FILE: {time.perf_counter() - start:.2f} s "
                  f"({time.process_time() - start_cpu:.2f} s CPU), {len(out.getvalue()) / 1e6:.2f} MB printed")
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
