"""The lecture's evaluation-trace tables, printed with rich.

"Operations to compute value | operations to compute derivative": one forward table per
forward sweep (its seeds first), one reverse table per reverse sweep (its seed first, then
each node's adjoint as the sum of what its children sent). Every number comes from the
recorded sweep; nothing is recomputed.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from rich.console import Console
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> Console(width=100, color_system=None).print(forward_table(t, 0))
    ... # doctest: +NORMALIZE_WHITESPACE
    Forward sweep 1 of 2 (seed x1)
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
    ┃ Operations to compute value ┃ Operations to compute derivative       ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
    │ w1 = x1 = 2                 │ ẇ1 = 1 (seed)                          │
    │ w2 = x2 = 5                 │ ẇ2 = 0 (seed)                          │
    │ w3 = w1·w2 = 10             │ ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5     │
    │ w4 = sin w1 = 0.9093        │ ẇ4 = cos w1·ẇ1 = (-0.4161)·1 = -0.4161 │
    │ w5 = w3 + w4 = 10.91        │ ẇ5 = ẇ3 + ẇ4 = 5 + (-0.4161) = 4.584   │
    └─────────────────────────────┴────────────────────────────────────────┘
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from gradviz.export.notation import (
    adjoint_formula,
    dot_name,
    format_value,
    received,
    tangent_formula,
    value_formula,
)

__all__ = ["forward_table", "reverse_table", "trace_tables", "forward_rows", "reverse_rows"]


def forward_rows(trace, sweep_number: int = 0) -> list[tuple[int, str, str]]:
    """``(node index, value operation, derivative operation)`` rows of one forward sweep."""
    sweep = trace.forward_sweeps[sweep_number]
    rows = []
    for index in trace.inputs:
        seed = sweep.seeds.get(index)
        rows.append((index, value_formula(trace, index),
                     f"{dot_name(trace.tape.nodes[index].name)} = {format_value(seed)} (seed)"))
    steps = {step.node: step for step in sweep.steps}
    for node in trace.tape.nodes:
        if node.index in trace.inputs:
            continue
        step = steps.get(node.index)
        derivative = (tangent_formula(trace, sweep, step) if step is not None
                      else f"{dot_name(node.name)} = 0")
        rows.append((node.index, value_formula(trace, node.index), derivative))
    return rows


def reverse_rows(trace, sweep_number: int = 0) -> list[tuple[int, str, str]]:
    """Rows of one reverse sweep, from the seeded output back to the inputs.

    Each row pairs a node's adjoint with the operations that use the node (where its
    contributions come from), as in the lecture: ``w4 = sin w1 and w3 = w1·w2 | w̄1 = …``.
    """
    sweep = trace.reverse_sweeps[sweep_number]
    users = received(trace, sweep)
    rows = []
    for index in sorted(sweep.seeds, reverse=True):
        name = trace.output_names[trace.outputs.index(index)] if index in trace.outputs else "y"
        rows.append((index, f"{name} = {trace.tape.nodes[index].name}", adjoint_formula(trace, sweep, index)))
    for index in range(len(trace.tape.nodes) - 1, -1, -1):
        if index in sweep.seeds or index not in users:
            continue
        senders = sorted({step.node for step, _argnum, _term in users[index]}, reverse=True)
        operations = " and ".join(value_formula(trace, j, numbers=False) for j in senders)
        rows.append((index, operations, adjoint_formula(trace, sweep, index)))
    return rows


def _table(title: str, rows: list[tuple[int, str, str]]) -> Table:
    # Names, labels and operations are data (a loaded file's among them), never rich markup.
    table = Table(title=Text(title), title_justify="left", show_lines=False)
    table.add_column("Operations to compute value", no_wrap=False)
    table.add_column("Operations to compute derivative", no_wrap=False)
    for _index, value, derivative in rows:
        table.add_row(Text(value), Text(derivative))
    return table


def forward_table(trace, sweep_number: int = 0) -> Table:
    """The forward accumulation table of forward sweep ``sweep_number``."""
    sweep = trace.forward_sweeps[sweep_number]
    title = f"Forward sweep {sweep_number + 1} of {len(trace.forward_sweeps)} ({sweep.label})"
    return _table(title, forward_rows(trace, sweep_number))


def reverse_table(trace, sweep_number: int = 0) -> Table:
    """The reverse accumulation table of reverse sweep ``sweep_number``."""
    sweep = trace.reverse_sweeps[sweep_number]
    title = f"Reverse sweep {sweep_number + 1} of {len(trace.reverse_sweeps)} ({sweep.label})"
    return _table(title, reverse_rows(trace, sweep_number))


def trace_tables(trace) -> Group:
    """Every forward table, then every reverse table."""
    tables = [forward_table(trace, k) for k in range(len(trace.forward_sweeps))]
    tables += [reverse_table(trace, k) for k in range(len(trace.reverse_sweeps))]
    return Group(*tables)
