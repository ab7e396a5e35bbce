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

from typing import Iterator

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

__all__ = ["forward_table", "reverse_table", "trace_tables", "forward_rows", "reverse_rows",
           "row_count", "shown_rows", "streamed_table"]


def _forward_order(trace) -> list[int]:
    inputs = set(trace.inputs)
    return list(trace.inputs) + [i for i in range(len(trace.tape.records)) if i not in inputs]


def forward_rows(trace, sweep_number: int = 0, positions=None) -> list[tuple[int, str, str]]:
    """``(node index, value operation, derivative operation)`` rows of one forward sweep;
    ``positions`` (a range or list of row numbers) makes those rows only, for a long table
    shown in part."""
    sweep = trace.forward_sweeps[sweep_number]
    inputs = set(trace.inputs)
    order = _forward_order(trace)
    chosen = order if positions is None else [order[p] for p in positions]
    steps = {step.node: step for step in sweep.steps}
    nodes, rows = trace.tape.nodes, []
    for index in chosen:
        if index in inputs:
            rows.append((index, value_formula(trace, index),
                         f"{dot_name(nodes[index].name)} = {format_value(sweep.seeds.get(index))} (seed)"))
            continue
        step = steps.get(index)
        derivative = (tangent_formula(trace, sweep, step) if step is not None
                      else f"{dot_name(nodes[index].name)} = 0")
        rows.append((index, value_formula(trace, index), derivative))
    return rows


def _reverse_order(trace, sweep, users: dict) -> list[int]:
    seeds = sorted(sweep.seeds, reverse=True)
    return seeds + [i for i in range(len(trace.tape.records) - 1, -1, -1)
                    if i not in sweep.seeds and i in users]


def reverse_rows(trace, sweep_number: int = 0, positions=None) -> list[tuple[int, str, str]]:
    """Rows of one reverse sweep, from the seeded output back to the inputs (``positions``:
    those rows only, as for :func:`forward_rows`).

    Each row pairs a node's adjoint with the operations that use the node (where its
    contributions come from), as in the lecture: ``w4 = sin w1 and w3 = w1·w2 | w̄1 = …``.
    """
    sweep = trace.reverse_sweeps[sweep_number]
    users = received(trace, sweep)
    order = _reverse_order(trace, sweep, users)
    chosen = order if positions is None else [order[p] for p in positions]
    rows = []
    for index in chosen:
        if index in sweep.seeds:
            name = trace.output_names[trace.outputs.index(index)] if index in trace.outputs else "y"
            rows.append((index, f"{name} = {trace.tape.nodes[index].name}",
                         adjoint_formula(trace, sweep, index)))
            continue
        senders = sorted({step.node for step, _argnum, _term in users[index]}, reverse=True)
        operations = " and ".join(value_formula(trace, j, numbers=False) for j in senders)
        rows.append((index, operations, adjoint_formula(trace, sweep, index)))
    return rows


def row_count(trace, kind: str, sweep_number: int = 0) -> int:
    """How many rows the ``kind`` (``"forward"`` or ``"reverse"``) table of that sweep has."""
    if kind == "forward":
        return len(trace.tape.records)
    sweep = trace.reverse_sweeps[sweep_number]
    return len(_reverse_order(trace, sweep, received(trace, sweep)))


def shown_rows(total: int, limit: int | None) -> tuple[list[int], int]:
    """The row numbers a table of ``total`` rows shows when at most ``limit`` fit (``None``:
    all): the first half and the last half; and how many are left out between them.

    Example:
        >>> shown_rows(10, 4)
        ([0, 1, 8, 9], 6)
        >>> shown_rows(3, 4)
        ([0, 1, 2], 0)
    """
    if limit is None or total <= limit:
        return list(range(total)), 0
    head = (limit + 1) // 2
    return list(range(head)) + list(range(total - (limit - head), total)), total - limit


def _table(title: str, rows: list[tuple[int, str, str]], left_out: int = 0, width: int | None = None,
           **options) -> Table:
    # Names, labels and operations are data (a loaded file's among them), never rich markup.
    table = Table(title=Text(title) if title else None, title_justify="left", show_lines=False,
                  **options)
    table.add_column("Operations to compute value", no_wrap=False, width=width)
    table.add_column("Operations to compute derivative", no_wrap=False, width=width)
    head = (len(rows) + 1) // 2 if left_out else len(rows)
    for k, (_index, value, derivative) in enumerate(rows):
        if k == head:
            table.add_row(Text(f"⋮ {left_out:,} rows not shown"), Text("⋮"), style="dim")
        table.add_row(Text(value), Text(derivative))
    return table


def forward_table(trace, sweep_number: int = 0, *, rows: int | None = None) -> Table:
    """The forward accumulation table of forward sweep ``sweep_number``; ``rows``: at most
    that many rows, the first and the last ones (``None``: every row)."""
    sweep = trace.forward_sweeps[sweep_number]
    title = f"Forward sweep {sweep_number + 1} of {len(trace.forward_sweeps)} ({sweep.label})"
    positions, left_out = shown_rows(row_count(trace, "forward", sweep_number), rows)
    return _table(title, forward_rows(trace, sweep_number, positions), left_out)


def reverse_table(trace, sweep_number: int = 0, *, rows: int | None = None) -> Table:
    """The reverse accumulation table of reverse sweep ``sweep_number`` (``rows`` as for
    :func:`forward_table`)."""
    sweep = trace.reverse_sweeps[sweep_number]
    title = f"Reverse sweep {sweep_number + 1} of {len(trace.reverse_sweeps)} ({sweep.label})"
    positions, left_out = shown_rows(row_count(trace, "reverse", sweep_number), rows)
    return _table(title, reverse_rows(trace, sweep_number, positions), left_out)


def streamed_table(trace, kind: str, sweep_number: int = 0, *, width: int = 80,
                   chunk: int = 500) -> Iterator[Table]:
    """Every row of a table, as a sequence of tables of ``chunk`` rows each that print as one
    on a terminal ``width`` columns wide (the same column widths, the first with the title
    and the header, none with an outer edge): a table of 100 000 rows starts printing at
    once, and costs the time of its rows rather than the time rich takes to measure them all
    together."""
    sweeps = trace.forward_sweeps if kind == "forward" else trace.reverse_sweeps
    sweep = sweeps[sweep_number]
    title = f"{kind.capitalize()} sweep {sweep_number + 1} of {len(sweeps)} ({sweep.label})"
    make = forward_rows if kind == "forward" else reverse_rows
    total = row_count(trace, kind, sweep_number)
    for start in range(0, total, chunk):
        part = make(trace, sweep_number, range(start, min(start + chunk, total)))
        yield _table(title if start == 0 else "", part, width=max((width - 7) // 2, 10),
                     show_edge=False, show_header=start == 0)


def trace_tables(trace) -> Group:
    """Every forward table, then every reverse table."""
    tables = [forward_table(trace, k) for k in range(len(trace.forward_sweeps))]
    tables += [reverse_table(trace, k) for k in range(len(trace.reverse_sweeps))]
    return Group(*tables)
