"""The debugger's findings on one trace, as the inspector shows them beside a node.
"""

from __future__ import annotations

import numpy as onp

from gradviz.engine.sweeps import Sweep
from gradviz.engine.trace import Trace
from gradviz.inspector.breakpoints import born_reason
from gradviz.inspector.phases import Phase

__all__ = ['Findings']


class Findings:
    """:mod:`gradviz.debug`'s verdicts on one trace, each computed once, when first asked.

    ``nans`` is :func:`~gradviz.debug.nan_birth`'s report; ``checks`` is
    :func:`~gradviz.debug.check_trace`'s (it evaluates every primitive again, so it runs only
    when a :class:`RuleCheckFails` breakpoint is set).
    """

    def __init__(self, trace: Trace, *, checks: bool):
        self.trace = trace
        self.checked = checks
        self._nans = self._checks = None

    @property
    def nans(self):
        if self._nans is None:
            from gradviz.debug.nans import nan_birth

            with onp.errstate(all="ignore"):
                self._nans = nan_birth(self.trace)
        return self._nans

    @property
    def checks(self):
        if self._checks is None:
            from gradviz.debug.localise import check_trace

            self._checks = check_trace(self.trace)
        return self._checks

    def _sweep_number(self, sweep: Sweep | None) -> int | None:
        """Where ``sweep`` is in the trace's sweeps (a birth's ``sweep_index``); ``None``: not there."""
        return next((k for k, s in enumerate(self.trace.sweeps) if s is sweep), None)

    def birth(self, sweep: str, node: int, of: Sweep | None = None):
        """The birth at ``node`` in pass ``sweep`` (of the sweep ``of``), or ``None``."""
        number = None if of is None else self._sweep_number(of)
        for birth in self.nans.births:
            if birth.sweep == sweep and birth.index == node and (of is None or birth.sweep_index == number):
                return birth
        return None

    def marks(self, node: int) -> list[tuple[str, str]]:
        """Short tags for the graph: ``("NaN born", "bold red")``, ``("rule ✗ VJP", …)``."""
        tags = []
        if node in self.nans.born:
            verb = "arrived" if node in self.nans.arrived else "born"
            tags.append((f"NaN/Inf {verb}", "bold white on red"))
        if self.checked and self.checks.status(node) == "fail":
            rules = sorted({c.rule for c in self.checks.failures if c.index == node})
            tags.append((f"rule ✗ {'/'.join(rules) or 'cut identity'}", "bold white on magenta"))
        return tags

    def details(self, node: int, phase: Phase) -> list[tuple[str, str]]:
        """One line per finding at ``node`` that belongs to ``phase``, for the step panel."""
        passes = {"evaluate": ("primal",), "forward": ("primal", "forward") if phase.number == 0
                  else ("forward",), "reverse": ("reverse",)}[phase.kind]
        number = self._sweep_number(phase.sweep)
        lines = [(f"⚠ {born_reason(birth)}", "bold red") for birth in self.nans.births
                 if birth.index == node and birth.sweep in passes
                 and (birth.sweep == "primal" or birth.sweep_index == number)]
        if self.checked:
            rules = ("JVP",) if phase.kind == "forward" else ("VJP",) if phase.kind == "reverse" else ()
            lines += [(f"✗ {c.describe()}", "bold magenta") for c in self.checks.failures
                      if c.index == node and c.rule in rules]
        return lines[:2]
