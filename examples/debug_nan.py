"""The lecture asks "what is ln(0)?": the moons classifier at a learning rate that saturates.

With a large learning rate the weights grow until ``0.5*(tanh(x) + 1)`` rounds to exactly 0 or
1 for some points; then ``log(preds)`` or ``log(1 - preds)`` is ``log(0) = -inf`` and the loss,
or its gradient, stops being a number. This script trains, stops at the first non-finite loss
or gradient, and names the iteration, the node and the source line where it was born.

Run: ``python examples/debug_nan.py [--samples 500] [--steps 200] [--lr 0.05]``
"""

import argparse

import numpy
import sklearn.datasets

import gradviz
import gradviz.numpy as np
from gradviz.debug import health, nan_birth

options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
options.add_argument("--samples", type=int, default=500)
options.add_argument("--steps", type=int, default=200)
options.add_argument("--lr", type=float, default=0.05)
arguments = options.parse_args()

train_X, train_y = sklearn.datasets.make_moons(arguments.samples, noise=0.1, random_state=0)


def activation(x):
    return 0.5 * (np.tanh(x) + 1)


def predict(weights, inputs):
    return activation(np.dot(inputs, weights))


def loss(weights):
    preds = predict(weights, train_X)
    label_probabilities = np.log(preds) * train_y + np.log(1 - preds) * (1 - train_y)
    return -np.sum(label_probabilities)


def train(weights):
    """Steepest descent until the loss or its gradient is not finite; returns what happened."""
    loss_and_gradient = gradviz.value_and_grad(loss)
    for iteration in range(arguments.steps):
        with gradviz.record(keep=1) as run, numpy.errstate(all="ignore"):
            value, gradient = loss_and_gradient(weights)
        if not (numpy.isfinite(value) and numpy.all(numpy.isfinite(gradient))):
            return iteration, value, gradient, run.traces[-1]
        weights = weights - arguments.lr * gradient
    return None


if __name__ == "__main__":
    found = train(numpy.array([1.0, 1.0]))
    if found is None:
        print(f"no NaN or Inf in {arguments.steps} steps: raise --lr or --steps")
        raise SystemExit(0)
    iteration, value, gradient, trace = found
    tanh = next(node for node in health(trace).nodes if node.op == "tanh")
    print(f"first non-finite at iteration {iteration}: loss = {value}, gradient = {gradient}")
    print(f"the tanh is saturated on {tanh.saturation:.0%} of the points "
          f"(slope below 1e-3), so some predictions are exactly 0 or 1")
    for birth in nan_birth(trace).births[:3]:
        print(" ", birth.describe())
    print("with gradviz.debug_nans(), the same iteration stops at:")
    try:
        with gradviz.debug_nans(), numpy.errstate(all="ignore"):
            gradviz.grad(loss)(trace.nodes[0].value)
    except gradviz.GradvizError as error:
        print(" ", error)
