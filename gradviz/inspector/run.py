"""A run: the traces being inspected, one trace, a recording of a training loop, or a
training loop that produces its traces on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as onp

from gradviz.engine.trace import Trace
from gradviz.engine.tracer import unbox
from gradviz.errors import GradvizError
from gradviz.inspector.phases import Phase, build_phases

__all__ = ['Run', 'unbox_tree']


class Run:
    """The traces to step through, pulled lazily from ``traces`` (a list or an iterator).

    Args:
        traces: :class:`Trace` objects in iteration order, or an iterator producing them (a
            training loop that runs only as far as the inspector looks).
        total: how many iterations there will be, if known.
        inputs, labels, predict: a classifier's data and ``predict(params, X)``: when given,
            the decision boundary is drawn.
        training: show the training panels (loss, weights); default: more than one trace.
    """

    def __init__(self, traces: Iterable[Trace], *, total: int | None = None, inputs=None,
                 labels=None, predict: Callable | None = None, training: bool | None = None):
        self._source: Iterator[Trace] | None = None
        if isinstance(traces, Sequence):
            self.traces: list[Trace] = list(traces)
            total = len(self.traces) if total is None else total
        else:
            self.traces = []
            self._source = iter(traces)
        if not self.traces and self._source is None:
            raise GradvizError("nothing to inspect: the run has no traces (was grad called "
                               "inside the gradviz.record() block?)")
        self.total = total
        self.inputs, self.labels, self.predict = inputs, labels, predict
        self.training = (total is None or total > 1) if training is None else training
        self._phases: dict[int, list[Phase]] = {}

    def trace(self, iteration: int) -> Trace | None:
        """The trace of ``iteration``, running the source as far as needed; ``None`` past the end."""
        while iteration >= len(self.traces) and self._source is not None:
            try:
                self.traces.append(next(self._source))
            except StopIteration:
                self._source = None
                self.total = len(self.traces)
        return self.traces[iteration] if 0 <= iteration < len(self.traces) else None

    @property
    def known(self) -> int:
        """How many iterations have run so far."""
        return len(self.traces)

    def phases(self, iteration: int) -> list[Phase]:
        """The phases of one trace, built once."""
        if iteration not in self._phases:
            trace = self.trace(iteration)
            self._phases[iteration] = [] if trace is None else build_phases(trace)
        return self._phases[iteration]

    def loss(self, iteration: int) -> float | None:
        """The (first) output's value at ``iteration``, when it is a scalar."""
        trace = self.trace(iteration)
        if trace is None or not trace.outputs:
            return None
        value = unbox(trace.tape.node(trace.outputs[0]).value)
        return float(value) if onp.size(value) == 1 else None

    def weights(self, iteration: int) -> list[tuple[str, Any]]:
        """``(input name, value)`` for every input of the trace: the parameters in training."""
        trace = self.trace(iteration)
        if trace is None:
            return []
        return [(name, unbox(trace.tape.node(i).value))
                for name, i in zip(trace.input_names, trace.inputs)]

    def params(self, iteration: int):
        """The parameters as ``predict`` takes them (rebuilt from the trace's inputs)."""
        trace = self.trace(iteration)
        arguments = trace.arguments() if trace is not None else None
        if arguments is not None and len(arguments) == 1:  # in the structure they were given
            return unbox_tree(arguments[0])
        named = self.weights(iteration)
        if len(named) == 1:
            return named[0][1]
        return {name.split("'")[1] if "'" in name else name: value for name, value in named}


def unbox_tree(value):
    """``value`` (arrays in lists, tuples, dicts) with every box opened."""
    from gradviz.engine.tree import flatten, unflatten

    leaves, treedef = flatten(value)
    return unflatten(treedef, [unbox(leaf) for leaf in leaves])
