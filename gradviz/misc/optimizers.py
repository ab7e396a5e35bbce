"""Gradient-descent optimizers with autograd's signatures, defaults and update formulas.

Each takes ``grad(x, i)`` (the gradient at iteration ``i``), the starting point ``x`` (any
nesting of tuples, lists and dicts of arrays), an optional ``callback(x, i, g)`` called
before each step, and returns the last ``x`` in the starting point's structure.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> objective = lambda params, i: np.sum((params["w"] - 3.0) ** 2)
    >>> params = adam(gradviz.grad(objective), {"w": np.zeros(2)}, step_size=0.1, num_iters=300)
    >>> np.round(params["w"], 3)
    array([3., 3.])
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

import gradviz.numpy as np
from gradviz.misc.flatten import flatten

__all__ = ["unflatten_optimizer", "sgd", "rmsprop", "adam"]


def unflatten_optimizer(optimize: Callable) -> Callable:
    """Turn an optimizer of flat 1-D vectors into one of nested parameters: the gradient,
    the callback and the result are all seen in the parameters' own structure."""

    @wraps(optimize)
    def nested_optimize(grad, x0, callback=None, *args, **kwargs):
        flat_x0, unflatten = flatten(x0)

        def flat_grad(x, i):
            return flatten(grad(unflatten(x), i))[0]

        flat_callback = None
        if callback is not None:
            def flat_callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))

        return unflatten(optimize(flat_grad, flat_x0, flat_callback, *args, **kwargs))

    return nested_optimize


@unflatten_optimizer
def sgd(grad: Callable, x: Any, callback: Callable | None = None, num_iters: int = 200,
        step_size: float = 0.1, mass: float = 0.9) -> Any:
    """Gradient descent with momentum: ``v ← mass·v − (1 − mass)·g``, ``x ← x + step·v``."""
    velocity = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(grad: Callable, x: Any, callback: Callable | None = None, num_iters: int = 100,
            step_size: float = 0.1, gamma: float = 0.9, eps: float = 10**-8) -> Any:
    """RMSprop: ``s ← γ·s + (1 − γ)·g²`` (``s`` starts at ones), ``x ← x − step·g / (√s + ε)``."""
    avg_sq_grad = np.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (np.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(grad: Callable, x: Any, callback: Callable | None = None, num_iters: int = 100,
         step_size: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 10**-8) -> Any:
    """Adam (Kingma and Ba, 2015): moment estimates ``m``, ``v`` with bias correction,
    ``x ← x − step·m̂ / (√v̂ + ε)``."""
    m = np.zeros(len(x))
    v = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g**2) + b2 * v
        m_hat = m / (1 - b1 ** (i + 1))
        v_hat = v / (1 - b2 ** (i + 1))
        x = x - step_size * m_hat / (np.sqrt(v_hat) + eps)
    return x
