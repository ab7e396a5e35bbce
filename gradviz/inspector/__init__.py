"""The terminal inspector: step through a trace's sweeps, or through a training run.

``gradviz.inspect(trace)`` opens the textual app on one trace; ``gradviz.inspect(recording)``
on every iteration a :func:`gradviz.record` block kept; ``gradviz.inspect`` is this
package's function :func:`inspect`. When the output or the input is not a terminal
(or with ``plain=True``) each step is printed as rich text instead. Nothing here is imported
until it is used: textual and rich load only when something is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["inspect", "make_state"]


def make_state(source: Any, *, breakpoints: Sequence[Any] = (), inputs=None, labels=None,
               predict: Callable | None = None):
    """An :class:`~gradviz.inspector.state.InspectorState` over a trace, a recording, a list of
    traces or a :class:`~gradviz.inspector.run.Run`."""
    from gradviz.engine.trace import Trace
    from gradviz.errors import GradvizError
    from gradviz.inspector.state import InspectorState
    from gradviz.inspector.run import Run

    if isinstance(source, Run):
        run = source
    elif isinstance(source, Trace):
        run = Run([source], inputs=inputs, labels=labels, predict=predict)
    elif hasattr(source, "traces"):  # a gradviz.record() Recording, or a TrainingResult
        run = Run(list(source.traces), inputs=inputs, labels=labels, predict=predict, training=True)
    elif isinstance(source, (list, tuple)) and all(isinstance(t, Trace) for t in source):
        run = Run(list(source), inputs=inputs, labels=labels, predict=predict)
    else:
        raise GradvizError(
            f"inspect() takes a Trace, a gradviz.record() Recording or a list of traces, "
            f"got {type(source).__name__}: e.g. inspect(gradviz.trace(f, 2.0, 5.0))")
    return InspectorState(run, breakpoints)


def inspect(source: Any, *, breakpoints: Sequence[Any] = (), plain: bool | None = None,
            inputs=None, labels=None, predict: Callable | None = None) -> int:
    """Open the inspector on ``source``; returns 0, or 1 when plain mode stopped at a breakpoint.

    Args:
        source: a :class:`~gradviz.Trace`, a :class:`~gradviz.Recording` (one trace per
            training iteration), or a list of traces.
        breakpoints: :mod:`gradviz.inspector.state` breakpoints, e.g. ``[NonFinite()]``.
        plain: print each step instead of opening the app; default: when the output is not
            a terminal or the keys cannot be read (stdin is not a terminal).
        inputs, labels, predict: a classifier's data and ``predict(params, X)``, to draw its
            decision boundary for each iteration.
    """
    state = make_state(source, breakpoints=breakpoints, inputs=inputs, labels=labels, predict=predict)
    if plain is None:
        plain = not (_is_terminal(sys.stdout) and _is_terminal(sys.stdin))  # keys come from stdin
    if plain:
        from gradviz.inspector.plain import print_run

        return print_run(state)
    from gradviz.inspector.app import InspectorApp

    InspectorApp(state).run()
    return 0


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an open terminal (stdin may be closed, or ``None``)."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # a closed file
        return False

