"""Flattening nested parameters into one vector and back, differentiably.

Example:
    >>> import numpy
    >>> flat, unflatten = flatten({"w": numpy.ones((2, 2)), "b": (3.0, numpy.zeros(1))})
    >>> flat                                # dict entries in sorted key order: b, then w
    array([3., 0., 1., 1., 1., 1.])
    >>> unflatten(flat * 2)["b"]
    (np.float64(6.0), array([0.]))
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as onp

import gradviz.numpy as np

__all__ = ["flatten", "flatten_func"]


def _entries(value: Any, found: list) -> Any:
    """Append ``value``'s leaves to ``found`` (dicts in sorted key order, as autograd) and
    return a template to rebuild it: a leaf's template is ``(shape, is a scalar)``."""
    kind = type(value)
    if kind is tuple or kind is list:
        return (kind, [_entries(item, found) for item in value])
    if kind is dict:
        keys = sorted(value)
        return (dict, list(value), dict(zip(keys, [_entries(value[k], found) for k in keys])))
    found.append(value)
    return (None, np.shape(value), np.ndim(value) == 0)


def flatten(value: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(vector, unflatten)``: every number of a nesting of tuples, lists and dicts of arrays
    and scalars in one 1-D array, and the function that puts a vector back in that shape.

    Both directions are made of gradviz operations, so they can be differentiated and show
    on the trace (``unflatten`` of a traced vector is a row of ``getitem`` and ``reshape``).
    """
    leaves: list = []
    template = _entries(value, leaves)
    sizes = [int(onp.prod(_leaf_shape(leaf))) for leaf in leaves]
    vector = np.concatenate([np.ravel(leaf) for leaf in leaves]) if leaves else onp.array([])
    return vector, lambda flat: _rebuild(template, flat, sizes)


def _leaf_shape(leaf: Any) -> tuple:
    return tuple(np.shape(leaf))


def _rebuild(template: Any, flat: Any, sizes: list[int]) -> Any:
    starts = onp.concatenate([[0], onp.cumsum(sizes)]).astype(int)
    position = iter(range(len(sizes)))

    def build(node: Any) -> Any:
        kind = node[0]
        if kind is None:
            k = next(position)
            piece = flat[starts[k]:starts[k + 1]]
            return piece[0] if node[2] else np.reshape(piece, node[1])
        if kind is dict:
            _, order, children = node
            built = {key: build(children[key]) for key in sorted(children)}
            return {key: built[key] for key in order}
        return kind(build(child) for child in node[1])

    return build(template)


def flatten_func(func: Callable, example: Any) -> tuple[Callable, Callable, Any]:
    """``(flat_func, unflatten, flat_example)``: ``func`` of nested parameters made a function
    of one vector, ``flat_func(vector, *args) = func(unflatten(vector), *args)``.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> loss = lambda params: np.sum(params["w"] ** 2) + params["b"]
        >>> flat_loss, unflatten, x = flatten_func(loss, {"w": np.ones(2), "b": 1.0})
        >>> gradviz.grad(flat_loss)(x)
        array([1., 2., 2.])
    """
    flat_example, unflatten = flatten(example)

    def flat_func(flat, *args, **kwargs):
        return func(unflatten(flat), *args, **kwargs)

    return flat_func, unflatten, flat_example
