"""``gradviz.to_dot`` and ``gradviz.render``: the debugger's findings worked out, then drawn;
likewise the iterations a training page marks (:func:`training_findings`).

The renderer draws the marks it is given and runs no analysis itself. Asking for the
debugger's findings on a trace (``nans=``, ``check=``, ``health=``, ``debug=``) means running
the debugger first: that is done here, above both, and the renderer is handed the result as
``findings``, a function that puts the verdicts on its graph's nodes
(:func:`gradviz.debug.annotate` with the reports). A graph from :func:`gradviz.debug.annotate`
already carries its findings and is drawn as it is.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> with np.errstate(all="ignore"):
    ...     t = gradviz.trace(lambda x: np.log(x) * 2.0, 0.0)
    >>> "Inf born here" in gradviz.to_dot(t, nans=True).source
    True
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

import numpy as onp

from gradviz.debug import annotate, check_trace, nan_birth
from gradviz.debug import health as health_report
from gradviz.debug.health import gradient_norm
from gradviz.errors import GradvizError
from gradviz.renderer.dot import to_dot as draw
from gradviz.renderer.files import render as write

__all__ = ["to_dot", "render", "findings", "with_findings", "training_findings"]

_ASKED = ("nans", "check", "health", "debug")


def to_dot(trace_or_graph: Any, **options: Any):
    """The trace's graph as a ``graphviz.Digraph``, the debugger's findings on it if asked.

    ``options`` are :func:`gradviz.renderer.dot.to_dot`'s.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> "∂w4/∂w1 = cos w1" in gradviz.to_dot(t).source
        True
    """
    return draw(trace_or_graph, **with_findings(trace_or_graph, options))


def render(trace_or_graph: Any, path: str | os.PathLike, **options: Any) -> str:
    """Write the trace's graph to ``path``, the debugger's findings on it if asked.

    ``options`` are :func:`gradviz.renderer.files.render`'s; returns the path written.
    """
    return write(trace_or_graph, path, **with_findings(trace_or_graph, options))


def findings(trace: Any, *, nans: bool = False, check: bool = False, health: bool = False,
             debug: bool = False) -> Callable[[Any], Any]:
    """Run the asked-for analyses on ``trace``; returns what puts their verdicts on a graph.

    ``debug`` asks for all three, health only where the trace has a reverse sweep.

    Raises:
        GradvizError: health asked of a trace without a reverse sweep.
    """
    if health and not trace.reverse_sweeps:
        raise GradvizError("health needs a reverse sweep: trace with reverse=True "
                           "(gradviz.trace does by default)")
    health = health or (debug and bool(trace.reverse_sweeps))
    return functools.partial(annotate, nans=nan_birth(trace) if nans or debug else None,
                             check=check_trace(trace) if check or debug else None,
                             health=health_report(trace) if health else None)


def with_findings(source: Any, options: dict) -> dict:
    """``options`` of the renderer with the findings it is to draw added, when they ask for some
    on a trace (``findings`` already there, or a graph, which carries its own: unchanged)."""
    asked = {name: bool(options.get(name)) for name in _ASKED}
    if not any(asked.values()) or not hasattr(source, "tape") or "findings" in options:
        return options  # nothing asked, a graph (it carries its own), or already worked out
    return {**options, "findings": findings(source, **asked)}


def training_findings(traces) -> list[dict]:
    """The iterations (numbered from 0) of a training run whose loss or gradient is not finite,
    as the training page marks them (:func:`gradviz.renderer.html.training_fragment`'s
    ``findings``); the first says where its NaN or Inf was born, as ``gradviz check`` does.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> f = gradviz.grad(lambda w: np.log(w))
        >>> with gradviz.record() as run, np.errstate(all="ignore"):
        ...     _ = f(1.0), f(-1.0), f(0.0)
        >>> [(found["iteration"], found["text"][:38]) for found in training_findings(run.traces)]
        [(1, 'the loss or its gradient is NaN or Inf'), (2, 'the loss or its gradient is NaN or Inf')]
    """
    from gradviz.inspector.run import Run  # the loss as the page shows it

    traces = list(traces)
    run = Run(traces) if traces else None
    found = []
    for iteration, trace in enumerate(traces):
        loss = run.loss(iteration)
        norm = gradient_norm(trace) if trace.reverse_sweeps else 0.0
        if loss is not None and onp.isfinite(loss) and onp.isfinite(norm):
            continue
        text = "the loss or its gradient is NaN or Inf"
        if not found:
            with onp.errstate(all="ignore"):
                births = nan_birth(trace).births
            if births:
                text += f"; born: {births[0].describe()}"
        found.append({"iteration": iteration, "kind": "nonfinite", "text": text})
    return found
