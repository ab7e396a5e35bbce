"""The lecture's moons classifier: data, models and a training loop that keeps its traces.

The logistic model is the lecture's, line for line: ``activation(x) = 0.5·(tanh x + 1)``,
``predict = activation(inputs·weights)``, binary cross-entropy summed over the samples,
weights from ``[1, 1]``, steepest descent. :func:`mlp_model` swaps in a small tanh MLP.
:func:`iterate_training` yields one :class:`Iteration` per step, each with the trace of its
gradient evaluation (the Wengert list and the recorded reverse sweep), so the inspector can
step through iteration 37 exactly as it ran.

Example:
    >>> X, y = moons_data(samples=100, seed=0)
    >>> result = train(logistic_model(), X, y, steps=5, learning_rate=0.001)
    >>> len(result.losses), result.losses[-1] < result.losses[0]
    (5, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable, Iterator
from typing import Any

import numpy as onp

import gradviz.numpy as np
from gradviz.differential import record, value_and_grad
from gradviz.engine.trace import Trace
from gradviz.errors import GradvizError

__all__ = [
    "moons_data",
    "activation",
    "Model",
    "logistic_model",
    "mlp_model",
    "Iteration",
    "iterate_training",
    "TrainingResult",
    "train",
    "accuracy",
]


def moons_data(samples: int = 500, noise: float = 0.1, seed: int | None = 0):
    """The samples of ``sklearn.datasets.make_moons(samples, noise=noise, random_state=seed)``:
    inputs ``(samples, 2)``, labels 0/1 as floats.

    Example:
        >>> X, y = moons_data(samples=10)
        >>> X.shape, sorted(set(y.tolist()))
        ((10, 2), [0.0, 1.0])
    """
    if samples < 2:
        raise GradvizError(f"--samples must be at least 2, got {samples}")
    if noise < 0:
        raise GradvizError(f"--noise must be zero or positive, got {noise}")
    # Written out rather than imported: importing scikit-learn takes a second or more, which
    # was most of `gradviz train --inspect`'s wait for its first screen. The same draws from
    # the same RandomState give make_moons's samples exactly (a test compares them).
    outer, inner = samples // 2, samples - samples // 2
    generator = onp.random.RandomState(seed)
    top, bottom = onp.linspace(0, onp.pi, outer), onp.linspace(0, onp.pi, inner)
    X = onp.column_stack([onp.concatenate([onp.cos(top), 1 - onp.cos(bottom)]),
                          onp.concatenate([onp.sin(top), 0.5 - onp.sin(bottom)])])
    y = onp.concatenate([onp.zeros(outer), onp.ones(inner)])
    order = onp.arange(samples)
    generator.shuffle(order)
    X, y = X[order], y[order]
    return X + generator.normal(scale=noise, size=X.shape), y


def activation(x):
    """The lecture's sigmoid-shaped activation ``0.5·(tanh x + 1)``."""
    return 0.5 * (np.tanh(x) + 1)


def binary_cross_entropy(predictions, labels):
    """``L = -Σ t·ln y + (1 - t)·ln(1 - y)``, the lecture's loss."""
    label_probabilities = np.log(predictions) * labels + np.log(1 - predictions) * (1 - labels)
    return -np.sum(label_probabilities)


@dataclass
class Model:
    """A classifier: its initial parameters and ``predict(params, inputs) -> p(class 1)``."""

    name: str
    initial: Any
    predict: Callable[[Any, Any], Any]

    def loss(self, params, inputs, labels):
        return binary_cross_entropy(self.predict(params, inputs), labels)


def _logistic_predict(weights, inputs):
    return activation(np.dot(inputs, weights))


def logistic_model() -> Model:
    """The lecture's perceptron: no hidden layer, weights from ``[1, 1]``."""
    return Model("logistic", onp.array([1.0, 1.0]), _logistic_predict)


def _mlp_predict(params, inputs):
    hidden = np.tanh(np.dot(inputs, params["W1"]) + params["b1"])
    return activation(np.dot(hidden, params["W2"]) + params["b2"])


def mlp_model(hidden: int = 8, seed: int | None = 0) -> Model:
    """A tanh MLP ``2 → hidden → 1`` written with :mod:`gradviz.numpy`, small random weights."""
    if hidden < 1:
        raise GradvizError(f"--hidden must be at least 1, got {hidden}")
    rng = onp.random.default_rng(seed)
    params = {
        "W1": rng.normal(0.0, 1.0, (2, hidden)),
        "b1": onp.zeros(hidden),
        "W2": rng.normal(0.0, 1.0 / onp.sqrt(hidden), hidden),
        "b2": onp.float64(0.0),
    }
    return Model("mlp", params, _mlp_predict)


@dataclass
class Iteration:
    """One step of gradient descent: the parameters it started from, their loss and gradient,
    and (when recorded) the trace of that evaluation."""

    number: int
    params: Any
    loss: float
    gradient: Any
    trace: Trace | None


def _descend(params, gradient, learning_rate: float):
    if isinstance(params, dict):
        return {key: params[key] - learning_rate * gradient[key] for key in params}
    return params - learning_rate * gradient


def iterate_training(model: Model, inputs, labels, *, steps: int = 100,
                     learning_rate: float = 0.001, keep_traces: bool = True) -> Iterator[Iteration]:
    """Yield one :class:`Iteration` per step of steepest descent, lazily.

    With ``keep_traces`` each evaluation runs inside :func:`gradviz.record`, so its trace is
    kept; that is the only difference from plain training.
    """
    if steps < 1:
        raise GradvizError(f"--steps must be at least 1, got {steps}")
    if not onp.isfinite(learning_rate):
        raise GradvizError(f"--lr must be a finite number, got {learning_rate}")

    def loss(params):
        return model.loss(params, inputs, labels)

    loss_and_gradient = value_and_grad(loss)
    params = model.initial
    for number in range(steps):
        trace = None
        # Overflowing logs are what the inspector's breakpoints are for: no numpy warnings.
        with onp.errstate(all="ignore"):
            if keep_traces:
                with record(keep=1) as run:
                    value, gradient = loss_and_gradient(params)
                trace = run.traces[-1]
            else:
                value, gradient = loss_and_gradient(params)
        yield Iteration(number, params, float(value), gradient, trace)
        params = _descend(params, gradient, learning_rate)


@dataclass
class TrainingResult:
    """What :func:`train` returns: the final parameters and the loss per step."""

    model: Model
    params: Any
    losses: list[float] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    stopped_at: int | None = None  # the non-finite iteration training stopped at (from 0)


def train(model: Model, inputs, labels, *, steps: int = 100, learning_rate: float = 0.001,
          keep_traces: bool = False, on_step: Callable[[Iteration], None] | None = None,
          record: bool = False, stop_at_nonfinite: bool = False) -> TrainingResult:
    """Run :func:`iterate_training` to the end; ``on_step`` sees every iteration.

    ``record=True`` gives each iteration its trace (for ``on_step``, e.g. the debugger's
    per-iteration checks) without keeping them all; ``keep_traces=True`` also keeps them in
    ``result.traces``. ``stop_at_nonfinite=True`` stops at the first iteration whose loss or
    gradient is not finite: ``result.params`` are then the weights that produced it and
    ``result.stopped_at`` its number.
    """
    result = TrainingResult(model, model.initial)
    last = None
    for last in iterate_training(model, inputs, labels, steps=steps, learning_rate=learning_rate,
                                 keep_traces=keep_traces or record):
        result.losses.append(last.loss)
        if keep_traces:
            result.traces.append(last.trace)
        if on_step is not None:
            on_step(last)
        if stop_at_nonfinite and not _finite(last):
            result.params, result.stopped_at = last.params, last.number
            return result
    assert last is not None  # steps >= 1 is checked by iterate_training
    result.params = _descend(last.params, last.gradient, learning_rate)
    return result


def _finite(iteration: Iteration) -> bool:
    gradient = iteration.gradient
    parts = gradient.values() if isinstance(gradient, dict) else [gradient]
    return bool(onp.isfinite(iteration.loss)) and all(onp.isfinite(part).all() for part in parts)


def accuracy(model: Model, params, inputs, labels) -> float:
    """The fraction of samples whose predicted class (``p > 0.5``) is their label."""
    predictions = onp.asarray(model.predict(params, inputs)) > 0.5
    return float(onp.mean(predictions == (onp.asarray(labels) > 0.5)))
