"""Engine speed: gradviz against HIPS autograd and hand-written numpy, in the same run.

Run: ``python benchmarks/engine.py`` (``pip install autograd`` adds its column). Prints the
median of several rounds of each workload and the ratios the engine is held to. The things
compared run in turn within each round, so that a busy moment on a shared machine slows them
alike:

W1  the lecture's loop: make_moons(500), loss + grad per step, the trace kept by
    ``gradviz.record()``: gradviz / hand numpy ≤ 3
W2  the same model at N = 200 000: grad (forward included) / hand forward + gradient ≤ 1.3
W3  a 2-64-64-1 tanh MLP on 10 000 moons: grad / hand-written gradient ≤ 1.1
W4  a chain of 3 000 scalar ops (x = sin(x)·1.0001 + 0.1): forward + reverse ≤ 3 µs per op
W5  the W1 gradient by two forward sweeps / by one reverse sweep ≤ 1.5
W6  the W2 gradient with ``X @ w`` / with ``np.dot(X, w)`` ≤ 1.1

Nothing here tunes the allocator (``gradviz.tune_allocator`` is opt-in), so gradviz, autograd
and hand numpy run on glibc's default settings alike.

Times are this process's CPU time (user + system, page faults included) by default: on a
machine shared with other work, the wall clock also counts the time the process waited for a
core, which lands on whichever side of a ratio was running then. ``GRADVIZ_BENCH_CLOCK=wall``
times by the wall clock instead (what a user on a quiet machine sees).
"""

from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # two BLAS threads are erratic on small machines

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy  # noqa: E402
import sklearn.datasets  # noqa: E402

import gradviz  # noqa: E402
import gradviz.numpy as gnp  # noqa: E402

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # the autograd column is optional
    autograd = anp = None

REPEATS = int(os.environ.get("GRADVIZ_BENCH_REPEATS", "15"))
CLOCK = os.environ.get("GRADVIZ_BENCH_CLOCK", "cpu")
if CLOCK not in ("cpu", "wall"):
    sys.exit(f"GRADVIZ_BENCH_CLOCK={CLOCK!r}: give cpu (this process's CPU time) or wall")
_now = time.process_time if CLOCK == "cpu" else time.perf_counter


def medians(functions: dict, repeats: int = REPEATS, number: int = 1) -> dict[str, float]:
    """Median over ``repeats`` rounds of the mean time of ``number`` calls, in seconds, per
    function. Each round times every function in turn, so that a busy moment on a shared
    machine slows all of them alike instead of one: the ratios are what is compared."""
    for function in functions.values():
        function()  # warm up caches and imports
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = _now()
            for _ in range(number):
                function()
            samples[name].append((_now() - start) / number)
    return {name: statistics.median(times) for name, times in samples.items()}


# --- the lecture's logistic regression ---------------------------------------------------------


def logistic_loss(np):
    def loss(weights, X, y):
        preds = 0.5 * (np.tanh(np.dot(X, weights)) + 1)
        label_probabilities = np.log(preds) * y + np.log(1 - preds) * (1 - y)
        return -np.sum(label_probabilities)

    return loss


def hand_loss_and_grad(weights, X, y):
    a = X @ weights
    t = numpy.tanh(a)
    p = 0.5 * (t + 1)
    loss = -numpy.sum(numpy.log(p) * y + numpy.log(1 - p) * (1 - y))
    dp = -(y / p - (1 - y) / (1 - p)) * 0.5 * (1 - t * t)
    return loss, X.T @ dp


def hand_forward(weights, X, y):
    p = 0.5 * (numpy.tanh(X @ weights) + 1)
    return -numpy.sum(numpy.log(p) * y + numpy.log(1 - p) * (1 - y))


def training_loop(loss, gradient, X, y, steps=100):
    def run():
        weights = numpy.array([1.0, 1.0])
        for _ in range(steps):
            loss(weights, X, y)
            weights = weights - gradient(weights, X, y) * 0.001

    return run


def w1():
    X, y = sklearn.datasets.make_moons(500, noise=0.1, random_state=0)
    g_loss = logistic_loss(gnp)
    plain = training_loop(g_loss, gradviz.grad(g_loss), X, y)

    def recorded():
        with gradviz.record(keep=1):
            plain()

    # Both sides run the same loop: the loss each step (the lecture prints it), then the gradient.
    loops = {"hand numpy": training_loop(hand_forward,
                                         lambda w, X, y: hand_loss_and_grad(w, X, y)[1], X, y),
             "gradviz": plain, "gradviz, traces kept": recorded}
    if autograd is not None:
        a_loss = logistic_loss(anp)
        loops["autograd"] = training_loop(a_loss, autograd.grad(a_loss), X, y)
    results = {name: seconds / 100 for name, seconds in medians(loops).items()}  # per step
    return results, "gradviz, traces kept", "hand numpy", 3.0


def w2():
    X, y = sklearn.datasets.make_moons(200_000, noise=0.1, random_state=0)
    w = numpy.array([1.0, 1.0])
    g = gradviz.grad(logistic_loss(gnp))
    functions = {"hand forward": lambda: hand_forward(w, X, y),
                 "hand forward + gradient": lambda: hand_loss_and_grad(w, X, y),
                 "gradviz": lambda: g(w, X, y)}
    if autograd is not None:
        a = autograd.grad(logistic_loss(anp))
        functions["autograd"] = lambda: a(w, X, y)
    return medians(functions, repeats=max(REPEATS, 21)), "gradviz", "hand forward + gradient", 1.3


def mlp_loss(np):
    def loss(params, X, y):
        W1, b1, W2, b2, W3, b3 = params
        h1 = np.tanh(np.dot(X, W1) + b1)
        h2 = np.tanh(np.dot(h1, W2) + b2)
        out = np.dot(h2, W3) + b3
        return np.mean((out[:, 0] - y) ** 2)

    return loss


def mlp_hand_grad(params, X, y):
    W1, b1, W2, b2, W3, b3 = params
    h1 = numpy.tanh(X @ W1 + b1)
    h2 = numpy.tanh(h1 @ W2 + b2)
    out = h2 @ W3 + b3
    d_out = (2.0 / len(y)) * (out[:, 0] - y)[:, None]
    d_h2 = (d_out @ W3.T) * (1 - h2 * h2)
    d_h1 = (d_h2 @ W2.T) * (1 - h1 * h1)
    return (X.T @ d_h1, d_h1.sum(0), h1.T @ d_h2, d_h2.sum(0), h2.T @ d_out, d_out.sum(0))


def w3():
    X, y = sklearn.datasets.make_moons(10_000, noise=0.1, random_state=0)
    rng = numpy.random.default_rng(0)
    params = (rng.normal(size=(2, 64)) * 0.5, numpy.zeros(64), rng.normal(size=(64, 64)) * 0.2,
              numpy.zeros(64), rng.normal(size=(64, 1)) * 0.2, numpy.zeros(1))
    g = gradviz.grad(mlp_loss(gnp))
    functions = {"hand gradient": lambda: mlp_hand_grad(params, X, y), "gradviz": lambda: g(params, X, y)}
    if autograd is not None:
        a = autograd.grad(mlp_loss(anp))
        functions["autograd"] = lambda: a(params, X, y)
    return medians(functions), "gradviz", "hand gradient", 1.1


def w4():
    def chain(np):
        def f(x):
            for _ in range(1000):
                x = np.sin(x) * 1.0001 + 0.1
            return x

        return f

    ops = 3000
    functions = {"gradviz": lambda: gradviz.grad(chain(gnp))(0.3)}
    if autograd is not None:
        functions["autograd"] = lambda: autograd.grad(chain(anp))(0.3)
    functions["plain numpy, no derivative"] = lambda: chain(numpy)(0.3)
    results = {name: seconds / ops for name, seconds in medians(functions, repeats=9).items()}
    return results, "gradviz", None, 3e-6


def w5():
    X, y = sklearn.datasets.make_moons(500, noise=0.1, random_state=0)
    w = numpy.array([1.0, 1.0])
    loss = logistic_loss(gnp)
    functions = {"reverse: 1 sweep": lambda: gradviz.grad(loss)(w, X, y),
                 "forward: 2 sweeps": lambda: gradviz.jacobian_forward(loss)(w, X, y)}
    return medians(functions, number=20), "forward: 2 sweeps", "reverse: 1 sweep", 1.5


def matmul_loss(weights, X, y):
    preds = 0.5 * (gnp.tanh(X @ weights) + 1)
    return -gnp.sum(gnp.log(preds) * y + gnp.log(1 - preds) * (1 - y))


def w6():
    X, y = sklearn.datasets.make_moons(200_000, noise=0.1, random_state=0)
    w = numpy.array([1.0, 1.0])
    by_dot, by_matmul = gradviz.grad(logistic_loss(gnp)), gradviz.grad(matmul_loss)
    functions = {"np.dot(X, w)": lambda: by_dot(w, X, y), "X @ w": lambda: by_matmul(w, X, y)}
    return medians(functions, repeats=max(REPEATS, 21)), "X @ w", "np.dot(X, w)", 1.1


def main() -> int:
    failures = 0
    print(f"clock: {'CPU time of this process' if CLOCK == 'cpu' else 'wall clock'}; "
          f"{REPEATS} rounds; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    for name, workload in [("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5), ("W6", w6)]:
        results, subject, reference, bound = workload()
        print(f"{name}: " + workload.__doc__.strip() if workload.__doc__ else name)
        for label, seconds in results.items():
            print(f"    {label:<28} {seconds * 1e6:12.1f} µs (median)")
        if reference is None:
            value = results[subject]
            print(f"    {subject}: {value * 1e6:.2f} µs per op (bound {bound * 1e6:.1f} µs)")
            ok = value <= bound
        else:
            value = results[subject] / results[reference]
            print(f"    ratio {subject} / {reference} = {value:.2f} (bound {bound})")
            ok = value <= bound
            for label in results:  # the others against the same reference, for context
                if label not in (subject, reference):
                    print(f"    ratio {label} / {reference} = {results[label] / results[reference]:.2f}")
        failures += not ok
        print("    " + ("within bound" if ok else "ABOVE BOUND"))
        sys.stdout.flush()
    return 1 if failures else 0


w1.__doc__ = "the lecture's loop, per step (make_moons(500), loss + grad)"
w2.__doc__ = "grad at N = 200 000 against the hand-written forward pass"
w3.__doc__ = "2-64-64-1 tanh MLP on 10 000 moons, grad against the hand gradient"
w4.__doc__ = "a chain of 3 000 scalar ops, forward + reverse per op"
w5.__doc__ = "the W1 gradient by two forward sweeps against one reverse sweep"
w6.__doc__ = "the W2 gradient written with X @ w against np.dot(X, w)"

if __name__ == "__main__":
    sys.exit(main())
