"""A small tanh MLP on the two moons, its every training iteration kept for the inspector.

The training loop is ordinary gradviz code; one ``with gradviz.record() as run:`` line keeps
each iteration's trace (the Wengert list and its recorded reverse sweep), and
``gradviz.inspect(run, ...)`` steps through them: every node's value and adjoint, the loss
curve, and the decision boundary drawn in the terminal, iteration by iteration.

Run: ``python examples/mlp_moons.py [steps]`` (opens the inspector in a terminal; piped or
with ``--plain`` it prints the steps instead).
"""

import sys

import numpy
import sklearn.datasets

import gradviz
import gradviz.numpy as np


def init_params(hidden: int = 8, seed: int = 0):
    rng = numpy.random.default_rng(seed)
    return [rng.normal(size=(2, hidden)) * 0.8, numpy.zeros(hidden),
            rng.normal(size=(hidden, 1)) * 0.8, numpy.zeros(1)]


def predict(params, inputs):
    """P(class 1 | x) = ½(tanh(tanh(x·W1 + b1)·W2 + b2) + 1)."""
    W1, b1, W2, b2 = params
    hidden = np.tanh(np.dot(inputs, W1) + b1)
    return 0.5 * (np.tanh(np.dot(hidden, W2) + b2)[:, 0] + 1)


def loss(params, inputs, labels):
    """Binary cross-entropy, averaged, as in the lecture (with the mean instead of the sum)."""
    p = predict(params, inputs)
    return -np.mean(np.log(p) * labels + np.log(1 - p) * (1 - labels))


def train(steps: int = 200, learning_rate: float = 0.5, samples: int = 200):
    X, y = sklearn.datasets.make_moons(samples, noise=0.1, random_state=0)
    params = init_params()
    loss_and_gradient = gradviz.value_and_grad(loss)
    losses = []
    with gradviz.record() as run:  # the one added line: keep every iteration's trace
        for _ in range(steps):
            value, gradient = loss_and_gradient(params, X, y)
            losses.append(float(value))
            params = [p - learning_rate * g for p, g in zip(params, gradient)]
    accuracy = float(numpy.mean((predict(params, X) > 0.5) == y))
    return run, params, losses, accuracy, (X, y)


def main(steps: int = 200, inspect: bool = True, plain: bool | None = None):
    run, params, losses, accuracy, (X, y) = train(steps)
    print(f"{len(run.traces)} iterations kept, {len(run.traces[0])} nodes each; "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, accuracy {accuracy:.2f}")
    if inspect:
        gradviz.inspect(run, inputs=X, labels=y, predict=predict, plain=plain)
    return run, losses, accuracy


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(arguments[0]) if arguments else 200, plain=True if "--plain" in sys.argv else None)
