"""Each thread and each async task records on its own: its tracing depth, its ``record()``
and its sweep observers are its own, so work elsewhere in the process never lands in them."""

from __future__ import annotations

import asyncio
import threading

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.engine import sweeps
from gradviz.engine.tracer import tracing_depth


def _loss(w):
    return np.sum(np.tanh(w) ** 2)


def _expected(w):
    return 2 * numpy.tanh(w) * (1 - numpy.tanh(w) ** 2)


def test_two_threads_each_keep_their_own_recording_while_both_are_open():
    both_open = threading.Barrier(2)
    results: dict[str, tuple] = {}

    def train(name: str, w: numpy.ndarray, steps: int) -> None:
        with gradviz.record() as run:
            both_open.wait()  # each thread's grad calls happen while the other's record() is open
            gradients = [gradviz.grad(_loss)(w) for _ in range(steps)]
            both_open.wait()
        results[name] = (run, gradients, w)

    threads = [threading.Thread(target=train, args=("a", numpy.array([0.5, -1.0]), 3)),
               threading.Thread(target=train, args=("b", numpy.array([2.0, 0.1, 0.3]), 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, steps in (("a", 3), ("b", 5)):
        run, gradients, w = results[name]
        assert len(run.traces) == steps
        for trace, gradient in zip(run.traces, gradients):
            # each trace is this thread's own first-order gradient, on this thread's inputs
            assert trace.tape.level == 1
            numpy.testing.assert_array_equal(trace.value(trace.inputs[0]), w)
            numpy.testing.assert_allclose(trace.adjoint(trace.inputs[0]), _expected(w), rtol=1e-12)
            numpy.testing.assert_allclose(gradient, _expected(w), rtol=1e-12)


def test_a_grad_in_another_thread_is_first_order_while_this_one_is_recording():
    seen = {}

    def other():
        seen["depth"] = tracing_depth()
        seen["slope"] = gradviz.grad(lambda x: x ** 3)(2.0)

    def outer(x):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()  # runs while this tape is recording
        seen["depth here"] = tracing_depth()
        return x * x

    with gradviz.record() as run:
        assert gradviz.grad(outer)(3.0) == 6.0
    assert seen == {"depth": 0, "slope": 12.0, "depth here": 1}
    assert len(run.traces) == 1 and [n.op for n in run.traces[0].nodes] == ["input", "multiply"]


def test_an_observer_sees_only_the_sweeps_of_its_own_thread():
    seen_here: list[str] = []

    def observe(kind, node, value, terms):
        seen_here.append(kind)

    def elsewhere():
        gradviz.grad(lambda x: np.sin(x) * x)(1.0)

    with sweeps.observing(observe):
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert seen_here == []
        gradviz.grad(lambda x: np.sin(x))(1.0)
    assert seen_here == ["primal", "primal", "reverse"]
    assert sweeps.observers() == ()


def test_two_async_tasks_each_keep_their_own_recording():
    async def train(w, steps):
        with gradviz.record() as run:
            for _ in range(steps):
                gradviz.grad(_loss)(w)
                await asyncio.sleep(0)  # hand over to the other task mid-recording
        return run

    async def both():
        return await asyncio.gather(train(numpy.array([0.5]), 2), train(numpy.array([1.0, 2.0]), 4))

    first, second = asyncio.run(both())
    assert len(first.traces) == 2 and len(second.traces) == 4
    assert all(t.value(t.inputs[0]).shape == (1,) for t in first.traces)
    assert all(t.value(t.inputs[0]).shape == (2,) for t in second.traces)
