"""Registering your own function and its derivatives, as the lecture says Autograd allows.

``logsumexp`` is computed stably by shifting by the maximum; its derivative is the softmax.
Registered as a primitive it is one node on the trace, bearing its own name, however many
numpy operations run inside it.

Run: ``python examples/custom_primitive.py``
"""

import numpy

import gradviz
import gradviz.numpy as np
from gradviz.debug import check_grads
from gradviz.extend import defjvp, defvjp, primitive


@primitive
def logsumexp(x):
    """log Σ exp(x), shifted by max(x) so that exp never overflows."""
    shift = numpy.max(x)
    return shift + numpy.log(numpy.sum(numpy.exp(x - shift)))


# ∂/∂x logsumexp(x) = softmax(x) = exp(x - ans): an adjoint g spreads as g·softmax(x),
# a tangent t contracts to Σ t·softmax(x).
defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
defjvp(logsumexp, lambda t, ans, x: np.sum(t * np.exp(x - ans)))


def loss(x):
    return logsumexp(x * 2.0) - x[0]


def main():
    x = numpy.array([1.0, 2.0, 3.0])
    trace = gradviz.trace(loss, x, max_sweeps=3)
    print("nodes:", [f"{node.name} {node.op}" for node in trace])
    gradient = gradviz.grad(loss)(x)
    softmax = numpy.exp(2 * x) / numpy.exp(2 * x).sum()
    print("gradient:            ", gradient)
    print("by hand, 2·softmax(2x) - e0:", 2 * softmax - [1, 0, 0])
    check_grads(loss, x)  # forward vs finite differences, reverse vs forward
    print("check_grads: forward and reverse agree with finite differences")
    return trace, gradient


if __name__ == "__main__":
    main()
