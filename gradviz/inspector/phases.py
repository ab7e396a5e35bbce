"""A trace cut into the phases the inspector steps: its evaluation (when no forward sweep
was recorded), each forward sweep, and each reverse sweep one contribution at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as onp

from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import unbox

__all__ = ['StepInfo', 'Phase', 'build_phases', 'running_adjoint', 'received']


class StepInfo(NamedTuple):
    """One step of a phase. ``node`` is the row it fills (the node highlighted).

    Forward: ``step`` is the engine's :class:`Step` (``None`` for a seed or a zero tangent).
    Reverse: a seed has ``source = None``; a contribution has the node that sends it
    (``source``), its argument number and the number added (``term``).
    """

    node: int
    step: Step | None = None
    source: int | None = None
    argnum: int | None = None
    term: Any = None


@dataclass
class Phase:
    """One pass over a trace: ``kind`` is ``"evaluate"``, ``"forward"`` or ``"reverse"``."""

    kind: str
    number: int
    count: int
    sweep: Sweep | None
    steps: list[StepInfo]
    title: str
    #: reverse only: for each node, the step numbers of the contributions it received
    received: dict[int, list[int]] | None = None

    def step_of(self, node: int) -> int | None:
        """The step that completes ``node``'s row in this phase, if it has one."""
        if self.received is not None and node in self.received:
            return self.received[node][-1]
        for number, info in enumerate(self.steps):
            if info.node == node:
                return number
        return None


def _seed_name(trace: Trace, sweep: Sweep) -> str:
    ones = [i for i, seed in sweep.seeds.items() if onp.any(unbox(seed) != 0)]
    label = sweep.label.removeprefix("seed ")
    if len(ones) == 1 and ones[0] in trace.inputs:
        name = trace.input_names[trace.inputs.index(ones[0])]
        # an array input is seeded one element per sweep: the element tells the sweeps apart
        return label if label.startswith(name + "[") else name
    return label or "seed"


def _forward_phase(trace: Trace, sweep: Sweep, number: int, count: int) -> Phase:
    by_node = {step.node: step for step in sweep.steps}
    inputs = set(trace.inputs)
    order = list(trace.inputs) + [n.index for n in trace.nodes if n.index not in inputs]
    steps = [StepInfo(index, by_node.get(index)) for index in order]
    title = f"forward sweep {number + 1} of {count}, seeded on {_seed_name(trace, sweep)}"
    return Phase("forward", number, count, sweep, steps, title)


def _reverse_phase(trace: Trace, sweep: Sweep, number: int, count: int) -> Phase:
    steps = [StepInfo(index) for index in sorted(sweep.seeds, reverse=True)]
    received: dict[int, list[int]] = {info.node: [k] for k, info in enumerate(steps)}
    for step in sweep.steps:
        for argnum, parent, term in step.terms:
            received.setdefault(parent, []).append(len(steps))
            steps.append(StepInfo(parent, step, step.node, argnum, term))
    label = sweep.label.removeprefix("seed ")
    title = f"reverse sweep {number + 1} of {count}" + (f", seeded on {label}" if label else "")
    return Phase("reverse", number, count, sweep, steps, title, received)


def build_phases(trace: Trace) -> list[Phase]:
    """The phases of ``trace`` in the order they are stepped."""
    phases = []
    forward, reverse = trace.forward_sweeps, trace.reverse_sweeps
    if not forward:
        steps = [StepInfo(node.index) for node in trace.nodes]
        phases.append(Phase("evaluate", 0, 1, None, steps, "evaluating the values"))
    phases += [_forward_phase(trace, s, k, len(forward)) for k, s in enumerate(forward)]
    phases += [_reverse_phase(trace, s, k, len(reverse)) for k, s in enumerate(reverse)]
    return phases


def received(phase: Phase, number: int) -> Any:
    """What step ``number`` of a reverse phase adds to its node's adjoint: a seed or a term."""
    info = phase.steps[number]
    return phase.sweep.seeds[info.node] if info.source is None else info.term


def _add(total: Any, term: Any) -> Any:
    return term if total is None else total + term


def running_adjoint(phase: Phase, node: int, upto: int) -> Any:
    """``w̄node`` after the steps ``0 … upto`` of a reverse phase: its recorded contributions
    added in the order the sweep added them (``None``: nothing received yet)."""
    total = None
    for number in (phase.received or {}).get(node, ()):
        if number > upto:
            break
        total = _add(total, received(phase, number))
    return total
