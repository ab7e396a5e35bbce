"""The cyclic garbage collector stays out of a gradient's way, and is left as it was found.

A tape holds no reference cycle (reference counting frees it), so the collector is paused
while a gradient records and sweeps; it must be set back afterwards whatever happens.
"""

import gc
import threading

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.engine.tracer import tracing_depth


def _chain(x):
    for _ in range(1000):
        x = np.sin(x) * 1.0001 + 0.1
    return x


@pytest.fixture
def collections(monkeypatch):
    """The generations of the collections that start while a tape records or is swept."""
    from gradviz import differential

    seen, sweeping = [], []

    def count(phase, info):
        if phase == "start" and (tracing_depth() or sweeping):
            seen.append(info["generation"])

    def watched(sweep):
        def run(*args, **kwargs):
            sweeping.append(True)
            try:
                return sweep(*args, **kwargs)
            finally:
                sweeping.pop()

        return run

    monkeypatch.setattr(differential, "reverse_sweep", watched(differential.reverse_sweep))
    monkeypatch.setattr(differential, "forward_sweeps", watched(differential.forward_sweeps))
    gc.callbacks.append(count)
    yield seen
    gc.callbacks.remove(count)


def test_a_gradient_runs_no_collection_and_leaves_the_collector_on(collections):
    assert gc.isenabled()
    thresholds = gc.get_threshold()
    value = gradviz.grad(_chain)(0.3)
    assert collections == []  # 3 000 recorded operations and their sweep made none run
    assert gc.isenabled() and gc.get_threshold() == thresholds
    # the answer is the lecture's: the chain rule along the chain, by hand
    x, expected = 0.3, 1.0
    for _ in range(1000):
        expected *= numpy.cos(x) * 1.0001
        x = numpy.sin(x) * 1.0001 + 0.1
    assert value == pytest.approx(expected, rel=1e-12)


def test_forward_sweeps_run_no_collection(collections):
    x = numpy.linspace(0.1, 0.9, 3)
    jacobian = gradviz.jacobian_forward(_chain)(x)
    assert collections == []
    assert gc.isenabled()
    # make_vjp's tape outlives the call that records it, and the collector runs in between
    vjp_fn, _ = gradviz.make_vjp(_chain)(x)
    numpy.testing.assert_allclose(vjp_fn(numpy.ones(3)), numpy.diag(jacobian), rtol=1e-12)
    assert gc.isenabled()


def test_a_tape_leaves_no_garbage_for_the_collector():
    # Why pausing is safe: what a gradient records is freed by reference counting alone.
    gc.collect()
    gc.disable()
    try:
        gradviz.grad(_chain)(0.3)
        with gradviz.record():
            gradviz.grad(_chain)(0.3)
        gradviz.jacobian_forward(_chain)(numpy.array([0.1, 0.2]))
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_recorded_trace_is_freed_by_reference_counting():
    # A training loop keeps a trace per step: one that pointed back at itself through its
    # tape (the tape's letter) was freed only by the cyclic collector, arrays and all.
    gc.collect()
    gc.disable()
    try:
        with gradviz.record() as run:
            gradviz.grad(_chain)(0.3)
        trace = run.traces[-1]  # built, not yet shown (naming its nodes used to break the cycle)
        assert len(trace.tape.records) > 3 and trace.sweeps
        del trace, run
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_failing_gradient_leaves_the_collector_on():
    def broken(x):
        np.sin(x)
        raise ValueError("broken on purpose")

    with pytest.raises(ValueError, match="on purpose"):
        gradviz.grad(broken)(0.3)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_user_stays_off():
    gc.disable()
    try:
        gradviz.grad(_chain)(0.3)
        gradviz.grad(gradviz.grad(np.sin))(0.3)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gradients_in_two_threads_leave_the_collector_on():
    barrier = threading.Barrier(2)
    results = []

    def work(x):
        barrier.wait()
        for _ in range(5):
            results.append(float(gradviz.grad(_chain)(x)))

    threads = [threading.Thread(target=work, args=(x,)) for x in (0.3, 0.7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10 and gc.isenabled()
    assert sorted(set(results)) == sorted({float(gradviz.grad(_chain)(x)) for x in (0.3, 0.7)})
