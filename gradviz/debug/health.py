"""Gradient health: per node adjoint norms, vanishing and exploding adjoints, saturation.

For each node of a trace with a reverse sweep: ``‖w̄‖`` (the Euclidean norm), the value's
scale ``rms(w)``, and ``ratio = rms(w̄) / max(rms(w), 1e-12)`` — how much the output moves per
unit of relative change of ``w``'s size. Flags: ``vanishing`` when the ratio is below
``vanishing`` (an adjoint ≪ the value's scale), ``exploding`` above ``exploding`` or
non-finite, ``saturated`` when a share ≥ ``saturation`` of a tanh/sigmoid node's inputs lie
where its slope is below 1e-3 (``|x| > 4.15`` for tanh, ``> 6.9`` for the logistic sigmoid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as onp

from gradviz.debug._values import as_array, is_finite, norm, rms

__all__ = ["NodeHealth", "HealthReport", "health", "gradient_norm", "training_summary",
           "IterationHealth", "SATURATION_BOUNDS"]

#: ``|x|`` beyond which the slope of each squashing function is below 1e-3.
SATURATION_BOUNDS = {
    "tanh": float(onp.arctanh(onp.sqrt(1 - 1e-3))),  # 1 − tanh² x < 1e-3
    "sigmoid": float(2 * onp.arccosh(1 / (2 * onp.sqrt(1e-3)))),  # σ(1 − σ) < 1e-3
}
SATURATION_BOUNDS["logistic"] = SATURATION_BOUNDS["expit"] = SATURATION_BOUNDS["sigmoid"]


@dataclass
class NodeHealth:
    """One node's numbers and flags (``status`` is the worst flag, or ``"ok"``)."""

    index: int
    name: str
    op: str
    adjoint_norm: float
    value_scale: float
    ratio: float
    saturation: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        for flag in ("nonfinite", "exploding", "vanishing", "saturated"):
            if flag in self.flags:
                return flag
        return "ok"


@dataclass
class HealthReport:
    """Every node's :class:`NodeHealth`, in evaluation order."""

    nodes: list[NodeHealth]

    def status(self, index: int) -> str:
        """``"ok"``, ``"vanishing"``, ``"exploding"``, ``"saturated"``, ``"nonfinite"`` or
        ``"unreached"`` (no adjoint: the output does not depend on it)."""
        for node in self.nodes:
            if node.index == index:
                return node.status
        return "unreached"

    @property
    def flagged(self) -> list[NodeHealth]:
        return [node for node in self.nodes if node.flags]


def _saturation(node) -> float | None:
    bound = SATURATION_BOUNDS.get(node.op)
    if bound is None or not node.args:
        return None
    x = onp.abs(as_array(node.args[0]))
    return float(onp.mean(x > bound)) if x.size else 0.0


def health(trace, *, sweep: int = 0, vanishing: float = 1e-6, exploding: float = 1e6,
           saturation: float = 0.25) -> HealthReport:
    """The health of every node reached by reverse sweep ``sweep`` of ``trace``.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x: np.sum(np.tanh(x * 10.0)), np.array([0.1, 0.9, 2.0]))
        >>> [(n.name, n.op, n.status) for n in health(t).nodes if n.op == "tanh"]
        [('w3', 'tanh', 'saturated')]
        >>> round(health(t).nodes[2].saturation, 3)   # two of the three inputs beyond 4.15
        0.667
    """
    adjoints = trace.reverse_sweeps[sweep].results
    report = []
    for node in trace.nodes:
        adjoint = adjoints[node.index]
        if adjoint is None:
            continue
        scale, size = rms(node.value), rms(adjoint)
        entry = NodeHealth(node.index, node.name, node.op, norm(adjoint), scale,
                           size / max(scale, 1e-12), _saturation(node))
        if not is_finite(adjoint):
            entry.flags.append("nonfinite")
        elif entry.ratio > exploding:
            entry.flags.append("exploding")
        elif entry.ratio < vanishing:
            entry.flags.append("vanishing")
        if entry.saturation is not None and entry.saturation >= saturation:
            entry.flags.append("saturated")
        report.append(entry)
    return HealthReport(report)


def gradient_norm(trace, *, sweep: int = 0) -> float:
    """The Euclidean norm of the gradient of reverse sweep ``sweep``: of every input's adjoint
    together (an input that received nothing counts as 0).

    Example:
        >>> import gradviz
        >>> float(gradient_norm(gradviz.trace(lambda x1, x2: 3.0 * x1 + 4.0 * x2, 1.0, 1.0)))
        5.0
    """
    adjoints = trace.reverse_sweeps[sweep].results
    return float(onp.sqrt(sum(norm(adjoints[i]) ** 2 for i in trace.inputs if adjoints[i] is not None)))


@dataclass
class IterationHealth:
    """One training iteration: its loss, gradient norm and counts of flagged nodes."""

    iteration: int
    loss: float
    gradient_norm: float
    vanishing: int
    exploding: int
    saturated: int
    nonfinite: int
    worst_saturation: float

    @property
    def finite(self) -> bool:
        """Whether the loss and the gradient are finite numbers."""
        return bool(onp.isfinite(self.loss) and onp.isfinite(self.gradient_norm))


def training_summary(traces: Sequence, **thresholds) -> list[IterationHealth]:
    """One :class:`IterationHealth` per trace (e.g. ``gradviz.record()``'s ``run.traces``).

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> f = gradviz.grad(lambda w: np.sum(np.tanh(w * 3.0) ** 2))
        >>> with gradviz.record() as run:
        ...     w = np.array([0.5, -1.0])
        ...     for step in range(3):
        ...         w = w - 2.0 * f(w)
        >>> [row.iteration for row in training_summary(run.traces)]
        [0, 1, 2]
    """
    rows = []
    for iteration, trace in enumerate(traces):
        if not trace.reverse_sweeps:
            continue
        report = health(trace, **thresholds)
        gradient = gradient_norm(trace)
        loss = float(onp.sum(as_array(trace.nodes[trace.outputs[0]].value))) if trace.outputs else float("nan")
        counts = {flag: sum(flag in n.flags for n in report.nodes)
                  for flag in ("vanishing", "exploding", "saturated", "nonfinite")}
        worst = max([n.saturation for n in report.nodes if n.saturation is not None] or [0.0])
        rows.append(IterationHealth(iteration, loss, gradient, worst_saturation=worst, **counts))
    return rows
