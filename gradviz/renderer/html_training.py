"""The data of a training run's page (see :func:`gradviz.renderer.html.training_page`): per
iteration the loss, the weights and their gradient, the decision boundary over the data and
the numbers of the graph; the iterations marked on its axis (the findings the caller worked
out, where a NaN or an Inf appears, and the breakpoints).

Each number comes from the recorded traces, read as the inspector reads them
(:class:`gradviz.inspector.run.Run`); nothing is trained again.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    >>> with gradviz.record() as run:
    ...     w = np.array([0.5, -1.0])
    ...     for step in range(3):
    ...         w = w - 0.5 * f(w)
    >>> model = training_model(run.traces, [])
    >>> [it["loss_text"] for it in model["iterations"]]
    ['0.7936', '0.3684', '0.08254']
"""

from __future__ import annotations

from typing import Any

import numpy as onp

from gradviz.engine.tracer import unbox
from gradviz.export.notation import dot_name, format_value

__all__ = ["training_model", "record_template", "PALETTE", "GRID"]

#: The decision boundary's grid: columns, rows.
GRID = (40, 28)
#: p(class 1) in 16 steps, matplotlib's Spectral map reduced to its two ends and middle
#: (the inspector's colours): red for class 0, blue for class 1.
PALETTE = []
for _level in range(16):
    _p = _level / 15
    _a, _b, _t = (((213, 62, 79), (255, 255, 191), _p * 2) if _p < 0.5
                  else ((255, 255, 191), (50, 136, 189), _p * 2 - 1))
    PALETTE.append("#" + "".join(f"{int(_a[k] + (_b[k] - _a[k]) * _t):02x}" for k in range(3)))


def _number(value: Any) -> float | None:
    return float(value) if value is not None and onp.isfinite(value) else None


def _cells(trace, cells: list[dict], digits: int) -> dict[str, str]:
    """The graph's numbers in this iteration: each node's value and adjoint."""
    names = {node.name: node.index for node in trace.nodes}
    reverse = trace.reverse_sweeps
    shown = {}
    for cell in cells:
        index = names.get(cell["name"])
        if index is None:
            continue
        if cell["field"] == "v":
            shown[cell["id"]] = format_value(trace.nodes[index].value, digits)
        elif cell["field"] == "a" and cell["sweep"] < len(reverse):
            shown[cell["id"]] = format_value(reverse[cell["sweep"]].results[index], digits)
        elif cell["field"] == "t" and cell["sweep"] < len(trace.forward_sweeps):
            shown[cell["id"]] = format_value(trace.forward_sweeps[cell["sweep"]].results[index], digits)
    return shown


def record_template(trace, cells: list[dict]) -> dict[str, list]:
    """What a click on a node of a training page shows, for any iteration: the lines of the
    node's record (as the lecture's page has them) whose numbers change from one iteration to
    the next are ``[formula, cell id, after]``, and the page puts in the number the graph
    shows in the iteration chosen (its ``cells``), so that no iteration needs its own copy.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> from gradviz.renderer.html import graph_svg
        >>> t = gradviz.trace(lambda x: np.sum(np.tanh(x) ** 2), np.array([0.5, -1.0]))
        >>> record_template(t, graph_svg(t, {"seed": None})[1])["w2"][:2]
        ['w2 · tanh', ['w2 = tanh w1 = ', 'gv-w2-v', '']]
    """
    from gradviz.engine.source import describe_site, site_source
    from gradviz.export.notation import adjoint_formula, tangent_formula, value_formula

    by_name: dict[str, dict] = {}
    for cell in cells:
        sweep = None if cell["field"] == "v" else cell["sweep"]
        by_name.setdefault(cell["name"], {})[cell["field"], sweep] = cell["id"]
    records = {}
    for node in trace.nodes:
        if node.name not in by_name:
            continue
        ids, index = by_name[node.name], node.index
        lines: list = [trace.label(index) + f" · {node.op}",
                       [value_formula(trace, index, numbers=False) + " = ", ids.get(("v", None)), ""]]
        for number, sweep in enumerate(trace.forward_sweeps):
            step = next((s for s in sweep.steps if s.node == index), None)
            formula = (tangent_formula(trace, sweep, step, numbers=False) if step is not None
                       else dot_name(node.name))
            lines.append([formula + " = ", ids.get(("t", number)), f"   ({sweep.label})"])
        for number, sweep in enumerate(trace.reverse_sweeps):
            formula = adjoint_formula(trace, sweep, index, numbers=False)
            lines.append(formula if index in sweep.seeds else [formula + " = ", ids.get(("a", number)), ""])
        if site_source(node.site):
            lines.append(describe_site(node.site))
        records[node.name] = lines
    return records


def _shapes(trace, names: set[str]) -> dict[str, str]:
    """Each drawn node's shape and dtype, as its record reads it."""
    from gradviz.renderer.html import _shape

    return {node.name: f"shape {_shape(node.value)}" for node in trace.nodes if node.name in names}


def _boundary(run, iteration: int, grid) -> str | None:
    """``p(class 1)`` over the grid, one hexadecimal digit (16 levels) per cell."""
    try:
        with onp.errstate(all="ignore"):
            p = onp.asarray(unbox(run.predict(run.params(iteration), grid)), dtype=float).ravel()
    except Exception:  # the user's predict(): the page shows no boundary rather than failing
        return None
    p = onp.where(onp.isfinite(p), onp.clip(p, 0.0, 1.0), 0.5)
    return "".join("0123456789abcdef"[level] for level in onp.rint(p * 15).astype(int))


def _plot(inputs, labels):
    """The grid over the data's box, and the samples at their places in it (0 … 1)."""
    X = onp.asarray(inputs, dtype=float)
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    columns, rows = GRID
    xs = onp.linspace(x0, x1, columns)
    ys = onp.linspace(y1, y0, rows)  # the top row is the largest y
    grid = onp.stack(onp.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    samples = [[round(float((x - x0) / (x1 - x0)), 4), round(float((y1 - y) / (y1 - y0)), 4),
                int(label > 0.5)] for (x, y), label in zip(X, onp.asarray(labels))]
    return grid, {"columns": columns, "rows": rows, "samples": samples, "palette": PALETTE}


def _only_changed_shapes(iterations: list[dict]) -> None:
    """Keep the first iteration's shapes, and of the others only those that differ from it."""
    first = iterations[0]["shapes"] if iterations else {}
    for it in iterations[1:]:
        it["shapes"] = {name: shape for name, shape in it["shapes"].items() if first.get(name) != shape}


def _marks(findings, breakpoints: list[int], count: int) -> list[dict]:
    """The marks on the iteration axis: the ``findings`` the caller worked out (the iterations
    whose loss or gradient is not finite, :func:`gradviz.drawing.training_findings`) and the
    breakpoints asked for."""
    # breakpoints are counted from 1, as gradviz train counts iterations; the page's positions from 0
    return list(findings) + [{"iteration": n - 1, "kind": "breakpoint", "text": "breakpoint (--break-iteration)"}
                             for n in breakpoints if 1 <= n <= count]


def training_model(traces, cells: list[dict], *, inputs=None, labels=None, predict=None,
                   breakpoints: list[int] = (), findings=(), digits: int = 4) -> dict:
    """The page's data: ``iterations`` (loss, weights, graph numbers, boundary), the
    ``boundary`` grid and samples, and the ``findings`` given and the ``breakpoints`` on the
    iteration axis."""
    from gradviz.inspector.run import Run

    run = Run(list(traces), inputs=inputs, labels=labels, predict=predict, training=True)
    grid, plot = (None, None) if predict is None or inputs is None else _plot(inputs, labels)
    iterations = []
    drawn = {cell["name"] for cell in cells}
    for number, trace in enumerate(run.traces):
        loss = run.loss(number)
        reverse = trace.reverse_sweeps
        weights = [[name, format_value(value, 4, whole=4),
                    format_value(reverse[0].results[index], 4, whole=4) if reverse else "?"]
                   for (name, value), index in zip(run.weights(number), trace.inputs)]
        iterations.append({
            "loss": _number(loss), "loss_text": "?" if loss is None else format_value(loss, digits),
            "weights": weights, "cells": _cells(trace, cells, digits),
            # (a node's shape may change from one iteration to the next: a last, smaller batch)
            "shapes": _shapes(trace, drawn),
            "grid": None if grid is None else _boundary(run, number, grid)})
    if plot is not None and any(it["grid"] is None for it in iterations):
        plot = None
    _only_changed_shapes(iterations)
    return {"kind": "training", "iterations": iterations, "boundary": plot,
            "records": record_template(run.traces[0], cells),
            "findings": _marks(findings, list(breakpoints), len(run.traces))}
