"""How fast the inspector answers a key, opens, quits, and what recording every iteration costs.

Run: ``python benchmarks/inspector.py [--runs N]``. Not a test: it prints medians and a table of
each measure against its budget (issue 12, item 10); exit status 1 when one is over.

1. Key press to updated screen on a 1 000-node trace, in textual's headless pilot: the time
   from the app receiving the key event to the end of the screen refresh that shows the move
   (``call_after_refresh``), median over many presses of each key. Budget: 50 ms. The
   pilot's own round trip (``press`` + ``pause``) is printed too, with the round trip of a
   key bound to nothing: the difference is what the inspector adds.
2. ``gradviz train moons --inspect`` in a pseudo-terminal of 80×24 (and 140×45): the time from
   starting the program to the first screen with the panels drawn (the where line and the
   footer), budget 1.5 s; then from the ``q`` key to the end of the process, budget 0.3 s
   (the time until the terminal is restored is printed too). The processes' CPU time is
   printed beside the wall-clock time: on a loaded machine it is the steadier number.
3. ``gradviz --help`` from start to exit, budget 0.5 s.
4. Training the lecture's classifier (500 samples, 100 steps) with every iteration's trace
   kept for the inspector, against plain training, in the same run. Budget: 2×.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from textual import events

import gradviz
import gradviz.numpy as np
from gradviz.inspector import make_state
from gradviz.inspector.app import InspectorApp
from gradviz.train.moons import logistic_model, moons_data, train


def thousand_node_trace():
    def f(x1, x2):
        w = x1 * x2
        for k in range(666):  # 1 002 nodes
            w = np.sin(w) * x2 if k % 2 else w + x1
        return w

    return gradviz.trace(f, 0.3, 0.7)


class TimedInspector(InspectorApp):
    """The inspector, noting when each key arrives and when its move is on the screen."""

    def __init__(self, state):
        super().__init__(state)
        self.latencies: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # the process's CPU time over the same span
        self._arrived = (None, 0.0, 0.0)

    async def on_event(self, event) -> None:
        if isinstance(event, events.Key):
            self._arrived = (event.key, time.perf_counter(), time.process_time())
        await super().on_event(event)

    def _moved(self) -> None:
        super()._moved()
        key, start, cpu = self._arrived

        def shown() -> None:
            self.latencies.setdefault(key, []).append(time.perf_counter() - start)
            self.cpu.setdefault(key, []).append(time.process_time() - cpu)

        self.call_after_refresh(shown)


async def _press(app: InspectorApp, keys: list[str]) -> dict[str, list[float]]:
    round_trips: dict[str, list[float]] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for key in keys:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            round_trips.setdefault(key, []).append(time.perf_counter() - start)
    return round_trips


def key_latency(presses: int = 150, two_d: bool = False):
    """Key to screen in the tree view of the graph, or (``two_d``) in its 2-D view."""
    trace = thousand_node_trace()
    print(f"trace: {len(trace)} nodes, {len(trace.sweeps)} sweeps")
    app = TimedInspector(make_state(trace))
    app.two_d = two_d
    # the first visit to each sweep builds its table rows once: done here, before measuring
    keys = ["f", "f", "f", "f"] + ["left"] * 4 + ["right"] * presses + ["left"] * presses
    keys += ["s", "s"] * 20 + ["f", "left"] * 20 + ["z"] * 40
    round_trips = asyncio.run(_press(app, keys))
    for key in ("f", "left"):
        app.latencies[key] = app.latencies[key][4:]
        app.cpu[key] = app.cpu[key][4:]
    return app.latencies, app.cpu, round_trips


def recording_cost(repeats: int = 7) -> tuple[float, float]:
    X, y = moons_data(500, 0.1, seed=0)
    train(logistic_model(), X, y, steps=10, keep_traces=True)  # warm caches
    plain, recorded = [], []
    for _ in range(repeats):
        for keep, times in ((False, plain), (True, recorded)):
            start = time.perf_counter()
            train(logistic_model(), X, y, steps=100, learning_rate=0.001, keep_traces=keep)
            times.append(time.perf_counter() - start)
    return statistics.median(plain), statistics.median(recorded)


def gradviz_command() -> list[str]:
    """The installed ``gradviz`` program beside this Python, else ``python -m gradviz.cli``."""
    program = Path(sys.executable).with_name("gradviz")
    return [str(program)] if program.exists() else [sys.executable, "-m", "gradviz.cli"]


def _read_until(fd: int, wanted: list[bytes], timeout: float = 60.0) -> bool:
    seen, start = b"", time.perf_counter()
    while time.perf_counter() - start < timeout:
        if select.select([fd], [], [], 0.01)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the program ended
                return False
            if not chunk:
                return False
            seen = (seen + chunk)[-200_000:]
            if all(marker in seen for marker in wanted):
                return True
    return False


def open_and_quit(argv: list[str], size: tuple[int, int]) -> tuple[float, float, float, float]:
    """One run of the inspector in a pseudo-terminal: (first screen, terminal restored after
    ``q``, process ended after ``q``, CPU time of the process), in seconds."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the pseudo-terminal
        os.environ.update(TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    start = time.perf_counter()
    if not _read_until(fd, [b"step 1 of", b"quit"]):
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise RuntimeError(f"{' '.join(argv)} showed no first screen")
    first = time.perf_counter() - start
    time.sleep(0.3)  # let the first screen settle, then drain what it wrote
    while select.select([fd], [], [], 0)[0] and os.read(fd, 65536):
        pass
    pressed = time.perf_counter()
    os.write(fd, b"q")
    restored = (time.perf_counter() - pressed) if _read_until(fd, [b"\x1b[?1049l"], 10) else float("nan")
    _read_until(fd, [b"never printed"], 10)  # to the end of its output
    _, _, usage = os.wait4(pid, 0)
    ended = time.perf_counter() - pressed
    os.close(fd)
    return first, restored, ended, usage.ru_utime + usage.ru_stime


def help_time(runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU time of ``gradviz --help``."""
    walls, cpus = [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(gradviz_command() + ["--help"], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        assert status == 0, "gradviz --help failed"
    return statistics.median(walls), statistics.median(cpus)


def _row(measure: str, median: float, budget: float | None, unit: str, note: str = "") -> bool:
    ok = budget is None or median <= budget
    limit = f"≤ {budget:g} {unit}" if budget is not None else ""
    verdict = "" if budget is None else ("ok" if ok else "OVER")
    print(f"| {measure:<44} | {median:8.3f} {unit:<2} | {limit:<9} | {verdict:<4} | {note}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each program (5)")
    runs = parser.parse_args().runs
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f}; medians of {runs} runs")
    table = []
    for size in ((80, 24), (140, 45)):
        samples = [open_and_quit(gradviz_command() + ["train", "moons", "--inspect"], size)
                   for _ in range(runs)]
        first, restored, ended, cpu = (statistics.median(column) for column in zip(*samples))
        table.append((f"train moons --inspect {size[0]}×{size[1]}: first screen", first, 1.5, "s",
                      f"process CPU {cpu:.2f} s in all"))
        table.append((f"train moons --inspect {size[0]}×{size[1]}: quit to exit", ended, 0.3, "s",
                      f"terminal restored after {restored:.3f} s"))
    wall, cpu = help_time(max(runs, 7))
    table.append(("gradviz --help", wall, 0.5, "s", f"CPU {cpu:.3f} s"))
    latencies, cpu, round_trips = key_latency()
    for key, samples in latencies.items():
        table.append((f"key {key!r} to screen, 1 002-node trace", statistics.median(samples) * 1000,
                      50.0, "ms", f"CPU {statistics.median(cpu[key]) * 1000:.1f} ms, max "
                      f"{max(samples) * 1000:.0f} ms, {len(samples)} presses; pilot round trip "
                      f"{statistics.median(round_trips[key]) * 1000:.0f} ms"))
    latencies, cpu, _ = key_latency(60, two_d=True)
    for key in ("right", "left"):
        samples = latencies[key]
        table.append((f"key {key!r} to screen, 2-D view (v)", statistics.median(samples) * 1000,
                      50.0, "ms", f"CPU {statistics.median(cpu[key]) * 1000:.1f} ms, "
                      f"{len(samples)} presses"))
    table.append(("pilot round trip of an unbound key ('z')",
                  statistics.median(round_trips["z"]) * 1000, None, "ms", ""))
    plain, recorded = recording_cost()
    table.append(("training 100 steps, recording / plain", recorded / plain, 2.0, "×",
                  f"plain {plain * 1000:.0f} ms, recording {recorded * 1000:.0f} ms"))
    print(f"| {'measure':<44} | {'median':>11} | {'budget':<9} |      |")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 11}|------|")
    ok = all([_row(*row) for row in table])
    print("within every budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
