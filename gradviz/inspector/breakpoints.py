"""Breakpoints: where :meth:`InspectorState.run_to_breakpoint` stops, and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as onp

from gradviz.engine.tracer import unbox
from gradviz.errors import GradvizError
from gradviz.inspector.phases import received, running_adjoint

if TYPE_CHECKING:
    from gradviz.inspector.state import InspectorState

__all__ = ['Breakpoint', 'NonFinite', 'RuleCheckFails', 'AdjointAbove', 'OperationIs', 'IterationIs', 'born_reason']


def _magnitude(value: Any) -> float:
    value = unbox(value)
    if value is None or onp.size(value) == 0:
        return 0.0
    return float(onp.max(onp.abs(value)))


class Breakpoint:
    """A condition checked on each step while running; :meth:`check` returns why it stops."""

    description = "breakpoint"

    def check(self, state: InspectorState) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<breakpoint: {self.description}>"


class NonFinite(Breakpoint):
    """Stops where a NaN or an infinity is born: a non-finite value, tangent or adjoint
    contribution computed from finite numbers (so it stops on the node that made it).

    The births are :func:`gradviz.debug.nan_birth`'s, as ``gradviz check`` and the renderer
    show them: a value where the node is evaluated, a tangent in the forward sweep that made
    it, a contribution at the reverse step that sent it.
    """

    description = "a NaN or Inf is born"

    def check(self, state: InspectorState) -> str | None:
        findings, phase, info = state.findings(), state.phase, state.current
        birth = None
        if state.position.phase == 0:  # the evaluation, or forward sweep 1: values are computed
            birth = findings.birth("primal", info.node)
        if birth is None and phase.kind == "forward":
            birth = findings.birth("forward", info.node, phase.sweep)
        if birth is None and phase.kind == "reverse" and info.source is not None:
            birth = findings.birth("reverse", info.source, phase.sweep)
            birth = birth if birth is not None and birth.argnum == info.argnum else None
        return None if birth is None else born_reason(birth)


_BORN = {"primal": "a non-finite value", "forward": "a non-finite tangent",
         "reverse": "a non-finite adjoint contribution"}


def born_reason(birth) -> str:
    """``w4 = -inf: a non-finite value is born at 'log' (log(w3) with w3 = 0)``; an arrival
    from outside is described as such."""
    from gradviz.export.notation import bar_name, dot_name

    if birth.kind == "arrived":
        return birth.describe()

    if birth.sweep == "primal":
        target = f"{birth.name} ="
    elif birth.sweep == "forward":
        target = f"{dot_name(birth.name)} ="
    else:
        target = f"{bar_name(birth.inputs[birth.argnum][0])} +="
    inputs = ", ".join(f"{label} = {value}" for label, value in birth.inputs)
    return (f"{target} {birth.result}: {_BORN[birth.sweep]} is born at '{birth.op}' "
            f"({birth.formula} with {inputs})")


class RuleCheckFails(Breakpoint):
    """Stops at a node whose JVP or VJP rule fails :func:`gradviz.debug.check_trace`'s check
    on its recorded inputs (or where the cut identity breaks): where the first forward sweep
    uses a wrong JVP, and where a reverse sweep sends the contribution of a wrong VJP."""

    description = "a rule fails its check"

    def check(self, state: InspectorState) -> str | None:
        report, phase, info = state.findings().checks, state.phase, state.current
        if phase.kind == "forward" and phase.number == 0:
            wrong = [c for c in report.failures if c.index == info.node and c.rule == "JVP"]
            return wrong[0].describe() if wrong else None
        if phase.kind != "reverse" or info.source is None:
            return None
        wrong = [c for c in report.failures if c.index == info.source and c.rule == "VJP"]
        if wrong:
            return wrong[0].describe() if wrong[0].argnum == info.argnum else None
        if info.source in report.cut_failures and info.step.terms[0][0] == info.argnum:
            node = state.trace.nodes[info.source]
            defect = report.defects[info.source]
            return (f"the cut identity breaks at {node.name} ('{node.op}'): its VJP and JVP "
                    f"disagree by {defect:.4g}")
        return None


class AdjointAbove(Breakpoint):
    """Stops where ``|w̄i|`` (its largest element) first rises above ``bound``."""

    def __init__(self, bound: float):
        if not bound > 0:
            raise GradvizError(f"the adjoint bound must be a positive number, got {bound}")
        self.bound = float(bound)
        self.description = f"|adjoint| > {bound:g}"

    def check(self, state: InspectorState) -> str | None:
        phase, info = state.phase, state.current
        if phase.kind != "reverse":
            return None
        # step is the last contribution to info.node so far: add it to the sum of the earlier
        # ones, as running_adjoint would
        step = state.position.step
        earlier = running_adjoint(phase, info.node, step - 1)
        before = _magnitude(earlier)
        term = received(phase, step)
        after = _magnitude(term if earlier is None else earlier + term)
        if after > self.bound >= before:
            from gradviz.export.notation import bar_name

            name = state.trace.nodes[info.node].name
            return f"|{bar_name(name)}| = {after:.4g} rose above {self.bound:g}"
        return None


class OperationIs(Breakpoint):
    """Stops on every node made by the operation ``name`` (``log``, ``divide`` …): where its
    value is computed and where it sends its adjoint."""

    def __init__(self, name: str):
        self.name = name
        self.description = f"operation '{name}'"

    def check(self, state: InspectorState) -> str | None:
        trace, phase, info = state.trace, state.phase, state.current
        if phase.kind == "reverse":
            first = info.source is not None and info.step.terms[0][0] == info.argnum
            node = trace.nodes[info.source] if first else None
        else:
            node = trace.nodes[info.node]
        if node is not None and node.op == self.name:
            return f"{node.name} is a '{self.name}'"
        return None


class IterationIs(Breakpoint):
    """Stops at the first step of training iteration ``number`` (counted from 1, as the
    inspector shows them: iteration 1 of 100 … 100 of 100)."""

    def __init__(self, number: int):
        if number < 1:
            raise GradvizError(f"the iteration breakpoint must be 1 or more, got {number}")
        self.number = number
        self.description = f"iteration {number}"

    def check(self, state: InspectorState) -> str | None:
        if tuple(state.position) == (self.number - 1, 0, 0):
            return f"iteration {self.number} begins"
        return None
