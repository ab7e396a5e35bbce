"""How fast the inspector answers a key, and what recording every iteration costs.

Run: ``python benchmarks/inspector.py``. Not a test: it prints medians.

1. Key press to updated screen on a 1 000-node trace, in textual's headless pilot: the time
   from the app receiving the key event to the end of the screen refresh that shows the move
   (``call_after_refresh``), median over many presses of each key. Budget: 50 ms. The
   pilot's own round trip (``press`` + ``pause``) is printed too, with the round trip of a
   key bound to nothing: the difference is what the inspector adds.
2. Training the lecture's classifier (500 samples, 100 steps) with every iteration's trace
   kept for the inspector, against plain training, in the same run. Budget: 2×.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

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
        self._arrived = (None, 0.0)

    async def on_event(self, event) -> None:
        if isinstance(event, events.Key):
            self._arrived = (event.key, time.perf_counter())
        await super().on_event(event)

    def _moved(self) -> None:
        super()._moved()
        key, start = self._arrived
        self.call_after_refresh(
            lambda: self.latencies.setdefault(key, []).append(time.perf_counter() - start))


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


def key_latency(presses: int = 150):
    trace = thousand_node_trace()
    print(f"trace: {len(trace)} nodes, {len(trace.sweeps)} sweeps")
    app = TimedInspector(make_state(trace))
    # the first visit to each sweep builds its table rows once: done here, before measuring
    keys = ["f", "f", "f", "f"] + ["left"] * 4 + ["right"] * presses + ["left"] * presses
    keys += ["s", "s"] * 20 + ["f", "left"] * 20 + ["z"] * 40
    round_trips = asyncio.run(_press(app, keys))
    for key in ("f", "left"):
        app.latencies[key] = app.latencies[key][4:]
    return app.latencies, round_trips


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


def main() -> int:
    latencies, round_trips = key_latency()
    worst = 0.0
    for key, samples in latencies.items():
        median = statistics.median(samples) * 1000
        worst = max(worst, median)
        print(f"key {key!r:8} to screen: median {median:5.1f} ms, max {max(samples) * 1000:6.1f} ms "
              f"({len(samples)} presses); pilot round trip median "
              f"{statistics.median(round_trips[key]) * 1000:5.1f} ms")
    print(f"key 'z' (bound to nothing): pilot round trip median "
          f"{statistics.median(round_trips['z']) * 1000:5.1f} ms")
    plain, recorded = recording_cost()
    ratio = recorded / plain
    print(f"training 100 steps: plain {plain * 1000:.1f} ms, recording every iteration "
          f"{recorded * 1000:.1f} ms, ratio {ratio:.2f}x")
    ok = worst <= 50.0 and ratio <= 2.0
    print("within budget (50 ms per key, 2x for recording)" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
