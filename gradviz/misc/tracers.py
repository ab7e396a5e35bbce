"""``const_graph``: record a function's trace once, then replay it instead of re-running it.

For a function whose operations do not depend on its input's values (no ``if`` on a traced
number, no loop whose length changes), the recorded tape *is* the function: replaying it
calls the same primitives on new inputs, without the Python around them, and a replay is
itself differentiable (each replayed primitive records as usual under ``grad``).
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from gradviz.engine.tracer import Box, Tape, tracing_depth, unbox
from gradviz.engine.tree import flatten, unflatten

__all__ = ["const_graph"]


def const_graph(fun: Callable, *args, **kwargs) -> Callable:
    """Returns ``fun`` (with ``args``/``kwargs`` bound first, as ``functools.partial``) that
    records its trace on the first call and replays that trace on every later call.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> calls = []
        >>> def f(x):
        ...     calls.append(1)
        ...     return np.sum(np.sin(x) * x)
        >>> fast = const_graph(f)
        >>> [round(float(fast(np.array([v, 1.0]))), 6) for v in (0.5, 2.0)], len(calls)
        ([1.081184, 2.660066], 1)
        >>> round(float(gradviz.grad(fast)(np.array([0.5, 1.0]))[0]), 6)   # sin x + x cos x
        0.918217
    """
    replay: list[Callable] = []

    @wraps(fun)
    def replayed(*call_args):
        if not replay:
            replay.append(_record(fun, args, kwargs, call_args))
        return replay[0](call_args)

    return replayed


def _record(fun: Callable, bound_args: tuple, bound_kwargs: dict, call_args: tuple) -> Callable:
    """Run ``fun`` once on boxed copies of ``call_args``'s leaves and return the replay."""
    leaves, treedef = flatten(list(call_args))
    tape = Tape(tracing_depth() + 1)
    boxes = [tape.new_input(unbox(leaf)) for leaf in leaves]
    with tape:
        output = fun(*bound_args, *unflatten(treedef, boxes), **bound_kwargs)
    out_leaves, out_treedef = flatten(output)
    outputs = [leaf._index if type(leaf) is Box and leaf._tape is tape else None
               for leaf in out_leaves]
    records = list(tape.records)
    inputs = [box._index for box in boxes]

    def replay(new_args: tuple) -> Any:
        values: list[Any] = [None] * len(records)
        for index, leaf in zip(inputs, flatten(list(new_args))[0]):
            values[index] = leaf
        for index, record in enumerate(records):
            if record.primitive is None:
                continue
            arguments = list(record.args)
            for argnum, parent in record.parents:
                arguments[argnum] = values[parent]
            values[index] = record.primitive(*arguments, **record.kwargs)
        return unflatten(out_treedef, [leaf if index is None else values[index]
                                       for leaf, index in zip(out_leaves, outputs)])

    return replay
