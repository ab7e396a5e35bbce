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
from gradviz.export.notation import format_value

__all__ = ["training_model", "PALETTE", "GRID"]

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
    return shown


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
    for number, trace in enumerate(run.traces):
        loss = run.loss(number)
        reverse = trace.reverse_sweeps
        weights = [[name, format_value(value, 4, whole=4),
                    format_value(reverse[0].results[index], 4, whole=4) if reverse else "?"]
                   for (name, value), index in zip(run.weights(number), trace.inputs)]
        iterations.append({
            "loss": _number(loss), "loss_text": "?" if loss is None else format_value(loss, digits),
            "weights": weights, "cells": _cells(trace, cells, digits),
            "grid": None if grid is None else _boundary(run, number, grid)})
    if plot is not None and any(it["grid"] is None for it in iterations):
        plot = None
    return {"kind": "training", "iterations": iterations, "boundary": plot,
            "findings": _marks(findings, list(breakpoints), len(run.traces))}
