"""The public :class:`Trace`: one run's Wengert list with the sweeps done on it.

A trace is what every other part of gradviz consumes: the graph export reads its nodes, the
renderer draws them, the tables and the inspector replay its recorded sweeps, the debugger
checks them. It is built by :func:`gradviz.trace`, by every ``grad`` call made inside
:func:`gradviz.record`, or loaded back from JSON.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable, Iterator

from gradviz.engine.sweeps import PLAIN, RECORDED, Sweep, forward_sweep, reverse_sweep
from gradviz.engine.tracer import Node, Tape

__all__ = ["Trace"]

# The letters nodes are named with, in order of preference: the lecture's w, then Griewank
# and Walther's v, then others, for inputs that are themselves called w1, v1, …
_LETTERS = "wvuzyqpkjhgf"


def letter_for(names: list[str] | Callable[[], list[str]]) -> str:
    """The letter of the nodes' names for inputs called ``names`` (or for the names a function
    gives, called here): ``w`` (``w1``, ``w2``, …), unless an input is itself called like one,
    as the weights ``w1, w2`` of a neuron are: then ``v``, as in Griewank and Walther, so that
    ``v3 = v1·v2`` cannot be read as the user's own ``w1``.

    Example:
        >>> letter_for(["x1", "x2"]), letter_for(["w1", "w2"]), letter_for(lambda: ["w1", "v1"])
        ('w', 'v', 'u')
    """
    if callable(names):
        names = names()
    for letter in _LETTERS:
        shape = re.compile(rf"{letter}\d+")
        if not any(shape.fullmatch(str(name)) for name in names):
            return letter
    return "w"


class Trace:
    """The evaluation trace ``w1 … wn`` of one run, and the sweeps recorded on it.

    Attributes:
        nodes: the :class:`~gradviz.engine.tracer.Node` list, in evaluation order.
        inputs: indices of the input nodes, in argument order.
        input_names: a display name per input (``"x1"``, ``"weights"``, ``"params['b']"``).
        outputs: indices of the output nodes (an output that is not a node is left out).
        output_names: a display name per output (``"z"``, ``"loss"``).
        sweeps: every :class:`~gradviz.engine.sweeps.Sweep` done, in order.
        name: the traced function's name.

    Example:
        >>> import gradviz
        >>> import gradviz.numpy as np
        >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> [node.op for node in t.nodes]
        ['input', 'input', 'multiply', 'sin', 'add']
        >>> round(float(t.adjoint(0)), 4)   # w̄1 = x2 + cos x1
        4.5839
    """

    def __init__(
        self,
        tape: Tape,
        inputs: list[int],
        input_names: list[str] | Callable[[], list[str]],
        outputs: list[int],
        output_names: list[str],
        name: str = "f",
    ):
        self.tape = tape
        # The tape is told how to find its letter from the names, not given this trace: a
        # tape that pointed back at its trace would make the two a reference cycle, which
        # only the cyclic collector frees (a training loop recording every step left one
        # trace a step for it, with all the trace's arrays).
        tape.letter = partial(letter_for, input_names)
        self.inputs = inputs
        # A training loop may keep a trace per step and never show most of them: the names
        # (which read the function's signature) are worked out on first use.
        self._input_names = input_names
        self.outputs = outputs
        self.output_names = output_names
        self.sweeps: list[Sweep] = []
        self.name = name
        # One tree definition per differentiated argument (see gradviz.engine.tree), so that
        # the arguments can be rebuilt from the inputs' values: a list of weights stays a list.
        self.argument_structure: list | None = None

    # --- structure -------------------------------------------------------------------------

    @property
    def input_names(self) -> list[str]:
        """A display name per input: ``x1``, ``weights``, ``params['b']``."""
        if callable(self._input_names):
            self._input_names = self._input_names()
        return self._input_names

    @input_names.setter
    def input_names(self, names: list[str]) -> None:
        self._input_names = names
        self.tape.letter = partial(letter_for, names)

    def node_letter(self) -> str:
        """The letter of the nodes' names (see :func:`letter_for`).

        Example:
            >>> import gradviz
            >>> t = gradviz.trace(lambda w1, w2: w1 * w2, 3.0, 5.0)
            >>> t.node_letter(), [node.name for node in t.nodes]
            ('v', ['v1', 'v2', 'v3'])
        """
        return letter_for(self.input_names)

    @property
    def nodes(self) -> list[Node]:
        return self.tape.nodes

    def __len__(self) -> int:
        return len(self.tape.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.tape.nodes)

    def __getitem__(self, index: int) -> Node:
        return self.tape.nodes[index]

    def label(self, index: int) -> str:
        """The display name of a node: ``w3``; inputs add their argument name, ``w1 (x1)``."""
        node = self.tape.nodes[index]
        if index in self.inputs:
            return f"{node.name} ({self.input_names[self.inputs.index(index)]})"
        return node.name

    # --- sweeps ----------------------------------------------------------------------------

    @property
    def forward_sweeps(self) -> list[Sweep]:
        return [s for s in self.sweeps if s.kind == "forward"]

    @property
    def reverse_sweeps(self) -> list[Sweep]:
        return [s for s in self.sweeps if s.kind == "reverse"]

    def run_forward(self, seeds: dict[int, Any], *, label: str = "", record: bool = True) -> Sweep:
        """Do one forward sweep from ``{input index: tangent}`` and keep it."""
        sweep = forward_sweep(self.tape, seeds, policy=RECORDED if record else PLAIN, label=label)
        self.sweeps.append(sweep)
        return sweep

    def run_reverse(self, seeds: dict[int, Any], *, label: str = "", record: bool = True) -> Sweep:
        """Do one reverse sweep from ``{output index: adjoint}`` and keep it."""
        sweep = reverse_sweep(self.tape, seeds, policy=RECORDED if record else PLAIN, label=label)
        self.sweeps.append(sweep)
        return sweep

    def arguments(self) -> list[Any] | None:
        """The differentiated arguments, rebuilt from the input values in their own structure
        (a list of weight arrays stays a list), or ``None`` if the structure is not known."""
        if self.argument_structure is None:
            return None
        from gradviz.engine.tree import unflatten_each

        return unflatten_each(self.argument_structure, [self.tape.nodes[i].value for i in self.inputs])

    def value(self, index: int) -> Any:
        """The value ``w_index``."""
        return self.tape.nodes[index].value

    def tangent(self, index: int, sweep: int = 0) -> Any:
        """``ẇ_index`` in forward sweep number ``sweep`` (``None`` means zero)."""
        return self.forward_sweeps[sweep].results[index]

    def adjoint(self, index: int, sweep: int = 0) -> Any:
        """``w̄_index`` in reverse sweep number ``sweep`` (``None`` means zero)."""
        return self.reverse_sweeps[sweep].results[index]

    # --- views (built lazily: the engine imports no renderer or UI) --------------------------

    def to_networkx(self):
        """The trace as a ``networkx.DiGraph`` (schema: ``docs/graph-schema.md``)."""
        from gradviz.export.graph import to_networkx

        return to_networkx(self)

    def tables(self):
        """The lecture's forward and reverse evaluation-trace tables, as rich renderables."""
        from gradviz.export.tables import trace_tables

        return trace_tables(self)

    def __rich__(self):
        return self.tables()

    def _repr_html_(self) -> str:
        """Jupyter shows the stepper of :mod:`gradviz.renderer.html` (the finished graph where
        script does not run)."""
        from gradviz.renderer.html import notebook_html

        return notebook_html(self)

    def _repr_svg_(self) -> str:
        """The finished graph as SVG, for front ends that show no HTML: ``to_dot``'s drawing."""
        from gradviz.renderer.dot import to_dot

        return to_dot(self).pipe("svg", encoding="utf-8")

    def save(self, path) -> None:
        """Write the trace, with its sweeps and steps, to a JSON file."""
        from gradviz.export.serialize import save_trace

        save_trace(self, path)

    @staticmethod
    def load(path) -> Trace:
        """Read a trace written by :meth:`save`; raises ``TraceFileError`` if malformed."""
        from gradviz.export.serialize import load_trace

        return load_trace(path)

    def __repr__(self) -> str:
        return (
            f"<Trace {self.name}: {len(self)} nodes, {len(self.forward_sweeps)} forward and "
            f"{len(self.reverse_sweeps)} reverse sweeps>"
        )
